"""Every link of the navigation bar opens for the person it is shown to.

Hidden links are not security (every view checks for itself: the permission matrix), but a
link shown to someone the view then refuses is a dead end: for each role of the permission
matrix's world, every link of the bar (its main row, its right end, the person's menu) on the
page they land on answers with a page, not a refusal or the sign-in form.
"""

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from tests.access.matrix import ROLES
from tests.worlds import sign_in

pytestmark = pytest.mark.django_db

NAVBAR = re.compile(r'<nav class="navbar.*?</nav>', re.S)
HREF = re.compile(r'href="(/[^"#]*)"')


def _nav_links(html: str) -> list[str]:
    bar = NAVBAR.search(html)
    assert bar, "no navigation bar on the landing page"
    return sorted({link.replace("&amp;", "&") for link in HREF.findall(bar.group(0))})


@pytest.mark.parametrize("role", ROLES)
def test_every_link_of_the_navigation_bar_opens_for_whom_it_is_shown(matrix_world, role):
    client = Client()
    if role != "anonymous":
        sign_in(client, matrix_world, role)
    landing = client.get("/", follow=True)
    assert landing.status_code == 200
    links = _nav_links(landing.content.decode())
    assert links
    dead = []
    for link in links:
        response = client.get(link, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else link
        if response.status_code != 200 or (
            role != "anonymous" and final.startswith(resolve_url(settings.LOGIN_URL))
        ):
            dead.append((link, response.status_code, final))
    assert not dead, f"{role} is shown links that do not open: {dead}"


MAIN = re.compile(r'<main id="main".*?</main>', re.S)
# Links that leave the pages: a file's download, the sign-out form's page, the API's JSON.
NOT_PAGES = re.compile(r"^/(static|media)/|/document/|/logout/|^/api/")


@pytest.mark.parametrize("role", ROLES)
def test_every_link_on_the_main_pages_opens_for_whom_it_is_shown(matrix_world, role):
    """The same for the links of the landing page, the list and the partnership's own page."""
    client = Client()
    if role != "anonymous":
        sign_in(client, matrix_world, role)
    pk = matrix_world["kwargs"]["pk"]
    dead, checked = [], 0
    for page in ("/", "/partnerships/", f"/partnerships/{pk}/"):
        response = client.get(page, follow=True)
        if response.status_code != 200:
            continue  # a page this role may not open (the permission matrix says which)
        main = MAIN.search(response.content.decode())
        links = sorted({link.replace("&amp;", "&") for link in HREF.findall(main.group(0))})
        for link in links:
            if NOT_PAGES.search(link):
                continue
            checked += 1
            opened = client.get(link, follow=True)
            if opened.status_code != 200:
                dead.append((page, link, opened.status_code))
    assert checked
    assert not dead, f"{role} is shown links that do not open: {dead}"
