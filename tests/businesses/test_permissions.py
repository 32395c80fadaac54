"""Who is chamber staff, who is only waiting, and what each may see."""

import pytest

from businesses import permissions
from businesses.models import ChamberMembership
from tests.factories.accounts import UserFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    PartnershipLeadFactory,
)

pytestmark = pytest.mark.django_db


def test_roles_by_membership_status():
    approved = ChamberMembershipFactory().user
    pending = ChamberMembershipFactory(pending=True).user
    rejected = ChamberMembershipFactory(
        status=ChamberMembership.Status.REJECTED, decided_at="2025-01-01T00:00:00Z"
    ).user
    plain = UserFactory()
    assert [permissions.is_chamber_staff(u) for u in (approved, pending, rejected, plain)] == [
        True,
        False,
        False,
        False,
    ]
    assert [permissions.is_pending_chamber(u) for u in (approved, pending, rejected, plain)] == [
        False,
        True,
        False,
        False,
    ]


def test_staff_of_one_association_waiting_for_another_is_staff():
    user = ChamberMembershipFactory().user
    ChamberMembershipFactory(user=user, pending=True)
    assert permissions.is_chamber_staff(user) and not permissions.is_pending_chamber(user)


def test_anonymous_users_have_no_role(client):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not permissions.is_chamber_staff(anonymous)
    assert not permissions.is_pending_chamber(anonymous)


def test_staff_manage_their_own_associations_businesses_only(admin_user):
    membership = ChamberMembershipFactory()
    ours = BusinessProfileFactory(association=membership.association)
    theirs = BusinessProfileFactory()
    assert permissions.can_manage_business(membership.user, ours)
    assert not permissions.can_manage_business(membership.user, theirs)
    assert permissions.can_manage_business(admin_user, theirs)
    pending = ChamberMembershipFactory(association=membership.association, pending=True).user
    assert not permissions.can_manage_business(pending, ours)


def test_staff_requests_are_decided_by_officers_of_the_associations_city(world, admin_user):
    association = BusinessAssociationFactory(organisation__partner=world.home)
    request = ChamberMembershipFactory(association=association, pending=True)
    assert permissions.can_decide_membership(world.home_officer, request)
    assert permissions.can_decide_membership(admin_user, request)
    assert not permissions.can_decide_membership(world.away_officer, request)
    assert not permissions.can_decide_membership(
        ChamberMembershipFactory(association=association).user, request
    )


def test_leads_are_seen_by_their_chamber_and_their_home_citys_officers(world):
    lead = PartnershipLeadFactory(association__organisation__partner=world.home)
    staff = ChamberMembershipFactory(association=lead.association).user
    assert permissions.can_see_lead(staff, lead) and not permissions.can_decide_lead(staff, lead)
    assert permissions.can_see_lead(world.home_officer, lead)
    assert permissions.can_decide_lead(world.home_officer, lead)
    assert not permissions.can_see_lead(world.away_officer, lead)
