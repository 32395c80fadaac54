"""Every link a page shows opens for the person it is shown to, and every page holds together.

Hidden links are not security (every view checks for itself: the permission matrix), but a
link shown to someone the view then refuses is a dead end. For each role of the permission
matrix's world, a crawl from the page they land on follows the links of the navigation bar and
of each page's main part, breadth first, up to PAGES pages: each answers with a page, not a
refusal, an error or the sign-in form. A class check: the same crawl of the demo data found
the admin's "Your chamber" (404), shared lessons and a candidate's alliance history linking
partnerships the reader may not open, and a chamber's outcome form linking the officers' pages;
this test fails on the shared lessons and the outcome form without their fixes.

On each page it also checks that every id a label, an ARIA attribute or an htmx target names
is on the page, once (a field's help text a screen reader could not find: a widget drawn by
Django names `<id>_helptext`, which a template drawing the help text itself must give).
"""

import re
from collections import deque

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from tests.access.matrix import ROLES
from tests.worlds import sign_in

pytestmark = pytest.mark.django_db

PAGES = 60
PARTS = re.compile(r'<nav class="navbar.*?</nav>|<main id="main".*?</main>', re.S)
HREF = re.compile(r'href="(/[^"#]*)"')
IDS = re.compile(r'\sid="([^"]+)"')
# Attributes naming ids of the same page (htmx's "closest …" and "this" name no id).
NAMED = re.compile(r'\s(?:for|aria-labelledby|aria-describedby|aria-controls)="([^"]+)"')
TARGET = re.compile(r'\s(?:hx-target|data-bs-target)="#([^"\s]+)"')
# Not pages to crawl: files and downloads, the sign-out and language switches, the JSON API,
# Django admin (its own gate), and more pages of a list than its first two.
NOT_PAGES = re.compile(
    r"^/(static|media|api|admin)/|/document/|/logout/|/language/|/export|/dossier|\.ics"
    r"|[?&]page=([3-9]|\d\d)"
)


def _links(html: str) -> set[str]:
    found = set()
    for part in PARTS.findall(html):
        for link in HREF.findall(part):
            link = link.replace("&amp;", "&")
            if not NOT_PAGES.search(link):
                found.add(link)
    return found


def _broken_ids(html: str) -> list[str]:
    ids = IDS.findall(html)
    broken = [f"{i} twice" for i in sorted(set(ids)) if ids.count(i) > 1]
    named = {n for value in NAMED.findall(html) for n in value.split()} | set(TARGET.findall(html))
    return broken + [f"{n} named, absent" for n in sorted(named - set(ids))]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_shown_only_links_that_open_on_pages_that_hold_together(matrix_world, role):
    client = Client()
    if role != "anonymous":
        sign_in(client, matrix_world, role)
    login = resolve_url(settings.LOGIN_URL)
    queue, seen, dead, broken = deque([("/", None)]), set(), [], []
    while queue and len(seen) < PAGES:
        link, shown_on = queue.popleft()
        if link in seen:
            continue
        seen.add(link)
        response = client.get(link, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else link
        if response.status_code != 200 or (role != "anonymous" and final.startswith(login)):
            dead.append((link, response.status_code, f"shown on {shown_on}"))
            continue
        if "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            broken.extend((link, problem) for problem in _broken_ids(html))
            queue.extend((found, link) for found in sorted(_links(html)))
    assert len(seen) > 1
    assert not dead, f"{role} is shown links that do not open: {dead}"
    assert not broken, f"{role}'s pages name ids they do not hold once: {broken}"
