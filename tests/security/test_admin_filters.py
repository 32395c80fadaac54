"""Every changelist of our models, filtered with values the database cannot take (issue 19):
a NUL byte, a year or a number beyond range, garbage. Each filter the page offers, its date
hierarchy and its search get each value; the answer is the list, filtered or (when the value
cannot be used) unfiltered with a message, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG, SEARCH_VAR
from django.contrib.messages import get_messages
from django.urls import reverse

pytestmark = pytest.mark.django_db

# A NUL byte (PostgreSQL refuses it), a year beyond datetime's and a number beyond bigint's.
# Garbage Django itself refuses while building the filter is left to test_get_parameters.py.
BAD_VALUES = ["a\x00b", "9" * 21]


def our_model_admins():
    """(model, its ModelAdmin) for every model of the project's own apps in the admin."""
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for model, model_admin in admin.site._registry.items():
        app_path = Path(model._meta.app_config.path).resolve()
        if app_path.is_relative_to(base) and ".venv" not in app_path.parts:
            found.append((model, model_admin))
    return sorted(found, key=lambda pair: pair[0]._meta.label)


OUR_ADMINS = our_model_admins()


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def filter_parameters(model_admin, rf, user) -> list[str]:
    """The GET names the changelist reads: each filter's, the date hierarchy's, the search."""
    request = rf.get("/")
    request.user = user
    cl = model_admin.get_changelist_instance(request)
    names = [name for spec in cl.filter_specs for name in spec.expected_parameters()]
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    if model_admin.get_search_fields(request):
        names.append(SEARCH_VAR)
    return [name for name in names if name]


def test_the_project_has_model_admins_to_check():
    labels = {model._meta.app_label for model, _ in OUR_ADMINS}
    assert {"partnerships", "businesses", "alliances"} <= labels


@pytest.mark.parametrize(
    ("model", "model_admin"), OUR_ADMINS, ids=[m._meta.label for m, _ in OUR_ADMINS]
)
def test_bad_filter_values_show_the_list(model, model_admin, admin_client, admin_user, rf):
    names = filter_parameters(model_admin, rf, admin_user)
    url = changelist(model)
    for name in names:
        for value in BAD_VALUES:
            response = admin_client.get(url, {name: value})
            assert response.status_code in (200, 302), (name, value, response.status_code)
            if response.status_code == 302:
                # Django's way for a lookup it cannot use: the list unfiltered, said so.
                assert response["Location"] == f"{url}?{ERROR_FLAG}=1", (name, value)
                unfiltered = admin_client.get(response["Location"])
                assert unfiltered.status_code == 200
                said = [str(m) for m in get_messages(unfiltered.wsgi_request)]
                assert any("shown unfiltered" in m for m in said), (name, value, said)
