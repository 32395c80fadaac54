"""Giving partner cities their place in the gazetteer: the data migration 0011_gazetteer and
`manage.py match_cities` run this, with the model class they have (the migration's historical
one, or the real one).

A city gets the GeoNames id of its best match (gazetteer.matching.best_match) unless another
city already has that place; its coordinates and population are filled from the place where
they are empty (a figure someone entered, such as a metro's population, is kept). Every row is
kept; those without a match are listed in the report, to be set by hand (the admin) or added
afresh from the gazetteer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gazetteer.matching import Candidate, best_match, index_for


@dataclass
class MatchReport:
    matched: list[tuple[str, Candidate]] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (city, why)

    def lines(self, *, verbose: bool = False) -> list[str]:
        n, cities = len(self.matched), "city" if len(self.matched) == 1 else "cities"
        out = [f"Gazetteer: {n} {cities} matched, {len(self.unmatched)} not."]
        if verbose:
            out += [f"  matched: {city} → {place}" for city, place in self.matched]
        out += [f"  not matched: {city}: {why}" for city, why in self.unmatched]
        return out


def _label(partner) -> str:
    code = getattr(partner.country, "code", partner.country)
    return ", ".join(p for p in (partner.name, partner.province, str(code)) if p)


def match_partners(partner_model, *, records=None, rematch: bool = False) -> MatchReport:
    """Match the cities without a GeoNames id (every city with `rematch`); `records` are the
    gazetteer's records (default: the bundled data, read only when a city needs matching)."""
    report = MatchReport()
    cities = list(partner_model.objects.order_by("pk"))
    todo = [p for p in cities if rematch or p.geonameid is None]
    if not todo:
        return report
    index = index_for({str(getattr(p.country, "code", p.country)) for p in todo}, records)
    taken = {p.geonameid: p for p in cities if p.geonameid is not None}
    for partner in todo:
        code = str(getattr(partner.country, "code", partner.country))
        place = best_match(index, partner.name, partner.province, code)
        if place is None:
            report.unmatched.append((_label(partner), "no place of that name in that country"))
            continue
        holder = taken.get(place.geonameid)
        if holder is not None and holder.pk != partner.pk:
            report.unmatched.append(
                (_label(partner), f"{place} is already the place of {_label(holder)}")
            )
            continue
        if partner.geonameid is not None and partner.geonameid != place.geonameid:
            taken.pop(partner.geonameid, None)
        partner.geonameid = place.geonameid
        if partner.latitude is None or partner.longitude is None:
            partner.latitude = round(Decimal(str(place.latitude)), 5)
            partner.longitude = round(Decimal(str(place.longitude)), 5)
        if not partner.population and place.population:
            partner.population = place.population
        partner.save(update_fields=["geonameid", "latitude", "longitude", "population"])
        taken[place.geonameid] = partner
        report.matched.append((_label(partner), place))
    return report
