"""The partnership list's bulk action "Assign an activity" (agenda.bulk): the same activity
on each selected partnership, a row refused when the assignee cannot see it, the others done."""

import datetime as dt

import pytest
from django.urls import reverse

from agenda.models import ScheduledActivity
from partnerships.views.bulk import REPORT_KEY
from tests.factories.partnerships import (
    NorthPartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)

pytestmark = pytest.mark.django_db


def test_assign_an_activity_to_several_with_one_refused_row(client, world):
    # A second partnership of the home city, with a city the away officer does not work for.
    other = PartnershipFactory(home=world.home, title="Gqeberha – Bergen")
    PartnershipMemberFactory(partnership=other, partner=NorthPartnerFactory(name="Bergen"))
    client.force_login(world.home_officer)
    ids = [world.partnership.pk, other.pk]
    due = (world.today + dt.timedelta(days=5)).isoformat()
    confirm = client.post(reverse("partnerships:bulk"), {"action": "activity", "ids": ids})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Assign an activity" in page and 'name="params-assignee"' in page
    response = client.post(
        reverse("partnerships:bulk"),
        {
            "action": "activity",
            "ids": ids,
            "confirm": "1",
            "params-kind": "follow_up",
            "params-summary": "Send the annual report",
            "params-assignee": world.away_officer.pk,
            "params-due_on": due,
        },
        follow=True,
    )
    got = client.session[REPORT_KEY]
    assert [r["title"] for r in got["done"]] == ["Gqeberha – Gävle"]
    assert got["done"][0]["text"].startswith("Scheduled for ")
    name = world.away_officer.get_full_name() or world.away_officer.username
    assert got["refused"] == [
        {
            "id": other.pk,
            "title": "Gqeberha – Bergen",
            "message": f"{name} cannot see “Gqeberha – Bergen”: choose an officer of one of its "
            "cities.",
            "reasons": [],
        }
    ]
    assert "Refused (1)" in response.content.decode()
    activity = ScheduledActivity.objects.get()
    assert (activity.partnership, activity.assignee, activity.kind) == (
        world.partnership,
        world.away_officer,
        "follow_up",
    )


def test_the_assignee_must_be_someone_the_person_works_with(client, world):
    client.force_login(world.home_officer)
    response = client.post(
        reverse("partnerships:bulk"),
        {
            "action": "activity",
            "ids": [world.partnership.pk],
            "confirm": "1",
            "params-kind": "call",
            "params-summary": "Call",
            "params-assignee": world.stranger_officer.pk,
            "params-due_on": "2099-01-01",
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not ScheduledActivity.objects.exists()
