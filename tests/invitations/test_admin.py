"""The admin shows invitations, their sendings and requests to join; admins approve requests
of cities without a coordinator there."""

import pytest
from django.urls import reverse

from invitations import services
from invitations.models import Invitation, InvitationSending, JoinRequest
from partnerships.models import CityMembership
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Invitation, InvitationSending, JoinRequest])
def test_changelists_and_change_pages_render(client, world, model):
    services.invitation_send(city=world["home"], email="a@gz.example", by=world["coordinator"])
    services.join_request_create(city=world["other"], user=UserFactory())
    client.force_login(world["admin"])
    opts = model._meta
    listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert listing.status_code == 200
    obj = model.objects.first()
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert page.status_code == 200


def test_admin_approves_a_request_to_a_city_without_coordinator(client, world):
    person = UserFactory()
    join_request = services.join_request_create(city=world["other"], user=person)
    client.force_login(world["admin"])
    listing = client.get(reverse("admin:invitations_joinrequest_changelist"))
    assert reverse("invitations:join_decide", args=[join_request.pk]) in listing.content.decode()
    response = client.post(
        reverse("admin:invitations_joinrequest_changelist"),
        {"action": "approve", "_selected_action": [join_request.pk]},
    )
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert CityMembership.objects.get(user=person).role == CityMembership.Role.COORDINATOR
