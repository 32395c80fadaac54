"""Finding cities by any of their names, and partnerships by their cities' names: "Durban"
finds eThekwini, "Canton" Guangzhou, "德班" Durban (the gazetteer's names, compared by search
key). One rule for the registry, the lists and the portal's search."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from gazetteer.models import PlaceName
from gazetteer.selectors import MIN_QUERY, search_key
from partnerships.models import PartnershipMember


def city_named(text: str, prefix: str = "") -> Q:
    """Cities (Partner rows, or rows reaching one through `prefix`, e.g. "partner__") whose
    name holds `text`, or whose place in the gazetteer has a name starting with it."""
    text = text.strip()
    found = Q(**{f"{prefix}name__icontains": text})
    key = search_key(text)
    if len(key) >= MIN_QUERY:
        places = PlaceName.objects.filter(key__startswith=key).values("place_id")
        found |= Q(**{f"{prefix}geonameid__in": places})
    return found


def has_member_named(text: str, ref: str = "pk") -> Exists:
    """Partnerships (the row's `ref`) with a member city `city_named(text)`."""
    return Exists(
        PartnershipMember.objects.filter(partnership=OuterRef(ref)).filter(
            city_named(text, prefix="partner__")
        )
    )
