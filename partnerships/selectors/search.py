"""Reads of steps 2-4: the criteria candidates are scored on, and the candidates' panel."""

from __future__ import annotations

from django.db.models import (
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)

from core.querysets import compiled_once
from partnerships.models import (
    ApproachContact,
    Candidate,
    CriterionScore,
    Partnership,
    PartnershipMember,
    StrategyCriterion,
    TwinningStrategy,
)
from partnerships.selectors.common import count_of


def criteria_of(partnership: Partnership | None) -> QuerySet[StrategyCriterion]:
    """The criteria a partnership's candidates are scored on: those of the strategy it serves
    or, before it is tied to one, of its home city's strategy in force."""
    if partnership is None or partnership.pk is None:
        return StrategyCriterion.objects.none()
    if partnership.strategy_id:
        return StrategyCriterion.objects.filter(strategy_id=partnership.strategy_id)
    return StrategyCriterion.objects.filter(
        strategy__status=TwinningStrategy.Status.IN_FORCE,
        strategy__partner__memberships__partnership=partnership,
        strategy__partner__memberships__role=PartnershipMember.Role.HOME,
    )


def candidates_for_page(partnership: Partnership) -> list[Candidate]:
    """Candidates with their approach, due diligence, feasibility and weighted score."""
    return _candidates(partnership.pk)


@compiled_once(maxsize=1, as_instances=True)
def _candidates(pk: int) -> QuerySet[Candidate]:
    scores = CriterionScore.objects.filter(candidate=OuterRef("pk")).order_by().values("candidate")
    return (
        Candidate.objects.filter(partnership_id=pk)
        .select_related("partner", "due_diligence", "feasibility")
        .annotate(
            n_contacts=count_of(ApproachContact.objects.filter(candidate=OuterRef("pk"))),
            last_response=Subquery(
                ApproachContact.objects.filter(candidate=OuterRef("pk"))
                .order_by("-contacted_on", "-id")
                .values("response")[:1]
            ),
            n_scores=count_of(CriterionScore.objects.filter(candidate=OuterRef("pk"))),
            weighted_score=Subquery(
                scores.annotate(t=Sum(F("score") * F("criterion__weight"))).values("t")
            ),
            weighted_max=Subquery(
                scores.annotate(t=Sum(F("criterion__max_score") * F("criterion__weight"))).values(
                    "t"
                )
            ),
        )
        .order_by("partner__name")
    )
