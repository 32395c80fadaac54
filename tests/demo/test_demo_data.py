"""`load_demo`: a realistic dataset built through the real workflow, and safe to load twice."""

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from demo import dataset
from demo import partnerships as demo
from partnerships import workflow
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    CityMembership,
    MoveConfirmation,
    OfflineConfirmation,
    Partner,
    Partnership,
    StepTransition,
    TwinningStrategy,
)

pytestmark = pytest.mark.django_db
demo_data = dataset.get()


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every partnerships model (history and M2M tables included) and of users."""
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("partnerships").get_models(include_auto_created=True)
    }
    counts["accounts.User"] = User.objects.count()
    return counts


@pytest.fixture
def loaded(demo_loaded) -> str:
    """The demo data, loaded once for the module (tests/worlds.py): the output of that load."""
    return demo_loaded


def test_a_second_load_changes_no_counts_and_keeps_the_logins_working(loaded, client):
    first = row_counts()
    again = load()

    assert row_counts() == first
    assert "0 partnerships walked (38 already there)" in again
    assert first["partnerships.Partnership"] == len(demo_data.partnerships)
    for spec in demo_data.users:
        assert client.login(username=spec["username"], password=demo.DEMO_PASSWORD)
        client.logout()
    # The logins table is printed.
    assert "bc_officer" in again and demo.DEMO_PASSWORD in again


def test_every_partnership_walked_a_consistent_chain_to_its_step(loaded):
    for partnership in Partnership.objects.prefetch_related("transitions"):
        moves = sorted(partnership.transitions.all(), key=lambda m: (m.at, m.id))
        assert [(m.from_step, m.to_step) for m in moves] == [
            (s, s + 1) for s in range(1, partnership.step)
        ], partnership.title
        assert {m.kind for m in moves} <= {StepTransition.Kind.ADVANCE}
        if moves:
            assert moves[-1].at == partnership.step_entered_at, partnership.title
        assert partnership.step_entered_at < timezone.now()
        # Every gate it passed is still met by what it holds (an ended partnership's MOU has
        # since been terminated, so its agreement gate no longer is).
        for step in range(1, partnership.step):
            if step == 6 and partnership.status == Partnership.Status.ENDED:
                continue
            unmet = [r.text for r in workflow.requirements(partnership, step) if not r.met]
            assert unmet == [], (partnership.title, step, unmet)

    for entry in demo_data.partnerships:
        partnership = Partnership.objects.get(title=entry["title"])
        assert partnership.step == entry["step"]
        assert partnership.status == entry["status"]
        assert partnership.relationship_strength == entry["strength"]
        counterparts = set(
            partnership.members.filter(role="counterpart").values_list("partner__name", flat=True)
        )
        assert counterparts == set(entry["counterparts"])
        assert partnership.champions.filter(name=entry["champion"]["name"]).exists()


def test_the_dataset_is_varied_and_shows_the_warning_signs(loaded):
    assert Partner.objects.count() >= 40
    assert Partner.objects.values("country").distinct().count() >= 15
    assert Partnership.objects.count() >= 25
    assert set(Partnership.objects.values_list("step", flat=True)) == set(range(1, 9))
    assert set(Partnership.objects.values_list("category", flat=True)) == set(
        Partnership.Category.values
    )
    cape_town = Partner.objects.get(name="Cape Town")
    assert cape_town.country.code == "ZA"
    assert set(cape_town.sectors.values_list("code", flat=True)) == {"I", "K", "J", "H"}
    for home in {p["home"] for p in demo_data.partnerships}:
        strategy = TwinningStrategy.objects.get(partner__name=home, status="in_force")
        assert home in strategy.vision
        assert strategy.criteria.count() == len(demo_data.strategy_criteria)
    # Each says what it measures: step 2's suggestions score exactly that.
    assert dict(strategy.criteria.values_list("name", "measure")) == {
        "Complementary economy": "complementary_sectors",
        "Similar size and challenges": "size",
        "Existing community ties": "ties",
        "Shared port and logistics interests": "shared_sectors",
        "Commitment of leadership": "judgement",
    }

    today = timezone.localdate()
    signed = MOU.objects.filter(status=MOU.Status.SIGNED)
    assert signed.filter(expires_on__range=(today, today + dt.timedelta(days=90))).count() >= 2
    assert signed.filter(expires_on__lt=today).count() >= 1
    assert Partnership.objects.filter(next_review_on__lt=today, status="active").exists()
    recent = Activity.objects.filter(occurred_on__gte=today - dt.timedelta(days=90))
    quiet = Partnership.objects.filter(step__gte=7, status="active").exclude(activities__in=recent)
    assert quiet.exists()
    stalled = Partnership.objects.filter(
        step__lte=6, step_entered_at__lt=timezone.now() - dt.timedelta(days=180)
    )
    assert stalled.exists()
    agreed = Partnership.objects.filter(step__gte=6)
    assert 0.3 <= agreed.filter(published=True).count() / agreed.count() <= 0.7


def test_the_demo_users_and_the_twinned_pair(loaded):
    for city in demo_data.twinned_pair:
        assert CityMembership.objects.filter(
            partner__name=city, role=CityMembership.Role.OFFICER
        ).exists()
    home, counterpart = demo_data.twinned_pair
    pair = Partnership.objects.get(members__partner__name=home, title__contains=counterpart)
    # Both sides confirmed the joint sign-off steps the pair passed.
    assert set(pair.confirmations.values_list("partner__name", flat=True)) == {home, counterpart}

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    coordinator = CityMembership.objects.get(user__username="bc_coordinator")
    assert coordinator.role == CityMembership.Role.COORDINATOR
    chamber = User.objects.get(username="bkcb_member")
    assert chamber.is_active and not chamber.is_staff
    assert not CityMembership.objects.filter(user=chamber).exists()


def test_every_demo_city_carries_its_place_in_the_gazetteer(loaded):
    places = dict(Partner.objects.values_list("name", "geonameid"))
    assert {c["name"]: c["geonameid"] for c in demo_data.cities}.items() <= places.items()
    durban = Partner.objects.get(name="eThekwini")
    assert durban.geonameid == 1007311  # Durban's place: one of its names is eThekwini


def test_the_demo_shows_both_kinds_of_confirmation(loaded):
    """The twinned pair confirm through their officers; a city with no officer in the portal
    confirmed on paper, recorded by the home side with its signed PDF."""
    assert MoveConfirmation.objects.exists()
    offline = list(OfflineConfirmation.objects.select_related("partner"))
    assert offline
    assert not CityMembership.objects.filter(partner__in=[c.partner for c in offline]).exists()
    for confirmation in offline:
        confirmation.full_clean()  # the evidence is a readable PDF, the date not ahead


def test_every_demo_kpi_has_a_target_date_after_its_start(loaded):
    """Issue 19: the demo's reviews read each KPI against the share of its target due."""
    kpis = list(KPI.objects.all())
    assert kpis
    assert all(k.target_date and k.start_date < k.target_date for k in kpis)


def test_the_demo_has_a_pending_invitation_to_a_city_without_officers(loaded):
    from invitations.models import Invitation

    [invitation] = Invitation.objects.all()
    assert invitation.is_pending and invitation.partnership is not None
    assert not CityMembership.objects.filter(partner=invitation.city).exists()
    assert invitation.partnership.members.filter(partner=invitation.city).exists()


def test_the_demo_schedules_activities_for_the_pairs_officers_once(loaded):
    from agenda.models import ScheduledActivity

    assert "Scheduled activities: 4 scheduled" in loaded
    activities = list(ScheduledActivity.objects.all())
    assert len(activities) == 4 and sum(a.sub_alliance_id is not None for a in activities) == 1
    assert all(a.assignee_id for a in activities) and not any(a.is_done for a in activities)
    assert "Scheduled activities: 0 scheduled" in load()
    assert ScheduledActivity.objects.count() == 4
