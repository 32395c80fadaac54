"""Every named URL × every role, generated from the URL configuration.

A new URL without an entry in MATRIX fails `test_every_url_has_an_entry`: adding a page
means deciding who may reach it. The table and its roles are in tests/access/matrix.py; the
world (partnership P of cities A and B with every artefact a URL needs, one user per role) is
built once per module (tests/worlds.py). A case is one URL and method; each role's request
runs in a savepoint of its own inside it: a POST never changes what the next role sees.
"""

from functools import partial

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.access.matrix import MATRIX, ROLES
from tests.worlds import named_urls, sign_in
from tests.worlds import url_for as _url

pytestmark = pytest.mark.django_db


def test_every_url_has_an_entry():
    missing = sorted(set(named_urls()) - set(MATRIX))
    assert not missing, f"Decide who may reach these URLs, in MATRIX: {missing}"
    assert not sorted(set(MATRIX) - set(named_urls())), "MATRIX names a URL that is gone"


@pytest.fixture
def world(matrix_world):
    """Partnership P between A and B (private, in the MOU step) with every artefact a URL needs
    (tests/worlds.py: built once per module, users read afresh per test)."""
    return matrix_world


def _client_for(role, client, world):
    return client if role == "anonymous" else sign_in(client, world, role)


def _outcome(response, expected):
    if expected == "status":
        status_page = reverse("businesses:status")
        redirected = response.status_code == 302 and response["Location"] == status_page
        return "status" if redirected else response.status_code
    if expected == "login":
        return (
            "login"
            if response.status_code == 302 and "/login/" in response["Location"]
            else (response.status_code)
        )
    return response.status_code


def _mismatches(world, name: str, method: str) -> list[str]:
    """Every role's request of the URL, each in a savepoint of its own (a POST never changes
    what the next role sees) with a fresh client and cache; what differs from MATRIX."""
    column = 0 if method == "get" else 1
    found = []
    for role in ROLES:
        expected = MATRIX[name][column][role]
        cache.clear()
        with transaction.atomic():
            client = _client_for(role, Client(), world)
            send = client.get if method == "get" else partial(client.post, data={})
            response = send(_url(name, world))
            outcome = _outcome(response, expected)
            transaction.set_rollback(True)
        if outcome != expected:
            found.append(f"{role}: {outcome!r}, expected {expected!r}")
    return found


# One case per URL and method, all roles inside: the per-case cost (the world's copy, the
# users read afresh) is paid once per URL rather than once per role, and a failure lists every
# role that differs.
GET_NAMES = list(MATRIX)
POST_NAMES = [n for n in MATRIX if MATRIX[n][1]]


@pytest.mark.parametrize("name", GET_NAMES)
def test_get(name, world):
    found = _mismatches(world, name, "get")
    assert not found, f"GET {name}: {found}"


@pytest.mark.parametrize("name", POST_NAMES)
def test_empty_post(name, world):
    """An empty POST: the right people get a form error or a refusal, others 404, never 500."""
    found = _mismatches(world, name, "post")
    assert not found, f"POST {name}: {found}"
