"""`seed_synthetic`: synthetic benchmark data in bulk, every step present, safe to run twice."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from partnerships.models import MOU, Activity, Partner, Partnership, PartnershipMember, Step

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_synthetic", *args, stdout=out)
    return out.getvalue()


def test_seeds_exactly_n_partnerships_with_members_at_every_step():
    output = seed("--partnerships", "200")

    partnerships = Partnership.objects.annotate(
        homes=Count("members", filter=Q(members__role=PartnershipMember.Role.HOME)),
        counterparts=Count("members", filter=Q(members__role=PartnershipMember.Role.COUNTERPART)),
    )
    assert partnerships.count() == 200
    assert set(partnerships.values_list("step", flat=True)) == set(Step.values)
    assert set(partnerships.values_list("category", flat=True)) == set(Partnership.Category.values)
    assert not partnerships.exclude(homes=1).exists()
    assert not partnerships.filter(step__gte=4).exclude(counterparts=1).exists()
    assert not partnerships.filter(step__lt=4).exclude(counterparts=0).exists()
    # A signed MOU from step 6 on; activities only for partnerships in implementation or later.
    assert not partnerships.filter(step__gte=6).exclude(mous__status=MOU.Status.SIGNED).exists()
    assert Activity.objects.count() == 200 * 20
    assert not Activity.objects.filter(partnership__step__lt=7).exists()
    # Each partnership's transitions run 1→2→…→step, the last one when it entered the step.
    for partnership in partnerships.prefetch_related("transitions")[:40]:
        moves = sorted(partnership.transitions.all(), key=lambda m: m.at)
        assert [(m.from_step, m.to_step) for m in moves] == [
            (s, s + 1) for s in range(1, partnership.step)
        ]
        if moves:
            assert moves[-1].at == partnership.step_entered_at
    assert Partner.objects.filter(name__startswith="Synthcity ").count() == 300
    assert "200 partnerships" in output


def test_a_second_run_adds_a_new_batch_without_collisions():
    seed("--partnerships", "50", "--cities", "20", "--activities", "10", "--reviews", "5")
    seed("--partnerships", "50", "--cities", "20", "--activities", "10", "--reviews", "5")

    assert Partnership.objects.count() == 100
    names = list(
        Partner.objects.filter(name__startswith="Synthcity ").values_list("name", flat=True)
    )
    assert len(names) == len(set(names)) == 40
    assert "Synthcity 00039" in names


def test_businesses_are_seeded_with_their_chambers():
    from businesses.models import BusinessProfile

    output = seed("--partnerships", "8", "--cities", "40", "--businesses", "100")
    assert Partnership.objects.count() == 8
    assert BusinessProfile.objects.count() == 100
    # Every business belongs to a chamber of its own city.
    assert not BusinessProfile.objects.exclude(
        organisation__partner=F("association__organisation__partner")
    ).exists()
    assert "100 businesses" in output


def test_nothing_to_seed_is_refused():
    with pytest.raises(CommandError, match="at least one partnership"):
        seed("--partnerships", "0")
