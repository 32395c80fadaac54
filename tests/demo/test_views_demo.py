"""The chambers' demo data (`load_demo`): loaded through the services, twice without change,
and the pages show what it was designed to show."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from alliances.models import SubAlliance
from businesses import matching
from businesses.models import (
    BusinessProfile,
    ChamberMembership,
    InterestRegistration,
    Outcome,
    PartnershipLead,
)
from demo import dataset
from demo import partnerships as core_demo
from partnerships.models import Partnership

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("alliances", "businesses", "partnerships")
        for model in apps.get_app_config(app).get_models()
    }


def test_loads_twice_without_change_and_the_chamber_user_is_approved(client):
    first_output = load()
    first = counts()
    second_output = load()
    assert counts() == first
    assert "Chambers: 2 associations, 24 businesses added" in first_output
    assert "Chambers: 2 associations, 0 businesses added, 0 interest registrations" in (
        second_output
    )
    assert BusinessProfile.objects.count() == 24
    staff = ChamberMembership.objects.get(user__username="bkcb_member")
    assert staff.status == ChamberMembership.Status.APPROVED
    assert staff.association.name == "Border-Kei Chamber of Business"
    assert ChamberMembership.objects.get(user__username="gavle_chamber").status == "pending"
    statuses = set(InterestRegistration.objects.values_list("status", flat=True))
    assert statuses == {"pending", "accepted"}
    assert PartnershipLead.objects.get().target.name == "Rotterdam"
    sub_alliance = SubAlliance.objects.get(name=dataset.get().chambers.sub_alliance["name"])
    assert sub_alliance.startup_tasks.filter(done=True).count() == 2
    assert sub_alliance.scorecard.count() == 3
    assert Outcome.objects.filter(sub_alliance=sub_alliance).count() == 4

    # The pages show it: the chamber signs in and sees its businesses and registrations.
    assert client.login(username="bkcb_member", password=core_demo.DEMO_PASSWORD)
    page = client.get(reverse("businesses:business_list"))
    assert page.status_code == 200 and "Amathole Citrus Packers" in page.content.decode()
    page = client.get(reverse("businesses:my_registrations"))
    assert "Accepted" in page.content.decode()
    # The officer's matchmaking finds good pairs (the best is already a sub-alliance).
    client.logout()
    assert client.login(username="bc_officer", password=core_demo.DEMO_PASSWORD)
    pair = Partnership.objects.get(pk=sub_alliance.partnership_id)
    page = client.get(reverse("businesses:matchmaking", args=[pair.pk]))
    assert page.status_code == 200
    assert page.context["rows"][0]["s"].score >= 80

    # Designed so: the packhouse and the Nordic importer are the best pair of all (once their
    # sub-alliance has ended, the matchmaking suggests them again, first).
    SubAlliance.objects.filter(pk=sub_alliance.pk).update(status="ended")
    best = matching.suggest_business_pairs(pair, limit=5)
    assert {best[0].first.name, best[0].second.name} == {
        "Amathole Citrus Packers",
        "Testeboån Food Import AB",
    }
    assert best[0].score > best[1].score
