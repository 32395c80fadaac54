"""The API's documentation: its two pages load under the portal's CSP (no inline script, no
file from elsewhere), and docs/api.md's worked example (a spreadsheet of one's partnerships)
runs against a running portal."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from partnerships.models import Step
from tests.factories.partnerships import (
    CityMembershipFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.links: list[str] = []
        self.inline = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        elif tag == "link":
            self.links.append(attrs.get("href", ""))
        elif tag == "style":
            self.inline = True

    def handle_data(self, data):
        if self.scripts and not self.scripts[-1].get("src") and data.strip():
            self.inline = True


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_documentation_pages_need_no_inline_script(name):
    response = Client().get(reverse(name))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert script_src == ["'self'"]
    page = _Scripts()
    page.feed(response.content.decode())
    assert page.scripts and not page.inline
    for url in [s["src"] for s in page.scripts] + page.links:
        assert url.startswith("/"), f"{url} is not the portal's own"
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"{url} is not in static files"
        else:
            script = Client().get(url)
            assert script.status_code == 200
            assert script["Content-Type"].startswith("application/javascript")


def _worked_example() -> str:
    text = DOCS.read_text(encoding="utf-8")
    marker = text.index("<!-- tests/api/test_docs.py runs the script below")
    return re.search(r"```python\n(.*?)```", text[marker:], re.S).group(1)


@pytest.mark.django_db(transaction=True)
def test_the_spreadsheet_example_of_docs_api_md_runs(live_server, tmp_path):
    officer = CityMembershipFactory()
    home = officer.partner
    for n in range(3):
        p = PartnershipFactory(home=home, title=f"Twinning {n}", step=Step.SEARCH)
        PartnershipMemberFactory(partnership=p, partner=PartnerFactory(name=f"Partner {n}"))
    PartnershipFactory(title="Another city's")  # not theirs: not in the file
    _token, key = account_services.api_token_create(user=officer.user, name="csv", access="read")
    script = tmp_path / "partnerships_to_csv.py"
    script.write_text(_worked_example(), encoding="utf-8")
    out = tmp_path / "partnerships.csv"
    subprocess.run(
        [sys.executable, str(script), str(out)],
        env={"PORTAL_URL": live_server.url, "PORTAL_TOKEN": key, "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=60,
    )
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "Partnership"
    assert sorted(r[0] for r in rows[1:]) == ["Twinning 0", "Twinning 1", "Twinning 2"]
    first = rows[1]
    assert first[1].startswith(home.name) and "Partner 0" in first[1]
    assert first[2] == "2. Search"
    assert first[6], "what the search step still needs"
