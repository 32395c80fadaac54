"""The search key of a name: what a person may type to find it.

"Gävle", "gavle" and "GÄVLE" share one key; so do "Saint-Étienne" and "saint etienne". Scripts
without case or accents (广州, ダーバン) keep their characters. Hangul and other scripts whose
letters decompose are recomposed, so a key is still one character per syllable.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def search_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    # ß → ss, ﬁ → fi; then punctuation (hyphens, apostrophes, dots) becomes a single space.
    folded = unicodedata.normalize("NFC", bare).casefold()
    return _NOT_WORD.sub(" ", folded).strip()
