"""The matchmaking's vocabulary (businesses/matching.py): the points of each fact, the needs and
stages of the value chain, the links between ISIC sections, and how the words of what businesses
offer and seek are compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Concrete facts.
PRODUCT, PRODUCT_WORD, PRODUCT_WORDS_MAX = 30, 5, 2
MARKET = 15
COMPLEMENT = 15
HORIZONTAL = 20
# What places a pair in a value chain (counted in full only beside a concrete fact).
CHAIN = 10
SECTOR_LINK = 5
TRADE_NEED = 5
COMMON_NEED = 5
CONTEXT_ONLY = 5
# Bonuses, on a pair with a concrete fact.
READY_BONUS, EXPLORING_BONUS = 5, 2
INTEREST_BONUS = 10

# The points, as the matchmaking pages explain them (templates/businesses/matches/_how_ranked.html).
WEIGHTS = {
    "product": PRODUCT,
    "product_word": PRODUCT_WORD,
    "market": MARKET,
    "complement": COMPLEMENT,
    "horizontal": HORIZONTAL,
    "chain": CHAIN,
    "sector": SECTOR_LINK,
    "trade": TRADE_NEED,
    "common_need": COMMON_NEED,
    "context_only": CONTEXT_ONLY,
    "ready": READY_BONUS,
    "interest": INTEREST_BONUS,
}

BUYERS, SUPPLIERS = "buyers", "suppliers"
TECHNOLOGY, INVESTMENT = "technology", "investment"
# Needs that, sought by one and offered by the other, complement a pair.
COMPLEMENT_NEEDS = ("investment", "technology", "students", "tourism")
# Needs two firms of one sector may seek together.
COMMON_NEEDS = (TECHNOLOGY, INVESTMENT)

# The value chain's stages in order (BusinessProfile.ChainPosition): a supplier is one stage
# before its buyer; "services" (to other businesses) serve any stage.
CHAIN_ORDER = ("primary", "processing", "distribution", "retail")
SERVICES = "services"

# Every section a business may be in: all but public administration (O), households (T) and
# extraterritorial bodies (U).
_BUSINESS_SECTIONS = frozenset("ABCDEFGHIJKLMNPQRS")

# The value chain between ISIC sections, upstream (supplier) → downstream (buyer). Small on
# purpose, and readable; a sector link alone is never enough for a pair to rank.
VALUE_CHAIN: dict[str, frozenset[str]] = {
    "A": frozenset("CGI"),  # farm produce → food manufacturing, wholesale/retail, hospitality
    "B": frozenset("CDF"),  # ores, fuel, stone → manufacturing, energy, construction
    "C": frozenset("FGHI"),  # manufactured goods → construction, trade, transport, hospitality
    "D": frozenset("CB"),  # energy → manufacturing, mining
    "F": frozenset("L"),  # construction → real estate
    "G": frozenset("I"),  # wholesale → hotels and restaurants
    "H": frozenset("ABCG"),  # transport and logistics → producers and traders
    "I": frozenset("R"),  # tourism: accommodation ↔ attractions and events…
    "R": frozenset("I"),  # …sell each other's visitors
    "J": _BUSINESS_SECTIONS - {"J"},  # information and communication serves most sectors
    "M": _BUSINESS_SECTIONS - {"M"},  # professional, scientific and technical services too
}

# Words that say nothing about what is traded (compared after normalising).
_STOP_TEXT = """
    a an and or the of for with to in on at by from as into via per our we us their its all any
    other others etc also more most new own such like well high quality including include product
    service good item supply solution range various general kind type small large local
    international export import business company
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def upstream_links(supplier: Iterable[str], buyer: Iterable[str]) -> list[tuple[str, str]]:
    buyer = set(buyer)
    return sorted((s, b) for s in supplier for b in VALUE_CHAIN.get(s, ()) if b in buyer)


def chain_supplies(supplier: str, buyer: str) -> bool:
    """Whether a business at position `supplier` supplies one at `buyer` (one stage apart in
    CHAIN_ORDER; services serve any stage)."""
    if not supplier or not buyer:
        return False
    if supplier == SERVICES:
        return True
    if supplier in CHAIN_ORDER and buyer in CHAIN_ORDER:
        return CHAIN_ORDER.index(buyer) == CHAIN_ORDER.index(supplier) + 1
    return False


# --- Words ------------------------------------------------------------------------------------


def _plain(word: str) -> str:
    """Without accents: "café" → "cafe"."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _singular(word: str) -> str:
    """A simple English plural stripped: parts → part, batteries → battery, boxes → box."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def product_words(text: str) -> dict[str, str]:
    """{normalised word: the word as written (lower case)}, in the order of the text, without
    stop words, numbers and words shorter than three letters."""
    found: dict[str, str] = {}
    for token in re.findall(r"[^\W_]+", (text or "").lower()):
        plain = _plain(token)
        key = _singular(plain)
        if len(key) < 3 or key.isdigit() or key in STOP_WORDS or plain in STOP_WORDS:
            continue
        found.setdefault(key, token)
    return found
