"""A record's id in the address, past the database's integer, is a 404 like any unknown record.

Django's own queries turn an out-of-range id into "no such row", but a query compiled once
(core/querysets.py) or SQLite (OverflowError) did not: `/partnerships/<10**23>/` was a 500 on
the embedded default. The ids of every URL go through `<id:...>` (core/converters.py), which
takes 18 digits at most. Checked for every named URL with an id, as an admin (who may open
everything, so a 404 is the address's and not a refusal); `make test-embedded` runs it on SQLite.
The admin's forms, given such an id, refuse it as an invalid choice.
"""

import pytest
from django.test import Client
from django.urls import reverse

from core.converters import IdConverter
from tests.factories.accounts import UserFactory
from tests.worlds import named_urls

pytestmark = pytest.mark.django_db

HUGE = str(10**23)
SENTINEL = 918273645  # an id no test world reaches, replaced by HUGE in the address


def _is_id(converter) -> bool:
    # Django's own too: the check below must not depend on the fix it checks.
    return isinstance(converter, IdConverter) or type(converter).__name__ == "IntConverter"


def _with_ids():
    for name, pattern in sorted(named_urls().items()):
        converters = getattr(pattern.pattern, "converters", {})
        if any(_is_id(c) for c in converters.values()):
            yield name, converters


WITH_IDS = dict(_with_ids())


def test_every_id_in_a_url_goes_through_the_id_converter():
    ints = sorted(
        name
        for name, pattern in named_urls().items()
        if any(type(c).__name__ == "IntConverter" for c in pattern.pattern.converters.values())
    )
    assert not ints, f"Use <id:...> for these URLs' ids: {ints}"
    assert len(WITH_IDS) > 50


def test_an_id_past_the_database_integer_is_not_found(client: Client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    answered = {}
    for name, converters in WITH_IDS.items():
        kwargs = {key: SENTINEL if _is_id(c) else "mou" for key, c in converters.items()}
        address = reverse(name, kwargs=kwargs).replace(str(SENTINEL), HUGE)
        for method in (client.get, client.post):
            status = method(address).status_code
            if status != 404:
                answered[f"{method.__name__.upper()} {address}"] = status
    assert not answered, answered


def test_an_id_past_the_database_integer_in_an_admin_form_is_an_invalid_choice(client: Client):
    """The same number posted to the admin: in an autocomplete foreign key (the invalid form
    drawn again looked it up) and in a many-to-many field (Django's own field asked an IN of
    it). Both overflowed SQLite's integer: 500s found from outside."""
    from tests.factories.partnerships import PartnershipFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    p = PartnershipFactory()
    for address, data, field in [
        (reverse("admin:partnerships_champion_add"), {"partnership": HUGE, "name": "X"}, None),
        (
            reverse("admin:partnerships_partnership_change", args=[p.pk]),
            {"title": p.title, "areas": [HUGE]},
            "areas",
        ),
    ]:
        response = client.post(address, data)
        assert response.status_code == 200, address
        errors = response.context["adminform"].form.errors
        assert field is None or "valid choice" in str(errors[field])
