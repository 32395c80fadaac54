"""A partnership's relationship strength starts empty, "not assessed yet" (issue 19): 0 is an
assessment ("none, by choice"), not a default. The page, the edit form, the dossier, the admin's
list, the exports, the API and the data migration of existing rows."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from partnerships import dossier, exports
from partnerships.forms.partnerships import PartnershipEditForm, lendrum_label
from partnerships.models import CityMembership, Partnership
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import CityMembershipFactory, PartnerFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("partnerships.migrations.0017_strength_not_assessed")


@pytest.fixture
def home():
    return PartnerFactory(name="Buffalo City")


@pytest.fixture
def officer(home):
    user = UserFactory()
    CityMembershipFactory(user=user, partner=home, role=CityMembership.Role.OFFICER)
    return user


def test_a_new_partnership_is_not_assessed_yet(home):
    p = PartnershipFactory(home=home)
    assert p.relationship_strength is None
    assert lendrum_label(None) == "Not assessed yet"
    assert lendrum_label(0) == "0 – None (by choice)"


def test_the_page_says_not_assessed_yet(client, home, officer):
    p = PartnershipFactory(home=home)
    client.force_login(officer)
    page = client.get(reverse("partnerships:detail", args=[p.pk])).content.decode()
    assert "Not assessed yet" in page
    Partnership.objects.filter(pk=p.pk).update(relationship_strength=0)
    client.force_login(officer)  # a new session: the page cache is per session
    page = client.get(reverse("partnerships:detail", args=[p.pk])).content.decode()
    assert "0 – None (by choice)" in page and "Not assessed yet" not in page


def test_the_form_offers_an_empty_not_assessed_choice(home):
    p = PartnershipFactory(home=home)
    form = PartnershipEditForm(instance=p)
    assert form.fields["relationship_strength"].choices[0] == ("", "Not assessed yet")
    field = form.fields["relationship_strength"]
    assert field.clean("") is None
    assert field.clean("0") == 0


def test_saving_the_edit_form_empty_leaves_it_not_assessed_and_0_is_kept(client, home, officer):
    p = PartnershipFactory(home=home, relationship_strength=4)
    client.force_login(officer)
    data = {
        "title": p.title,
        "summary": p.summary,
        "category": p.category,
        "phase": p.phase,
        "status": p.status,
        "relationship_strength": "",
        "review_cadence_months": p.review_cadence_months,
        "orientation": p.orientation,
    }
    response = client.post(reverse("partnerships:edit", args=[p.pk]), data)
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.relationship_strength is None
    data.update(relationship_strength="0")
    assert client.post(reverse("partnerships:edit", args=[p.pk]), data).status_code == 302
    p.refresh_from_db()
    assert p.relationship_strength == 0


def test_the_dossier_says_not_assessed_yet(home):
    p = PartnershipFactory(home=home)
    assert "Not assessed yet" in dossier.render_html(p)
    p.relationship_strength = 7
    p.save()
    assert "7 / 10" in dossier.render_html(p)


def test_the_export_leaves_the_cell_empty(home, officer):
    unassessed = PartnershipFactory(home=home, title="A unassessed")
    PartnershipFactory(home=home, title="B none", relationship_strength=0)
    rows = list(exports.partnership_rows(officer, Partnership.objects.all()))
    assert [r[13] for r in rows] == [None, 0]
    assert exports.csv_cell(rows[0][13]) == "" and rows[0][0] == unassessed.pk


def test_the_admin_list_says_it_filters_and_sorts_it(admin_client, home):
    PartnershipFactory(home=home, title="Unassessed")
    PartnershipFactory(home=home, title="None by choice", relationship_strength=0)
    PartnershipFactory(home=home, title="Partners", relationship_strength=9)
    changelist = reverse("admin:partnerships_partnership_changelist")
    page = admin_client.get(changelist).content.decode()
    assert "Not assessed yet" in page and "9 – Partner: pioneering" in page

    def titles(**params):
        response = admin_client.get(changelist, params)
        return [p.title for p in response.context["cl"].result_list]

    assert titles(strength="none") == ["Unassessed"]
    assert titles(strength="0") == ["None by choice"]
    assert titles(strength="partner") == ["Partners"]
    sorted_titles = titles(o="8")  # the strength column: not assessed first, then 0..10
    assert sorted_titles == ["Unassessed", "None by choice", "Partners"]


def test_the_api_gives_null(home, officer):
    p = PartnershipFactory(home=home)
    _token, key = account_services.api_token_create(user=officer, name="test", access="read")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    body = api.get(reverse("api:partnership_detail", args=[p.pk])).json()
    assert "relationship_strength" in body and body["relationship_strength"] is None


def test_the_migration_empties_only_zeros_never_assessed(home):
    never = PartnershipFactory(home=home, title="Never assessed")
    back_to_zero = PartnershipFactory(home=home, title="Assessed, then none")
    assessed = PartnershipFactory(home=home, title="Assessed 6")
    # As they were before the migration: 0 by default, with the history simple-history kept.
    for p in (never, back_to_zero, assessed):
        p.relationship_strength = 0
        p.save()
    back_to_zero.relationship_strength = 5
    back_to_zero.save()
    back_to_zero.relationship_strength = 0
    back_to_zero.save()
    assessed.relationship_strength = 6
    assessed.save()

    migration.unassessed_zeros_to_null(apps, None)
    strengths = dict(Partnership.objects.values_list("title", "relationship_strength"))
    assert strengths == {"Never assessed": None, "Assessed, then none": 0, "Assessed 6": 6}
    assert Partnership.objects.count() == 3  # every row kept

    migration.null_to_zero(apps, None)
    assert Partnership.objects.filter(relationship_strength__isnull=True).count() == 0
