"""Chamber staff sign up, wait, and are approved or rejected by an officer of their city."""

import pytest
from django.core.exceptions import ValidationError

from businesses import permissions, services
from businesses.models import ChamberMembership
from core.errors import DomainError
from tests.factories.accounts import UserFactory
from tests.factories.businesses import BusinessAssociationFactory, ChamberMembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def chamber(world):
    return BusinessAssociationFactory(
        organisation__partner=world.home, organisation__name="Nelson Mandela Bay Business Chamber"
    )


def sign_up(chamber, **fields):
    values = {
        "association": chamber,
        "username": "thandi",
        "email": "thandi@nmbbc.example.org",
        "password": PASSWORD,
        "first_name": "Thandi",
        "last_name": "Mokoena",
        "job_title": "Trade officer",
    }
    values.update(fields)
    return services.chamber_signup(**values)


def test_sign_up_makes_a_pending_account_that_can_sign_in_and_nothing_more(chamber, client):
    membership = sign_up(chamber)
    user = membership.user
    assert membership.status == ChamberMembership.Status.PENDING
    assert user.is_active and user.check_password(PASSWORD)
    assert user.job_title == "Trade officer"
    assert permissions.is_pending_chamber(user)
    assert not permissions.is_chamber_staff(user)
    assert client.login(username="thandi", password=PASSWORD)


def test_an_existing_account_may_ask_to_join(chamber):
    user = UserFactory()
    membership = services.chamber_signup(association=chamber, user=user)
    assert membership.user == user and membership.status == "pending"


def test_asking_twice_is_refused_with_a_clear_message(chamber):
    membership = sign_up(chamber)
    with pytest.raises(DomainError) as refused:
        services.chamber_signup(association=chamber, user=membership.user)
    assert refused.value.message == (
        "You have already asked to join Nelson Mandela Bay Business Chamber; the officers of "
        "Gqeberha will decide."
    )


def test_approved_staff_cannot_ask_again(chamber):
    user = ChamberMembershipFactory(association=chamber).user
    with pytest.raises(DomainError, match="already staff of Nelson Mandela Bay"):
        services.chamber_signup(association=chamber, user=user)


def test_a_rejected_request_may_be_made_again(chamber, world):
    membership = sign_up(chamber)
    services.chamber_membership_decide(
        membership=membership, user=world.home_officer, approve=False, note="Unknown to us."
    )
    again = services.chamber_signup(association=chamber, user=membership.user)
    assert again.pk == membership.pk
    assert (again.status, again.decided_by, again.decided_at, again.decision_note) == (
        "pending",
        None,
        None,
        "",
    )


def test_officers_do_not_double_as_chamber_staff(chamber, world):
    with pytest.raises(DomainError, match="account of their own"):
        services.chamber_signup(association=chamber, user=world.home_officer)


def test_sign_up_field_errors(chamber):
    UserFactory(username="taken", email="Known@Example.org")
    with pytest.raises(ValidationError) as error:
        sign_up(chamber, username="taken", email="known@example.org", password="123")
    errors = error.value.message_dict
    assert errors["email"] == [
        "An account with this email address exists: sign in and ask to join from it."
    ]
    assert errors["username"] == ["A user with that username already exists."]
    assert (
        "This password is too short. It must contain at least 8 characters." in errors["password"]
    )
    assert not ChamberMembership.objects.exists()


def test_an_officer_of_the_associations_city_approves(chamber, world):
    membership = sign_up(chamber)
    decided = services.chamber_membership_decide(
        membership=membership, user=world.home_officer, approve=True
    )
    assert decided.status == "approved"
    assert decided.decided_by == world.home_officer and decided.decided_at is not None
    user = decided.user
    assert permissions.is_chamber_staff(user) and not permissions.is_pending_chamber(user)
    assert permissions.is_staff_of(user, chamber)


def test_an_admin_approves_too(chamber, admin_user):
    membership = sign_up(chamber)
    services.chamber_membership_decide(membership=membership, user=admin_user, approve=True)


@pytest.mark.parametrize("who", ["away_officer", "stranger_officer"])
def test_officers_of_other_cities_may_not_decide(chamber, world, who):
    membership = sign_up(chamber)
    with pytest.raises(DomainError) as refused:
        services.chamber_membership_decide(
            membership=membership, user=getattr(world, who), approve=True
        )
    assert refused.value.message == (
        "Only an officer of Gqeberha or an admin may decide who works for Nelson Mandela Bay "
        "Business Chamber."
    )
    membership.refresh_from_db()
    assert membership.status == "pending"


def test_chamber_staff_may_not_approve_their_colleagues(chamber):
    colleague = ChamberMembershipFactory(association=chamber).user
    with pytest.raises(DomainError):
        services.chamber_membership_decide(
            membership=sign_up(chamber), user=colleague, approve=True
        )


def test_a_decided_request_is_not_decided_again(chamber, world):
    membership = sign_up(chamber)
    services.chamber_membership_decide(membership=membership, user=world.home_officer, approve=True)
    with pytest.raises(DomainError, match="already approved on"):
        services.chamber_membership_decide(
            membership=membership, user=world.home_officer, approve=False
        )


def test_officers_create_their_citys_associations(world):
    association = services.association_create(
        user=world.home_officer, partner=world.home, name="Eastern Cape Exporters' Club"
    )
    assert association.organisation.kind == "chamber"
    assert association.organisation.partner == world.home
    with pytest.raises(DomainError, match="Only officers of Gävle"):
        services.association_create(user=world.home_officer, partner=world.away, name="Gävle HK")
