"""The dashboard's board: the user's partnerships as eight columns, one per step, filtered by
category, city, health band and assignee (`BoardFilters`), each card knowing whether the user
may move it (`may_edit`, from the members read with the cards: no query per card).

A fixed number of queries whatever the portfolio's size: each step's first cards are read
from an index (`first_cards`, read with the dashboard's other lists in one query:
selectors/dashboard.py), the counts in one query (`step_totals`). A health band filters on the
stored score (partnerships.health.stored).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils.translation import gettext_lazy as _

from core import hooks
from partnerships import permissions
from partnerships.health.rules import AT_RISK_FROM, FINISHED, HEALTHY_FROM
from partnerships.models import CityMembership, Partner, Partnership, PartnershipMember, Step
from partnerships.models.partnership import OTHER_STATUS_RANK, STATUS_RANK, status_rank
from partnerships.selectors.visibility import members_prefetch, partnerships_of_my_cities

BOARD_CARDS_PER_STEP = 8
# The health bands a board can be filtered by (partnerships.health.score.Health.band).
HEALTH_BANDS = [
    ("healthy", _("Healthy")),
    ("at_risk", _("At risk")),
    ("weak", _("Weak")),
    ("finished", _("Not scored")),
]
SCORED_BANDS = {"healthy", "at_risk", "weak"}
# The scores of each band: [low, high) (partnerships.health.score.Health.band).
BAND_SCORES = {
    "healthy": (HEALTHY_FROM, 101),
    "at_risk": (AT_RISK_FROM, HEALTHY_FROM),
    "weak": (0, AT_RISK_FROM),
}


@dataclass(frozen=True)
class BoardFilters:
    category: str | None = None
    city: int | None = None
    health: str | None = None
    assignee: int | None = None


@dataclass
class BoardColumn:
    step: Step
    cards: list[Partnership]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.cards)

    @property
    def next_step(self) -> Step | None:
        return Step(self.step + 1) if self.step < Step.MEASUREMENT else None


def assignment_hook_registered() -> bool:
    """Whether an app knows who is assigned to what (the hook `board.assigned`)."""
    return bool(hooks.providers("board.assigned"))


CITY, PERSON = "city", "person"  # the kinds of row of the filters' one query


def _city_rows(user) -> QuerySet:
    members = PartnershipMember.objects.filter(partner=OuterRef("pk"))
    if not permissions.is_admin(user):  # an admin's board holds every partnership
        members = members.filter(partnership__in=partnerships_of_my_cities(user).values("pk"))
    return (
        Partner.objects.filter(Exists(members))
        .annotate(row_kind=Value(CITY), row_label=F("name"))
        .values_list("row_kind", "pk", "row_label")
    )


def _person_rows(user) -> QuerySet:
    # The name as get_full_name() gives it, else the username.
    full = Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField()))
    return (
        get_user_model()
        .objects.filter(
            Q(pk=user.pk)
            | Q(
                is_active=True,
                pk__in=CityMembership.objects.filter(
                    partner_id__in=permissions.city_ids(user)
                ).values("user_id"),
            )
        )
        .annotate(row_kind=Value(PERSON), row_label=Coalesce(NullIf(full, Value("")), "username"))
        .values_list("row_kind", "pk", "row_label")
    )


def board_choices(user, people: bool) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The filters' choices in one query: (id, name) of every city with a partnership on the
    user's board and, if `people`, of the officers of the user's own cities and the user
    (the assignee filter), each by name."""
    rows = _city_rows(user).order_by()
    if people:
        rows = rows.union(_person_rows(user).order_by(), all=True)
    found: dict[str, list[tuple[int, str]]] = {CITY: [], PERSON: []}
    for kind, pk, label in rows:
        found[kind].append((pk, label))
    by_name = lambda choice: (choice[1].casefold(), choice[0])  # noqa: E731
    return sorted(found[CITY], key=by_name), sorted(found[PERSON], key=by_name)


def filtered(user, filters: BoardFilters) -> QuerySet[Partnership]:
    """The user's partnerships the board shows with these filters. A health band reads the
    stored health (partnerships.health.stored: bring it up to date first)."""
    qs = partnerships_of_my_cities(user)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.city:
        qs = qs.filter(
            Exists(
                PartnershipMember.objects.filter(partnership=OuterRef("pk"), partner=filters.city)
            )
        )
    if filters.assignee:
        # Any provider's partnerships; with none registered (or none answering) nothing is.
        found = hooks.collect("board.assigned", [filters.assignee])
        where = Q(pk__in=[])
        for q in found:
            where |= q
        qs = qs.filter(where)
    if filters.health == "finished":
        qs = qs.filter(status__in=FINISHED)
    elif filters.health in SCORED_BANDS:
        low, high = BAND_SCORES[filters.health]
        qs = qs.exclude(status__in=FINISHED).filter(
            health_summary__score__gte=low, health_summary__score__lt=high
        )
    return qs


def first_cards(qs: QuerySet[Partnership], per_step: int = BOARD_CARDS_PER_STEP) -> dict:
    """{step: the first `per_step` cards of the step}, as querysets to read together (active
    ones first, then the most recently changed: the index `partnership_board`)."""
    return {
        step: qs.filter(step=step).order_by(status_rank(), "-updated_at", "pk")[:per_step]
        for step in Step
    }


def card_order(card: Partnership) -> tuple:
    """The order of `first_cards`, for rows read in another order."""
    return (
        card.step,
        STATUS_RANK.get(card.status, OTHER_STATUS_RANK),
        -card.updated_at.timestamp(),
        card.pk,
    )


def step_totals(qs: QuerySet[Partnership]) -> dict[int, int]:
    """{step: how many of `qs` are in it}: one query."""
    return dict(qs.order_by().values("step").annotate(n=Count("pk")).values_list("step", "n"))


def columns(
    cards: list[Partnership], totals: dict[int, int], user, members_with: Sequence[Partnership]
) -> list[BoardColumn]:
    """The eight columns of these cards (in `card_order`), with their members and those of
    `members_with` (another list of the page) read in one query."""
    prefetch_related_objects([*cards, *members_with], members_prefetch())
    found = {step: BoardColumn(step=step, cards=[], total=totals.get(step, 0)) for step in Step}
    for card in cards:
        card.may_edit = permissions.can_edit_partnership(user, card)
        found[Step(card.step)].cards.append(card)
    return list(found.values())
