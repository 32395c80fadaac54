"""Work on the catalogs (locale/<language>/LC_MESSAGES/django.po) in batches, with Babel.

    python scripts/translations.py headers              # Language and Plural-Forms of each
    python scripts/translations.py stats                # translated / to do, per language
    python scripts/translations.py todo sv --limit 200  # the next entries to translate (JSON)
    python scripts/translations.py apply sv batch.json  # put translations in (JSON, as todo)

`todo` prints a JSON list of entries: {"id", "plural" (if any), "context" (if any),
"comments" (the translators' comments), "where" (the first file it comes from)}. `apply`
reads the same list with "str" (a text) or, for an entry with a plural, "strs" (one text per
plural form of the language: 1 for Chinese, 2 for most, 6 for Arabic). An entry whose
placeholders differ from the English is refused and reported; the rest are written.
See docs/translating.md.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from babel.messages.checkers import python_format
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "locale"
# settings.LANGUAGES's codes, as locale folder names (django.utils.translation.to_locale).
LOCALES = {
    "fr": "fr",
    "es": "es",
    "pt-br": "pt_BR",
    "de": "de",
    "sv": "sv",
    "zh-hans": "zh_Hans",
    "ar": "ar",
}


def po_path(language: str) -> Path:
    return LOCALE / LOCALES[language] / "LC_MESSAGES" / "django.po"


def load(language: str):
    # The plural rule is the header's: makemessages copies Django's own for the language, so
    # our catalogs and Django's agree (Chinese 1 form, German 2, French 3, Arabic 6).
    with po_path(language).open("rb") as f:
        catalog = read_po(f)
    catalog.locale = LOCALES[language]
    return catalog


def save(language: str, catalog) -> None:
    with po_path(language).open("wb") as f:
        write_po(f, catalog, width=100, sort_output=False, include_previous=False)


def _translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def headers() -> None:
    """Each catalog's header names its language and the project, and is not fuzzy; each plural
    entry gets as many forms as the language's rule has."""
    for language in LOCALES:
        catalog = load(language)
        catalog.project, catalog.version = "Twinning portal", "1"
        catalog.language_team = f"{language} <portal@twinning.local>"
        catalog.last_translator = "Twinning portal <portal@twinning.local>"
        catalog.fuzzy = False
        for message in catalog:
            if message.id and isinstance(message.id, tuple):
                forms = list(message.string or ())[: catalog.num_plurals]
                message.string = tuple(forms + [""] * (catalog.num_plurals - len(forms)))
        save(language, catalog)
        print(f"{language}: nplurals={catalog.num_plurals}")


def stats() -> None:
    for language in LOCALES:
        messages = [m for m in load(language) if m.id]
        done = sum(1 for m in messages if _translated(m) and not m.fuzzy)
        print(f"{language:8} {done:5} of {len(messages)} translated")


def todo(language: str, limit: int) -> None:
    entries = []
    for m in load(language):
        if not m.id or (_translated(m) and not m.fuzzy):
            continue
        entry = {"id": m.id[0] if isinstance(m.id, tuple) else m.id}
        if isinstance(m.id, tuple):
            entry["plural"] = m.id[1]
        if m.context:
            entry["context"] = m.context
        comments = [c for c in m.auto_comments if c.strip()]
        if comments:
            entry["comments"] = comments
        if m.locations:
            entry["where"] = m.locations[0][0]
        entries.append(entry)
        if len(entries) >= limit:
            break
    json.dump(entries, sys.stdout, ensure_ascii=False, indent=1)
    print()


def apply(language: str, path: str) -> int:
    catalog = load(language)
    nplurals = catalog.num_plurals
    given = json.loads(Path(path).read_text(encoding="utf-8"))
    written, refused = 0, []
    for entry in given:
        message = catalog.get(entry["id"], context=entry.get("context"))
        if message is None:
            refused.append((entry["id"], "not in the catalog"))
            continue
        if isinstance(message.id, tuple):
            strings = entry.get("strs")
            if not isinstance(strings, list) or len(strings) != nplurals or not all(strings):
                refused.append((entry["id"], f"needs 'strs': {nplurals} plural forms"))
                continue
            new = tuple(strings)
        else:
            new = entry.get("str")
            if not isinstance(new, str) or not new:
                refused.append((entry["id"], "needs 'str'"))
                continue
        old, old_fuzzy = message.string, message.fuzzy
        message.string = new
        message.flags.discard("fuzzy")
        try:
            python_format(catalog, message)
        except Exception as exc:  # babel's TranslationError: placeholders differ
            message.string = old
            if old_fuzzy:
                message.flags.add("fuzzy")
            refused.append((entry["id"], str(exc)))
            continue
        written += 1
    save(language, catalog)
    print(f"{language}: {written} written, {len(refused)} refused")
    for msgid, why in refused:
        print(f"  REFUSED {msgid[:70]!r}: {why}")
    return 1 if refused else 0


def main() -> int:
    # `stats | head` closes the pipe early: end quietly, as Unix tools do.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("headers")
    sub.add_parser("stats")
    t = sub.add_parser("todo")
    t.add_argument("language", choices=sorted(LOCALES))
    t.add_argument("--limit", type=int, default=150)
    a = sub.add_parser("apply")
    a.add_argument("language", choices=sorted(LOCALES))
    a.add_argument("file")
    args = parser.parse_args()
    if args.command == "headers":
        headers()
    elif args.command == "stats":
        stats()
    elif args.command == "todo":
        todo(args.language, args.limit)
    else:
        return apply(args.language, args.file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
