"""Chamber staff register member businesses' interest in a partnership; officers of its member
cities accept or decline it with a message; the chamber sees the status."""

import pytest
from django.core.exceptions import ValidationError

from businesses import permissions, selectors, services
from businesses.models import InterestedBusiness, InterestRegistration
from core.errors import DomainError
from partnerships.models import Partnership
from tests.factories.accounts import UserFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    chamber_staff,
    sectors,
)
from tests.factories.partnerships import PartnerFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chamber(world):
    return BusinessAssociationFactory(
        organisation__partner=world.home, organisation__name="NMB Business Chamber"
    )


@pytest.fixture
def staff(chamber):
    return chamber_staff(chamber)


@pytest.fixture
def citrus(chamber):
    return BusinessProfileFactory(association=chamber, organisation__name="Sundays River Citrus")


def register(chamber, partnership, user, businesses, **fields):
    values = {
        "association": chamber,
        "partnership": partnership,
        "user": user,
        "businesses": businesses,
        "objectives": "Find buyers for citrus in Sweden.",
        "sectors": sectors("A"),
        "offers": "Fresh citrus, year round.",
        "seeks": "Importers and distributors.",
        "timeframe": InterestRegistration.Timeframe.YEAR,
    }
    values.update(fields)
    return services.interest_register(**values)


def test_staff_register_interest_in_a_published_partnership(world, chamber, staff, citrus):
    other = BusinessProfileFactory(association=chamber)
    registration = register(chamber, world.partnership, staff, [citrus, other])
    assert registration.status == "pending"
    assert registration.created_by == staff
    assert set(registration.businesses.all()) == {citrus, other}
    assert list(registration.sectors.values_list("code", flat=True)) == ["A"]
    assert InterestedBusiness.objects.filter(partnership=world.partnership).count() == 2


def test_and_in_a_private_partnership_of_their_own_city(world, chamber, staff, citrus):
    own = PartnershipFactory(home=world.home, published=False)
    register(chamber, own, staff, [citrus])


def test_not_in_another_citys_private_partnership(world, chamber, staff, citrus):
    private = PartnershipFactory(home=PartnerFactory(), published=False)
    with pytest.raises(DomainError) as refused:
        register(chamber, private, staff, [citrus])
    assert refused.value.message == (
        "Interest can be registered in published partnerships and in those of your own city."
    )
    assert not permissions.can_register_interest(staff, chamber, private)
    assert permissions.can_register_interest(staff, chamber, world.partnership)


def test_only_the_associations_own_businesses(world, chamber, staff, citrus):
    stranger = BusinessProfileFactory(organisation__name="Someone Else's Firm")
    with pytest.raises(DomainError) as refused:
        register(chamber, world.partnership, staff, [citrus, stranger])
    assert refused.value.message == (
        "Only NMB Business Chamber's own member businesses can be registered: Someone Else's Firm."
    )
    assert not InterestRegistration.objects.exists()


def test_at_least_one_business(world, chamber, staff):
    with pytest.raises(ValidationError) as error:
        register(chamber, world.partnership, staff, [])
    assert error.value.message_dict == {"businesses": ["Choose at least one member business."]}


def test_the_same_interest_twice_is_refused_with_a_clear_message(world, chamber, staff, citrus):
    register(chamber, world.partnership, staff, [citrus])
    with pytest.raises(DomainError) as refused:
        register(
            chamber, world.partnership, staff, [citrus, BusinessProfileFactory(association=chamber)]
        )
    assert refused.value.message == (
        "The same interest cannot be registered twice; already registered in this partnership:"
    )
    assert len(refused.value.missing) == 1
    assert refused.value.missing[0].startswith("Sundays River Citrus (waiting for the officers,")
    assert InterestRegistration.objects.count() == 1


def test_a_declined_interest_is_not_registered_again(world, chamber, staff, citrus):
    registration = register(chamber, world.partnership, staff, [citrus])
    services.interest_decide(
        registration=registration, user=world.home_officer, accept=False, message="Not now."
    )
    with pytest.raises(DomainError, match="cannot be registered twice"):
        register(chamber, world.partnership, staff, [citrus])


def test_after_withdrawing_the_interest_may_be_registered_again(world, chamber, staff, citrus):
    registration = register(chamber, world.partnership, staff, [citrus])
    services.interest_withdraw(registration=registration, user=staff)
    registration.refresh_from_db()
    assert registration.status == "withdrawn"
    again = register(chamber, world.partnership, staff, [citrus])
    assert again.status == "pending"
    with pytest.raises(DomainError, match="nothing to withdraw"):
        services.interest_withdraw(registration=registration, user=staff)


