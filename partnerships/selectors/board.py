"""The dashboard's board: the user's partnerships as eight columns, one per step, filtered by
category, city, health band and assignee (`BoardFilters`), each card knowing whether the user
may move it (`may_edit`, from the members read with the cards: no query per card).

A fixed number of queries whatever the portfolio's size. Health is computed in Python from
the facts of one query (partnerships.health), so a board filtered by a health band reads the
filtered portfolio's facts once, in chunks, keeping per step only the cards it shows and the
count: memory follows the chunk and the board, never the portfolio (an admin's is every
partnership).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Concat, NullIf, RowNumber, Trim
from django.utils.translation import gettext_lazy as _

from core import hooks
from partnerships import permissions
from partnerships.health import Health, health_rows_in_chunks
from partnerships.health.rules import FINISHED
from partnerships.models import CityMembership, Partner, Partnership, PartnershipMember, Step
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
# Active cards first, then paused, then the rest (as the cards are ordered in each column).
STATUS_RANK = {Partnership.Status.ACTIVE: 0, Partnership.Status.PAUSED: 1}
# What a card shows of its partnership (templates/partnerships/_board.html), besides members.
CARD_FIELDS = ("pk", "title", "step", "status")


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
    mine = partnerships_of_my_cities(user).values("pk")
    return (
        Partner.objects.filter(
            Exists(PartnershipMember.objects.filter(partner=OuterRef("pk"), partnership__in=mine))
        )
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


def _filtered(user, filters: BoardFilters) -> QuerySet[Partnership]:
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
    return qs


def _columns(
    cards: list[Partnership], totals: dict[int, int], user, members_with: list[Partnership]
) -> list[BoardColumn]:
    prefetch_related_objects([*cards, *members_with], members_prefetch())
    columns = {step: BoardColumn(step=step, cards=[], total=totals.get(step, 0)) for step in Step}
    for card in cards:
        card.may_edit = permissions.can_edit_partnership(user, card)
        columns[Step(card.step)].cards.append(card)
    return list(columns.values())


def board(
    user,
    filters: BoardFilters = BoardFilters(),
    today: dt.date | None = None,
    per_step: int = BOARD_CARDS_PER_STEP,
    members_with: Sequence[Partnership] = (),
) -> list[BoardColumn]:
    """The user's partnerships as eight columns, at most `per_step` cards each (active ones
    first, then the most recently changed), with each column's full count. Two queries: the
    cards (with a health band, the health query, and the cards then carry `.health`), and
    their members, with those of `members_with` (another list of the page)."""
    qs = _filtered(user, filters)
    if filters.health in SCORED_BANDS:
        return _board_by_health(user, qs, filters.health, today, per_step, list(members_with))
    status_order = Case(
        *(When(status=status, then=Value(rank)) for status, rank in STATUS_RANK.items()),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = (
        qs.annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("step")],
                order_by=[status_order.asc(), F("updated_at").desc(), F("pk").asc()],
            ),
            step_total=Window(Count("pk"), partition_by=[F("step")]),
        )
        .filter(place__lte=per_step)
        .order_by("step", "place")
    )
    cards = list(rows)
    return _columns(cards, {card.step: card.step_total for card in cards}, user, list(members_with))


def _card(row: dict) -> Partnership:
    """A card from a row of the health query: what the card and `can_edit_partnership` read
    (its members are prefetched with the others')."""
    card = Partnership(**{name: row[name] for name in CARD_FIELDS})
    card._state.adding, card._state.db = False, "default"
    return card


def _board_by_health(
    user,
    qs: QuerySet[Partnership],
    band: str,
    today: dt.date | None,
    per_step: int,
    members_with: list[Partnership],
) -> list[BoardColumn]:
    """The board of the running partnerships in `band`: their health read in chunks, in one
    query that reads the cards' own fields too, keeping the first `per_step` of each step (in
    the board's order) and each step's count."""
    kept: dict[int, list[tuple[tuple, Health, dict]]] = {step: [] for step in Step}
    totals: Counter[int] = Counter()
    running = qs.exclude(status__in=FINISHED)
    for rows in health_rows_in_chunks(running, today, fields=("title", "updated_at")):
        for row, health in rows:
            if health.band != band:
                continue
            step = row["step"]
            totals[step] += 1
            order = (STATUS_RANK.get(row["status"], 2), -row["updated_at"].timestamp(), row["pk"])
            kept[step].append((order, health, row))
        for step, found in kept.items():
            kept[step] = heapq.nsmallest(per_step, found, key=lambda k: k[0])
    cards = []
    for step in Step:
        for _order, health, row in kept[step]:
            cards.append(_card(row))
            cards[-1].health = health
    return _columns(cards, totals, user, members_with)
