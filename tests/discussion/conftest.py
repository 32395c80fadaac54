import pytest

from tests.factories.accounts import UserFactory
from tests.factories.alliances import SubAllianceFactory, Twinned


class Discussion(Twinned):
    """Twinned (Gqeberha – Gävle, an officer of each, an officer of a third city) with a
    sub-alliance of the partnership, an admin and a user without a city; usernames fixed so
    that comments can mention them."""

    def __init__(self):
        super().__init__()
        for user, name in [
            (self.home_officer, "thandi"),
            (self.away_officer, "astrid"),
            (self.stranger_officer, "pieter"),
        ]:
            user.username = name
            user.save(update_fields=["username"])
        self.sub_alliance = SubAllianceFactory(partnership=self.partnership, name="Water utilities")
        self.admin = UserFactory(username="root", is_superuser=True, is_staff=True)
        self.plain = UserFactory(username="nobody")


@pytest.fixture
def world(db):
    return Discussion()


@pytest.fixture
def events(replace_hook):
    """The partnership events emitted (after commit), in order."""
    told = []
    replace_hook("partnership.events", [told.append])
    return told
