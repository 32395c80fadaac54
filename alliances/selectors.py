"""Reads of organisations and sub-alliances, shaped so that pages ask a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Prefetch, QuerySet

from alliances.models import (
    Organisation,
    ScorecardMeasure,
    StartUpTask,
    StrengthRecord,
    SubAlliance,
    SubAllianceParty,
)
from partnerships.models import Partnership
from partnerships.selectors import count_of


def parties_prefetch() -> Prefetch:
    """A sub-alliance's parties with their organisation and side, in one query."""
    return Prefetch(
        "parties",
        queryset=SubAllianceParty.objects.select_related("organisation", "partner").order_by(
            "partner__name", "organisation__name"
        ),
    )


def sub_alliances_of(partnership: Partnership | int) -> QuerySet[SubAlliance]:
    """The partnership's sub-alliances for its list: parties (one query) and the progress of
    the start-up tasks and the size of the scorecard (in the row). Two queries in all."""
    return with_progress(SubAlliance.objects.filter(partnership=partnership)).order_by(
        "status", "name"
    )


def with_progress(qs: QuerySet[SubAlliance]) -> QuerySet[SubAlliance]:
    """Sub-alliance rows with their parties (one query) and, in the row, the progress of their
    start-up tasks (`n_tasks`, `n_tasks_done`) and the size of their scorecard (`n_measures`)."""
    return qs.annotate(
        n_tasks=count_of(StartUpTask.objects.filter(sub_alliance=OuterRef("pk"))),
        n_tasks_done=count_of(StartUpTask.objects.filter(sub_alliance=OuterRef("pk"), done=True)),
        n_measures=count_of(ScorecardMeasure.objects.filter(sub_alliance=OuterRef("pk"))),
    ).prefetch_related(parties_prefetch())


def sub_alliance_for_page(pk: int) -> SubAlliance:
    """One sub-alliance with everything its page shows: partnership, parties, start-up tasks,
    scorecard and strength history, in five queries. Raises DoesNotExist."""
    return (
        SubAlliance.objects.select_related("partnership", "created_by")
        .prefetch_related(
            parties_prefetch(),
            Prefetch("startup_tasks", queryset=StartUpTask.objects.order_by("position")),
            Prefetch(
                "scorecard",
                queryset=ScorecardMeasure.objects.select_related(
                    "added_by_partner", "added_by"
                ).order_by("dimension", "name"),
            ),
            Prefetch(
                "strength_records",
                queryset=StrengthRecord.objects.select_related("recorded_by").order_by(
                    "-recorded_at", "-id"
                ),
            ),
        )
        .get(pk=pk)
    )


def organisations_of(partner_ids: Iterable[int], kind: str | None = None) -> QuerySet[Organisation]:
    """Organisations of some cities (e.g. a partnership's member cities, to choose parties),
    with their city and sectors: two queries."""
    qs = Organisation.objects.filter(partner_id__in=list(partner_ids))
    if kind:
        qs = qs.filter(kind=kind)
    return (
        qs.select_related("partner").prefetch_related("sectors").order_by("partner__name", "name")
    )
