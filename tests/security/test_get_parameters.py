"""Bad values in every GET parameter of every page and of every admin changelist of ours
(issue 19): never a 500.

A page's parameters are the fields of its own GET forms (filters, searches), every name a view
of ours reads from `request.GET` (found in the source, so a new one is covered), and `page`.
Each page is requested as a role the permission matrix lets see it (tests/access/matrix.py).
An admin changelist's are its filters' (their `expected_parameters()`), its date hierarchy's,
the search, ordering and page. The values are the POST suite's (tests/security/
test_bad_input.py): control characters and NUL, huge and garbage numbers, impossible dates,
ids beyond 64 bits. Few examples per page (the "ci" profile), on the shared world.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.db.models import Q
from hypothesis import given, settings
from hypothesis import strategies as st

from core import hooks
from tests.access.matrix import MATRIX
from tests.security.test_admin_filters import OUR_ADMINS, changelist, filter_parameters
from tests.security.test_bad_input import BOOLS, DATES, IDS, NUMBERS, TEXT
from tests.worlds import sign_in, url_for

pytestmark = pytest.mark.django_db

OUR_DIRS = (
    "accounts", "agenda", "alliances", "businesses", "core", "discussion", "gazetteer",
    "invitations", "notifications", "partnerships", "config",
)  # fmt: skip
READS = re.compile(r"""request\.GET(?:\.get|\.getlist|\.__getitem__)?[\[(]\s*["']([\w-]+)["']""")
# Who asks for a page: the first of these the matrix lets GET it.
ROLES = ["officer_a", "coordinator_a", "chamber", "admin", "anonymous"]
# Not pages: the calendar feed's address is a secret token (404 for any other).
SKIP = {"notifications:calendar_feed", "logout"}

# A third of the profile's examples per page: 3 in "ci", more in "thorough".
EXAMPLES = max(3, settings.default.max_examples // 3)
VALUE = st.one_of(TEXT, NUMBERS, DATES, IDS, BOOLS)
VALUES = st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3))


def names_read_from_get() -> set[str]:
    """Every parameter name a module of ours reads from request.GET."""
    base = Path(django_settings.BASE_DIR)
    names = {"page"}
    for folder in OUR_DIRS:
        for path in (base / folder).rglob("*.py"):
            names.update(READS.findall(path.read_text()))
    return names


class _GetForms(HTMLParser):
    """The names of the fields of every <form method="get"> of a page, with their options."""

    def __init__(self):
        super().__init__()
        self.names: dict[str, list[str]] = {}
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif self._in_get_form and tag in ("input", "select", "textarea") and attrs.get("name"):
            options = self.names.setdefault(attrs["name"], [])
            if attrs.get("value"):
                options.append(attrs["value"])
        elif self._in_get_form and tag == "option" and attrs.get("value") and self.names:
            list(self.names.values())[-1].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def _role(name: str) -> str | None:
    outcomes = MATRIX[name][0]
    return next((r for r in ROLES if outcomes.get(r) == 200), None)


PAGES = sorted(n for n in MATRIX if n not in SKIP and _role(n) is not None)
READ = sorted(names_read_from_get())
_PARAMS: dict = {}


def _login(client, world, role):
    if role == "anonymous":
        client.cookies.pop(django_settings.SESSION_COOKIE_NAME, None)
    else:
        sign_in(client, world, role)


def test_the_source_scan_finds_the_parameters_views_read():
    assert {"page", "format", "step", "city"} <= set(READ)


@pytest.mark.parametrize("name", PAGES)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_bad_get_parameters(name, client, world, data):
    role = _role(name)
    url = url_for(name, world)
    _login(client, world, role)
    key = (name, id(world))
    if key not in _PARAMS:
        parser = _GetForms()
        response = client.get(url)
        if "html" in response.get("Content-Type", ""):
            parser.feed(response.content.decode())
        _PARAMS[key] = {n: parser.names.get(n, []) for n in {*READ, *parser.names}}
    params = _PARAMS[key]
    chosen = data.draw(
        st.lists(st.sampled_from(sorted(params)), min_size=1, max_size=4, unique=True),
        label="names",
    )
    query = {
        n: data.draw(st.one_of(VALUES, st.sampled_from(params[n])) if params[n] else VALUES)
        for n in chosen
    }
    _login(client, world, role)  # a page may sign out (none should on a GET)
    response = client.get(url, query)
    assert response.status_code < 500


# The dashboard board's filters (issue 20). The page's own form gives the first three to the
# test above; the assignee filter is offered only while an app provides the hook
# `board.assigned`, so it is fuzzed here with a provider registered.
BOARD_FILTERS = {"category": ["sister_city", "mic"], "city": [], "health": ["weak"], "assignee": []}


def _assigned(user_ids):
    return Q(pk__in=[])


def test_the_board_filters_are_on_the_dashboards_get_form(client, world):
    sign_in(client, world, "officer_a")
    with hooks.replaced("board.assigned", [_assigned]):
        response = client.get(url_for("partnerships:dashboard", world))
    parser = _GetForms()
    parser.feed(response.content.decode())
    assert set(BOARD_FILTERS) <= set(parser.names)


@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_bad_board_filters(client, world, data):
    sign_in(client, world, "officer_a")
    chosen = data.draw(
        st.lists(st.sampled_from(sorted(BOARD_FILTERS)), min_size=1, max_size=4, unique=True)
    )
    query = {
        n: data.draw(
            st.one_of(VALUES, st.sampled_from(BOARD_FILTERS[n])) if BOARD_FILTERS[n] else VALUES
        )
        for n in chosen
    }
    with hooks.replaced("board.assigned", [_assigned]):
        response = client.get(url_for("partnerships:dashboard", world), query)
    assert response.status_code == 200


ADMIN_NAMES = [SEARCH_VAR, ORDER_VAR, PAGE_VAR, "_to_field", "_popup", "_changelist_filters"]


@pytest.mark.parametrize(
    ("model", "model_admin"), OUR_ADMINS, ids=[m._meta.label for m, _ in OUR_ADMINS]
)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_bad_changelist_parameters(model, model_admin, admin_client, admin_user, rf, data):
    key = (model, "admin")
    if key not in _PARAMS:
        _PARAMS[key] = sorted({*filter_parameters(model_admin, rf, admin_user), *ADMIN_NAMES})
    chosen = data.draw(
        st.lists(st.sampled_from(_PARAMS[key]), min_size=1, max_size=4, unique=True),
        label="names",
    )
    query = {n: data.draw(VALUES) for n in chosen}
    response = admin_client.get(changelist(model), query)
    assert response.status_code < 500