@pytest.mark.parametrize("who", ["pending", "other_chamber", "officer"])
def test_only_approved_staff_register(world, chamber, citrus, who):
    user = {
        "pending": lambda: ChamberMembershipFactory(association=chamber, pending=True).user,
        "other_chamber": lambda: chamber_staff(),
        "officer": lambda: world.home_officer,
    }[who]()
    with pytest.raises(DomainError, match="Only approved staff of NMB Business Chamber"):
        register(chamber, world.partnership, user, [citrus])


def test_no_interest_in_an_ended_partnership(world, chamber, staff, citrus):
    Partnership.objects.filter(pk=world.partnership.pk).update(status="ended")
    world.partnership.refresh_from_db()
    with pytest.raises(DomainError, match="takes no new interest"):
        register(chamber, world.partnership, staff, [citrus])


@pytest.mark.parametrize("who", ["home_officer", "away_officer"])
def test_an_officer_of_either_member_city_accepts(world, chamber, staff, citrus, who):
    registration = register(chamber, world.partnership, staff, [citrus])
    officer = getattr(world, who)
    decided = services.interest_decide(
        registration=registration, user=officer, accept=True, message="Welcome aboard."
    )
    assert (decided.status, decided.officer_message, decided.decided_by) == (
        "accepted",
        "Welcome aboard.",
        officer,
    )
    assert decided.decided_at is not None


def test_declining_needs_a_message(world, chamber, staff, citrus):
    registration = register(chamber, world.partnership, staff, [citrus])
    with pytest.raises(ValidationError) as error:
        services.interest_decide(registration=registration, user=world.home_officer, accept=False)
    assert error.value.message_dict == {
        "officer_message": ["Tell the chamber why the interest is declined."]
    }
    registration.refresh_from_db()
    assert registration.status == "pending"


@pytest.mark.parametrize("who", ["stranger", "staff", "plain"])
def test_others_may_not_decide(world, chamber, staff, citrus, who):
    registration = register(chamber, world.partnership, staff, [citrus])
    user = {"stranger": world.stranger_officer, "staff": staff, "plain": UserFactory()}[who]
    with pytest.raises(DomainError, match="Only officers of the partner cities"):
        services.interest_decide(registration=registration, user=user, accept=True)
    assert not permissions.can_decide_interest(user, registration)


def test_a_decision_is_made_once(world, chamber, staff, citrus):
    registration = register(chamber, world.partnership, staff, [citrus])
    services.interest_decide(registration=registration, user=world.home_officer, accept=True)
    with pytest.raises(DomainError, match="already accepted"):
        services.interest_decide(
            registration=registration, user=world.away_officer, accept=False, message="No."
        )


def test_who_sees_a_registration(world, chamber, staff, citrus):
    registration = register(chamber, world.partnership, staff, [citrus])
    assert permissions.can_see_registration(staff, registration)
    assert permissions.can_see_registration(world.home_officer, registration)
    assert permissions.can_see_registration(world.away_officer, registration)
    assert not permissions.can_see_registration(world.stranger_officer, registration)
    assert not permissions.can_see_registration(chamber_staff(), registration)
    assert not permissions.can_see_registration(UserFactory(), registration)


def test_officers_see_the_new_registrations_and_the_chamber_its_own(world, chamber, staff, citrus):
    registration = register(chamber, world.partnership, staff, [citrus])
    other_chamber = BusinessAssociationFactory(organisation__partner=world.away)
    theirs = register(
        other_chamber,
        world.partnership,
        chamber_staff(other_chamber),
        [BusinessProfileFactory(association=other_chamber)],
    )
    assert list(selectors.registrations_for_officer(world.home_officer)) == [registration, theirs]
    assert list(selectors.registrations_for_officer(world.stranger_officer)) == []
    assert selectors.new_registrations_count(world.away_officer) == 2
    assert list(selectors.registrations_for_chamber(staff)) == [registration]
    services.interest_decide(registration=registration, user=world.home_officer, accept=True)
    assert list(selectors.registrations_for_officer(world.home_officer)) == [theirs]
    assert [r.status for r in selectors.registrations_for_chamber(staff)] == ["accepted"]
    assert set(selectors.registrations_for_officer(world.home_officer, status=None)) == {
        registration,
        theirs,
    }
