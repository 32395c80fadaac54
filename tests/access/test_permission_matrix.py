"""Every named URL × every role, generated from the URL configuration.

A new URL without an entry in MATRIX fails `test_every_url_has_an_entry`: adding a page
means deciding who may reach it. The table and its roles are in tests/access/matrix.py; the
world (partnership P of cities A and B with every artefact a URL needs, one user per role) is
built once per module (tests/worlds.py), and each case runs in a savepoint of it: a POST
never changes what the next case sees.
"""

import pytest
from django.urls import reverse

from tests.access.matrix import MATRIX, ROLES
from tests.worlds import named_urls
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
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


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


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_get(name, role, client, world):
    expected = MATRIX[name][0][role]
    response = _client_for(role, client, world).get(_url(name, world))
    assert _outcome(response, expected) == expected


POST_CASES = [(n, r) for n in MATRIX if MATRIX[n][1] for r in ROLES]


@pytest.mark.parametrize(("name", "role"), POST_CASES, ids=[f"{n}-{r}" for n, r in POST_CASES])
def test_empty_post(name, role, client, world):
    """An empty POST: the right people get a form error or a refusal, others 404, never 500."""
    expected = MATRIX[name][1][role]
    response = _client_for(role, client, world).post(_url(name, world), {})
    assert _outcome(response, expected) == expected
