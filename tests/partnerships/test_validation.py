"""Bad input gets a clear message on the field, and nothing half-saved."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.errors import DomainError
from partnerships import services
from partnerships.models import KPI, MOU, Candidate, CriterionScore, Partnership
from tests.factories.partnerships import (
    CandidateFactory,
    KPIFactory,
    MOUFactory,
    PartnerFactory,
    PartnershipFactory,
    StrategyCriterionFactory,
)

pytestmark = pytest.mark.django_db


def test_expiry_before_effective_date_is_a_field_error():
    mou = MOU(
        partnership=PartnershipFactory(),
        effective_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        mou.full_clean()
    assert error.value.message_dict["expires_on"] == [
        "The expiry date must be after the effective date."
    ]


def test_the_database_refuses_expiry_before_effective_date_too():
    with pytest.raises(IntegrityError), transaction.atomic():
        MOUFactory(effective_on=dt.date(2025, 1, 1), expires_on=dt.date(2024, 1, 1))


def test_a_signed_mou_needs_its_dates():
    mou = MOUFactory(status=MOU.Status.DRAFT, expires_on=None, signed_on=None)
    with pytest.raises(DomainError) as refused:
        services.mou_sign(mou=mou)
    assert refused.value.missing == ["expires_on: A signed MOU needs this date."]
    mou.refresh_from_db()
    assert mou.status == MOU.Status.DRAFT


def test_only_one_signed_mou_at_a_time():
    signed = MOUFactory()
    draft = MOUFactory(partnership=signed.partnership, status=MOU.Status.DRAFT)
    with pytest.raises(DomainError, match="already has a signed MOU"):
        services.mou_sign(mou=draft)


def test_a_signed_mou_is_not_signed_again():
    """Found from outside: two clicks on "Sign" each signed it, the last date winning, and a
    terminated MOU could be signed again; the service now reads the status on the locked row."""
    draft = MOUFactory(status=MOU.Status.DRAFT, signed_on=None)
    services.mou_sign(mou=draft, signed_on=dt.date(2026, 11, 20))
    stale = MOU.objects.get(pk=draft.pk)
    stale.status = MOU.Status.DRAFT  # what a page drawn before the first click holds
    with pytest.raises(DomainError, match="no longer a draft"):
        services.mou_sign(mou=stale, signed_on=dt.date(2026, 12, 1))
    draft.refresh_from_db()
    assert (draft.status, draft.signed_on) == (MOU.Status.SIGNED, dt.date(2026, 11, 20))
    MOU.objects.filter(pk=draft.pk).update(status=MOU.Status.TERMINATED)
    with pytest.raises(DomainError, match="no longer a draft"):
        services.mou_sign(mou=draft)


def test_a_score_outside_the_criterions_range_is_a_field_error():
    criterion = StrategyCriterionFactory(max_score=5)
    score = CriterionScore(candidate=CandidateFactory(), criterion=criterion, score=6)
    with pytest.raises(ValidationError) as error:
        score.full_clean()
    assert error.value.message_dict["score"] == ["Score must be between 0 and 5."]


@pytest.mark.parametrize("strength", [-1, 11])
def test_strength_outside_0_to_10_is_a_field_error(strength):
    partnership = PartnershipFactory.build(relationship_strength=strength)
    with pytest.raises(ValidationError) as error:
        partnership.full_clean()
    assert "relationship_strength" in error.value.message_dict


def test_the_database_refuses_strength_above_10():
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(title="x", category="mic", relationship_strength=11)


@pytest.mark.parametrize("unit", ["", "   "])
def test_a_kpi_without_a_unit_is_a_field_error(unit):
    kpi = KPI(partnership=PartnershipFactory(), name="Visits", unit=unit, target=3)
    with pytest.raises(ValidationError) as error:
        kpi.full_clean()
    assert "unit" in error.value.message_dict


def test_the_database_refuses_a_kpi_without_a_unit():
    with pytest.raises(IntegrityError), transaction.atomic():
        KPIFactory(unit="")


def test_a_candidate_that_is_already_a_member_is_refused():
    home = PartnerFactory()
    partnership = PartnershipFactory(home=home)
    with pytest.raises(DomainError, match="already a member"):
        services.candidate_add(partnership=partnership, partner=home, rationale="x")
    assert not Candidate.objects.exists()


def test_the_same_candidate_twice_is_a_clear_error():
    candidate = CandidateFactory()
    with pytest.raises(ValidationError) as error:
        services.candidate_add(
            partnership=candidate.partnership, partner=candidate.partner, rationale="again"
        )
    assert "This city is already a candidate." in error.value.messages


def test_a_failed_partnership_create_leaves_nothing_behind():
    with pytest.raises(ValidationError):
        services.partnership_create(home=PartnerFactory(), title="", category="not-a-category")
    assert not Partnership.objects.exists()
