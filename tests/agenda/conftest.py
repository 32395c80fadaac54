import datetime as dt

import pytest
from django.utils import timezone

from agenda import services
from tests.factories.accounts import UserFactory
from tests.factories.alliances import SubAllianceFactory, Twinned


class Agenda(Twinned):
    """Twinned (Gqeberha – Gävle, an officer of each, an officer of a third city) with a
    sub-alliance, an admin and an account without a role."""

    def __init__(self):
        super().__init__()
        self.sub_alliance = SubAllianceFactory(partnership=self.partnership, name="Water utilities")
        self.admin = UserFactory(username="root", is_superuser=True, is_staff=True)
        self.plain = UserFactory(username="nobody")
        self.today = timezone.localdate()

    def schedule(self, *, by=None, to=None, days=3, **fields):
        values = {
            "kind": "call",
            "summary": "Call the water utility",
            "due_on": self.today + dt.timedelta(days=days),
            **fields,
        }
        return services.activity_schedule(
            user=by or self.home_officer,
            partnership=fields.pop("partnership", self.partnership),
            assignee=to or self.away_officer,
            **{k: v for k, v in values.items() if k != "partnership"},
        )


@pytest.fixture
def world(db):
    return Agenda()
