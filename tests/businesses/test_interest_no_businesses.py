"""Registering interest when the chamber has no member business yet (issue 15): the page says
so plainly with a link to add one, and a post is refused with that message, what was typed
kept and nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from businesses.models import InterestRegistration
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    chamber_staff,
)

pytestmark = pytest.mark.django_db

NO_BUSINESSES = "Your chamber has no member businesses yet"


@pytest.fixture
def staff(world):
    return chamber_staff(BusinessAssociationFactory(organisation__partner=world.home))


def test_the_form_says_there_is_no_member_business_and_links_to_adding_one(client, staff):
    client.force_login(staff)
    page = client.get(reverse("businesses:interest_register")).content.decode()
    assert NO_BUSINESSES in page
    assert f'href="{reverse("businesses:business_create")}"' in page
    assert f'href="{reverse("businesses:business_import")}"' in page


def test_posting_is_refused_with_the_message_and_keeps_what_was_typed(client, world, staff):
    client.force_login(staff)
    data = {
        "partnership": world.partnership.pk,
        "objectives": "Find buyers for our citrus in Sweden.",
        "offers": "Citrus, all year",
        "timeframe": InterestRegistration.Timeframe.SOON,
    }
    response = client.post(reverse("businesses:interest_register"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(NO_BUSINESSES in e for e in form.non_field_errors())
    page = response.content.decode()
    assert "Find buyers for our citrus in Sweden." in page and "Citrus, all year" in page
    assert not InterestRegistration.objects.exists()


def test_with_a_member_business_the_message_is_gone(client, staff):
    BusinessProfileFactory(association=staff.chamber_memberships.get().association)
    client.force_login(staff)
    page = client.get(reverse("businesses:interest_register")).content.decode()
    assert NO_BUSINESSES not in page
