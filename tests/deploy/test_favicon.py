"""Issue 19: no page 404s on an asset it asks for — the favicon browsers request on every page
(/favicon.ico whatever the page links) and every static file a page's HTML names."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

STATIC = re.compile(r'(?:href|src)="/static/([^"?#]+)"')


def static_assets(html: str) -> list[str]:
    return STATIC.findall(html)


@pytest.mark.parametrize("signed_in", [False, True])
def test_favicon_ico_leads_to_an_icon(client, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    target = response["Location"]
    assert target.startswith("/static/")
    assert finders.find(target.removeprefix("/static/")), target


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_static_file_a_page_names_exists(client, signed_in):
    if signed_in:
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        page = reverse("partnerships:dashboard")
    else:
        page = reverse("login")
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assets = static_assets(html)
    assert any(a.endswith(".svg") for a in assets) and 'rel="icon"' in html
    missing = [a for a in assets if not finders.find(a)]
    assert not missing
