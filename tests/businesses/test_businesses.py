"""Business profiles are managed by their association's approved staff."""

import pytest
from django.core.exceptions import ValidationError

from businesses import permissions, services
from businesses.models import BusinessProfile
from core.errors import DomainError
from tests.factories.accounts import UserFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    chamber_staff,
    needs,
    sectors,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chamber(world):
    return BusinessAssociationFactory(organisation__partner=world.home)


def create(chamber, user, **fields):
    values = {
        "association": chamber,
        "user": user,
        "name": "Sundays River Citrus",
        "size_band": "medium",
        "sectors": sectors("A", "C"),
        "seeks": needs("buyers"),
        "offers": needs("suppliers"),
        "products_services": "Fresh citrus and juice concentrate",
        "export_readiness": "exporting",
        "contact_name": "Sipho Ndlovu",
        "contact_email": "sipho@src.example.org",
    }
    values.update(fields)
    return services.business_create(**values)


def test_staff_create_a_business_in_their_associations_city(chamber, world):
    staff = chamber_staff(chamber)
    business = create(chamber, staff)
    assert business.organisation.kind == "business"
    assert business.organisation.partner == world.home
    assert sorted(business.organisation.sectors.values_list("code", flat=True)) == ["A", "C"]
    assert list(business.seeks.values_list("code", flat=True)) == ["buyers"]
    assert list(business.offers.values_list("code", flat=True)) == ["suppliers"]
    assert business.created_by == staff
    assert permissions.can_manage_business(staff, business)


def test_the_same_business_is_never_created_twice(chamber):
    staff = chamber_staff(chamber)
    create(chamber, staff)
    with pytest.raises(ValidationError) as error:
        create(chamber, staff, name="  sundays RIVER citrus")
    assert error.value.message_dict == {
        "name": ["An organisation of this name already exists in this city."]
    }
    assert BusinessProfile.objects.count() == 1


def test_bad_values_are_field_errors_and_nothing_is_saved(chamber):
    with pytest.raises(ValidationError) as error:
        create(chamber, chamber_staff(chamber), size_band="huge", contact_email="nope")
    assert set(error.value.message_dict) == {"size_band", "contact_email"}
    assert not BusinessProfile.objects.exists()


@pytest.mark.parametrize("who", ["pending", "other_chamber", "officer", "plain"])
def test_only_approved_staff_of_the_association_manage_it(chamber, world, who):
    user = {
        "pending": lambda: ChamberMembershipFactory(association=chamber, pending=True).user,
        "other_chamber": lambda: chamber_staff(),
        "officer": lambda: world.home_officer,
        "plain": UserFactory,
    }[who]()
    with pytest.raises(DomainError) as refused:
        create(chamber, user)
    assert refused.value.message == (
        f"Only approved staff of {chamber.name} may manage its businesses."
    )


def test_staff_update_their_businesses(chamber):
    staff = chamber_staff(chamber)
    business = create(chamber, staff)
    updated = services.business_update(
        business=business,
        user=staff,
        name="Sundays River Citrus Co-op",
        size_band="large",
        sectors=sectors("A"),
        seeks=needs("investment", "technology"),
    )
    assert updated.organisation.name == "Sundays River Citrus Co-op"
    assert updated.size_band == "large"
    assert list(updated.organisation.sectors.values_list("code", flat=True)) == ["A"]
    assert sorted(updated.seeks.values_list("code", flat=True)) == ["investment", "technology"]
    assert list(updated.offers.values_list("code", flat=True)) == ["suppliers"]  # untouched


def test_an_update_cannot_move_a_business_to_another_association(chamber):
    staff = chamber_staff(chamber)
    business = create(chamber, staff)
    with pytest.raises(DomainError, match="cannot be changed here: association"):
        services.business_update(business=business, user=staff, association=chamber)
    with pytest.raises(DomainError):
        services.business_update(business=business, user=chamber_staff(), size_band="micro")


def test_renaming_onto_another_business_is_a_field_error(chamber):
    staff = chamber_staff(chamber)
    BusinessProfileFactory(association=chamber, organisation__name="Algoa Logistics")
    business = create(chamber, staff)
    with pytest.raises(ValidationError) as error:
        services.business_update(business=business, user=staff, name="ALGOA logistics")
    assert error.value.message_dict == {
        "name": ["An organisation of this name already exists in this city."]
    }


def test_who_sees_a_business(chamber, world):
    business = BusinessProfileFactory(association=chamber)
    assert permissions.can_see_business(chamber_staff(chamber), business)
    assert permissions.can_see_business(world.home_officer, business)
    assert permissions.can_see_business(world.away_officer, business)  # partner city
    assert not permissions.can_see_business(world.stranger_officer, business)
    assert not permissions.can_see_business(chamber_staff(), business)
    assert not permissions.can_see_business(UserFactory(), business)
