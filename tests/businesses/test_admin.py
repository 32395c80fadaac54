"""The admin pages of the businesses app open, and staff requests are decided there through
the service."""

import pytest
from django.urls import reverse

from businesses.models import ChamberMembership
from tests.factories.alliances import SubAllianceFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    InterestRegistrationFactory,
    OutcomeFactory,
    PartnershipLeadFactory,
    needs,
    sectors,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "need",
    "businessassociation",
    "chambermembership",
    "businessprofile",
    "interestregistration",
    "partnershiplead",
    "outcome",
]


@pytest.fixture
def rows(world):
    association = BusinessAssociationFactory(organisation__partner=world.home)
    business = BusinessProfileFactory(
        association=association, sectors=sectors("C"), seeks=needs("buyers")
    )
    ChamberMembershipFactory(association=association)
    ChamberMembershipFactory(association=association, pending=True)
    InterestRegistrationFactory(
        association=association, partnership=world.partnership, businesses=[business]
    )
    PartnershipLeadFactory(association=association)
    OutcomeFactory(sub_alliance=SubAllianceFactory(partnership=world.partnership, business=True))
    return association, business


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_add_page_opens(admin_client, rows, model):
    assert admin_client.get(reverse(f"admin:businesses_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:businesses_{model}_add")).status_code == 200


def test_the_change_pages_open(admin_client, rows):
    association, business = rows
    for name, pk in (("businessassociation", association.pk), ("businessprofile", business.pk)):
        assert (
            admin_client.get(reverse(f"admin:businesses_{name}_change", args=[pk])).status_code
            == 200
        )


@pytest.mark.parametrize(("action", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_staff_requests_are_decided_with_an_action(admin_client, admin_user, rows, action, status):
    pending = ChamberMembership.objects.get(status="pending")
    decided = ChamberMembership.objects.get(status="approved")
    response = admin_client.post(
        reverse("admin:businesses_chambermembership_changelist"),
        {"action": action, "_selected_action": [pending.pk, decided.pk]},
        follow=True,
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == (status, admin_user)
    text = response.content.decode()
    assert f"1 {status}." in text
    assert "This request was already approved on" in text


def test_interest_is_accepted_with_an_action(admin_client, admin_user, rows):
    registration = rows[0].registrations.get()
    admin_client.post(
        reverse("admin:businesses_interestregistration_changelist"),
        {"action": "accept", "_selected_action": [registration.pk]},
    )
    registration.refresh_from_db()
    assert (registration.status, registration.decided_by) == ("accepted", admin_user)


def test_the_association_page_asks_the_same_queries_for_2_or_10_staff(admin_client, rows):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    association, _ = rows
    url = reverse("admin:businesses_businessassociation_change", args=[association.pk])
    admin_client.get(url)  # warm Django's content-type cache, which the first request fills
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    for _ in range(8):
        ChamberMembershipFactory(association=association)
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(url).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_registration_page_asks_the_same_queries_for_1_or_10_businesses(admin_client, rows):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from businesses.models import InterestedBusiness

    association, _ = rows
    registration = association.registrations.get()
    url = reverse("admin:businesses_interestregistration_change", args=[registration.pk])
    admin_client.get(url)  # warm Django's content-type cache, which the first request fills
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    for _ in range(9):
        InterestedBusiness.objects.create(
            registration=registration,
            business=BusinessProfileFactory(association=association),
            partnership=registration.partnership,
        )
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(url).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


def test_a_business_is_added_to_a_registration_in_its_inline(admin_client, rows):
    """Found from outside: every new row of the inline was a 500 (the model's clean compared
    the row's partnership, which the inline's form has no field for, before it was set)."""
    from businesses.models import InterestedBusiness
    from tests.partnerships.test_admin import add_row, changeform_data

    association, _ = rows
    registration = association.registrations.get()
    url = reverse("admin:businesses_interestregistration_change", args=[registration.pk])
    data = changeform_data(admin_client, url)
    another = BusinessProfileFactory(association=association)
    add_row(data, "entries", business=another.pk)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    row = InterestedBusiness.objects.get(registration=registration, business=another)
    assert row.partnership_id == registration.partnership_id
