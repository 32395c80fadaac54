"""The catalogs cannot drift: every language has every message the code marks, each translated
(no empty or fuzzy entry), with the same placeholders as the English (Babel's checkers, and GNU
msgfmt --check-format where installed: CI installs it)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
IN_CI = bool(os.environ.get("CI"))


def po_path(code: str) -> Path:
    return ROOT / "locale" / to_locale(code) / "LC_MESSAGES" / "django.po"


def catalog(code: str):
    with po_path(code).open("rb") as f:
        return read_po(f, locale=to_locale(code))


def keys(messages) -> set[tuple]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in messages if m.id}


def _translated(string) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(code):
    messages = [m for m in catalog(code) if m.id]
    assert len(messages) > 500, "the catalog is nearly empty"
    untranslated = [
        m.id
        for m in messages
        if not m.string or (isinstance(m.string, tuple) and not all(m.string))
    ]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not untranslated, f"{code}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog(code).check()]
    assert not problems, f"{code}: {problems[:5]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_msgfmt_accepts_the_catalog(code):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        assert not IN_CI, "CI installs GNU gettext (.ci/run)"
        pytest.skip("GNU gettext is not installed")
    done = subprocess.run(
        [msgfmt, "--check-format", "--check-header", "-o", os.devnull, str(po_path(code))],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_the_catalogs_hold_every_marked_string(tmp_path):
    """makemessages, run on a copy of the code, finds no message the catalogs lack: a string
    marked since the last translation fails here until it is translated."""
    if shutil.which("xgettext") is None:
        assert not IN_CI, "CI installs GNU gettext (.ci/run)"
        pytest.skip("GNU gettext is not installed")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        source = ROOT / name
        skip = name.startswith(
            ("tests/", "static/", "bench/", "scripts/", "locale/", "gazetteer/data/")
        )
        if skip or source.suffix not in {".py", ".html", ".txt"} or not source.is_file():
            continue
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DEBUG": "false"}
    done = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--keep-pot", "-l", "fr", "--no-location"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    # A template's header has no plural rule yet ("nplurals=INTEGER"): Babel needs one.
    pot = (tmp_path / "locale" / "django.pot").read_text(encoding="utf-8")
    pot = pot.replace("nplurals=INTEGER; plural=EXPRESSION;", "nplurals=2; plural=(n != 1);")
    marked = keys(read_po(io.StringIO(pot)))
    for code in LANGUAGES:
        missing = marked - keys(catalog(code))
        assert not missing, (
            f"{code}: {len(missing)} marked strings are not in the catalog, e.g. "
            f"{sorted(missing, key=str)[:5]}: run `make makemessages` and translate them"
        )
