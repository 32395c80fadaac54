import pytest

from partnerships.models import CityMembership
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)


@pytest.fixture
def world(db):
    """Guangzhou (a coordinator, an officer) twinned with Los Angeles (no officer yet) in P;
    an officer of an unrelated city."""
    home, other, unrelated = (
        PartnerFactory(name="Guangzhou"),
        PartnerFactory(name="Los Angeles"),
        (PartnerFactory(name="Durban")),
    )
    partnership = PartnershipFactory(home=home, title="Guangzhou – Los Angeles")
    PartnershipMemberFactory(partnership=partnership, partner=other)
    coordinator = CityMembershipFactory(partner=home, role=CityMembership.Role.COORDINATOR).user
    officer = CityMembershipFactory(partner=home).user
    stranger = CityMembershipFactory(partner=unrelated).user
    admin = UserFactory(is_superuser=True, is_staff=True, email="admin@example.org")
    return {
        "home": home,
        "other": other,
        "unrelated": unrelated,
        "partnership": partnership,
        "coordinator": coordinator,
        "officer": officer,
        "stranger": stranger,
        "admin": admin,
    }
