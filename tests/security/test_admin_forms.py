"""The admin's forms refuse what the portal's forms refuse: control characters in a person's
name (Django's own user forms lacked the check) and dates outside the years the portal accepts
(core.forms.check_dates, now on every admin form). Both were found from outside."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnerships.models import Partnership
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import PartnershipFactory
from tests.partnerships.test_admin import changeform_data

pytestmark = pytest.mark.django_db


def test_a_persons_name_refuses_control_characters_in_the_admin(admin_client):
    person = UserFactory(first_name="Karin")
    address = reverse("admin:accounts_user_change", args=[person.pk])
    data = {**changeform_data(admin_client, address), "first_name": "Ka\x07rin\x1b[31m"}
    response = admin_client.post(address, data)
    assert response.status_code == 200
    assert "control character" in str(response.context["adminform"].form.errors["first_name"])
    person.refresh_from_db()
    assert person.first_name == "Karin"


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31"])
def test_a_date_the_portal_refuses_is_refused_in_the_admin_too(admin_client, when):
    p = PartnershipFactory()
    address = reverse("admin:partnerships_partnership_change", args=[p.pk])
    data = {**changeform_data(admin_client, address), "next_review_on": when}
    response = admin_client.post(address, data)
    assert response.status_code == 200
    assert "Give a date between" in str(response.context["adminform"].form.errors)
    assert str(Partnership.objects.get(pk=p.pk).next_review_on) != when
