"""The reasons the matchmaking (businesses/matching.py) gives for a pair: one sentence per fact,
in the reader's language, each naming the facts that matched.

A fact is a tuple (kind, points, the businesses concerned, what matched), see matching.py.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from businesses.matching_vocabulary import SERVICES

# What a business says of its trade, as the scoring reads it (matching._Business.trades_as_*).
SEEKS_SUPPLIERS, OFFERS_MARKET = "seeks_suppliers", "offers_market"
SEEKS_BUYERS, OFFERS_SUPPLY = "seeks_buyers", "offers_supply"


def quote(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def need_text(name: str) -> str:
    """A need's name (stored in English, in the catalogs: businesses/reference_data.py) inside
    a sentence of the active language: lower case first, but German keeps its nouns' capital."""
    text = _(name)
    if (translation.get_language() or "").startswith("de"):
        return text
    return text[:1].lower() + text[1:]


def _trade(name: str, code: str) -> str:
    texts = {
        SEEKS_SUPPLIERS: _("%(name)s seeks suppliers"),
        OFFERS_MARKET: _("%(name)s offers a market"),
        SEEKS_BUYERS: _("%(name)s seeks buyers"),
        OFFERS_SUPPLY: _("%(name)s offers supply"),
    }
    return texts[code] % {"name": name}


def _sectors(business, codes) -> str:
    return ", ".join(
        _("%(code)s (%(sector)s)") % {"code": c, "sector": business.sectors[c]} for c in codes
    )


def describe(fact: tuple) -> str:
    """The sentence, for people, of one fact of a scored pair."""
    kind = fact[0]
    if kind == "product":
        _kind, _points, s, b, words = fact
        return _(
            "Vertical (buyer–supplier): %(buyer)s seeks ‘%(sought)s’; %(supplier)s offers "
            "‘%(offered)s’ (matched: %(words)s)."
        ) % {
            "buyer": b.name,
            "sought": quote(b.profile.products_sought),
            "supplier": s.name,
            "offered": quote(s.profile.products_services),
            "words": ", ".join(words),
        }
    if kind == "chain":
        _kind, _points, s, b = fact
        if s.position == SERVICES:
            return _(
                "Value chain: %(supplier)s offers services to businesses; %(buyer)s is in "
                "%(stage)s."
            ) % {"supplier": s.name, "buyer": b.name, "stage": b.position_label}
        return _(
            "Value chain: %(supplier)s (%(supplier_stage)s) is the stage before %(buyer)s "
            "(%(buyer_stage)s)."
        ) % {
            "supplier": s.name,
            "supplier_stage": s.position_label,
            "buyer": b.name,
            "buyer_stage": b.position_label,
        }
    if kind == "sector_link":
        _kind, _points, s, b, (up, down) = fact
        return _(
            "Sectors: %(supplier)s's %(up)s (%(up_name)s) supplies %(buyer)s's %(down)s "
            "(%(down_name)s)."
        ) % {
            "supplier": s.name,
            "up": up,
            "up_name": s.sectors[up],
            "buyer": b.name,
            "down": down,
            "down_name": b.sectors[down],
        }
    if kind == "trade":
        _kind, _points, s, b = fact
        bits = [_trade(b.name, x) for x in b.trades_as_buyer()] + [
            _trade(s.name, x) for x in s.trades_as_supplier()
        ]
        return _("Trade: %(facts)s.") % {"facts": "; ".join(bits)}
    if kind == "same_trade":
        _kind, _points, a, b, words, shared = fact
        return _(
            "Horizontal (same trade): %(first)s offers ‘%(first_offer)s’, %(second)s "
            "‘%(second_offer)s’, both in %(sectors)s (matched: %(words)s)."
        ) % {
            "first": a.name,
            "first_offer": quote(a.profile.products_services),
            "second": b.name,
            "second_offer": quote(b.profile.products_services),
            "sectors": _sectors(a, shared),
            "words": ", ".join(words),
        }
    if kind == "shared_sector":
        _kind, _points, a, b, shared = fact
        return _("Same sector: %(sectors)s.") % {"sectors": _sectors(a, shared)}
    if kind == "same_stage":
        _kind, _points, a, b = fact
        return _("Same stage of the value chain: both in %(stage)s.") % {"stage": a.position_label}
    if kind == "common_need":
        _kind, _points, a, b, common = fact
        wanted = [need_text(a.seeks[c]) for c in common]
        names = {"first": a.name, "second": b.name}
        if len(wanted) == 1:
            return _("Horizontal: %(first)s and %(second)s both seek %(need)s.") % {
                **names,
                "need": wanted[0],
            }
        return _("Horizontal: %(first)s and %(second)s both seek %(need)s and %(other_need)s.") % {
            **names,
            "need": ", ".join(wanted[:-1]),
            "other_need": wanted[-1],
        }
    if kind == "market":
        _kind, _points, seeker, other = fact
        return _("%(seeker)s seeks markets in %(country)s, %(other)s's country.") % {
            "seeker": seeker.name,
            "country": other.profile.organisation.partner.country.name,
            "other": other.name,
        }
    if kind == "complement":
        _kind, _points, giver, taker, need = fact
        return _("Complement: %(giver)s offers %(offer)s; %(taker)s seeks %(need)s.") % {
            "giver": giver.name,
            "offer": need_text(giver.offers[need]),
            "taker": taker.name,
            "need": need_text(taker.seeks[need]),
        }
    if kind == "ready":
        x = fact[2]
        return _("Export-ready: %(business)s (%(readiness)s).") % {
            "business": x.name,
            "readiness": x.profile.get_export_readiness_display(),
        }
    if kind == "exploring":
        return _("Exploring export: %(business)s.") % {"business": fact[2].name}
    if kind == "interest":
        return _("Registered interest in this partnership: %(business)s.") % {
            "business": fact[2].name
        }
    # "context_only"
    return _(
        "Only sectors or value-chain stages link them: no product, need or market of theirs "
        "matches yet."
    )
