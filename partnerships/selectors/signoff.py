"""The joint sign-off as pages read it: each city's confirmation (an officer's, or one given
outside the portal) on the partnership page, the timeline's rows of them, and what awaits a
city's confirmation on its officers' dashboard. Each read is a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat

from core.querysets import CompiledQuery, compiled_once, marker
from partnerships import permissions, workflow
from partnerships.models import (
    CityMembership,
    MoveConfirmation,
    OfflineConfirmation,
    Partner,
    Partnership,
    PartnershipMember,
    Step,
)
from partnerships.selectors.common import FlatConcat
from partnerships.selectors.visibility import COMPILED_CITY_SLOTS, city_slots

# Between the parts of a timeline row's text column (a confirmation's who, role and date).
SEPARATOR = "\x1f"
DASHBOARD_CAP = 25


def offline_confirmations_for_page(partnership: Partnership) -> list[OfflineConfirmation]:
    """Those of the current passage of a joint sign-off step (disputed ones too, to say why),
    and every one still awaiting its city's own word, whatever the step: one query, compiled
    once (the step and when it was entered are read from the partnership's row)."""
    return _offline_confirmations(partnership.pk)


@compiled_once(maxsize=1, as_instances=True)
def _offline_confirmations(pk: int) -> QuerySet[OfflineConfirmation]:
    current = Q(
        step=F("partnership__step"),
        recorded_at__gte=F("partnership__step_entered_at"),
        partnership__step__in=workflow.JOINT_SIGN_OFF_STEPS,
    )
    return (
        OfflineConfirmation.objects.filter(partnership_id=pk)
        .filter(current | Q(status=OfflineConfirmation.Status.RECORDED))
        .select_related("partner", "recorded_by", "reviewed_by")
        .order_by("recorded_at", "pk")
    )


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def sign_off_box(
    partnership: Partnership, user, can_edit: bool, offline: list[OfflineConfirmation]
) -> dict | None:
    """The partnership page's sign-off box: each member city's state at the current joint
    step, what this user may do (confirm for their city, record a confirmation given outside
    the portal, endorse or dispute one given in their city's name). Reads the members the page
    prefetched (`partnership_for_page`) and `offline`: no query of its own."""
    mine = permissions.city_ids(user)
    members = list(partnership.members.all())
    home = next((m.partner_id for m in members if m.role == PartnershipMember.Role.HOME), None)
    # Their city's officers endorse or dispute; anything still awaiting that word, any step.
    to_review = [
        c
        for c in offline
        if c.status == OfflineConfirmation.Status.RECORDED and c.partner_id in mine and can_edit
    ]
    joint = partnership.step in workflow.JOINT_SIGN_OFF_STEPS
    if not joint and not to_review:
        return None
    current = {}
    disputed = {}
    if joint:
        for c in offline:
            if c.step == partnership.step and c.recorded_at >= partnership.step_entered_at:
                if c.counts:
                    current[c.partner_id] = c
                else:
                    disputed.setdefault(c.partner_id, []).append(c)
    rows = []
    for m in members:
        rows.append(
            {
                "city": m.partner,
                "mine": m.partner_id in mine,
                "has_officers": m.has_officers,
                "confirmed_at": m.confirmed_at,
                "confirmed_by": " ".join(
                    n for n in (m.confirmed_by_first, m.confirmed_by_last) if n
                )
                or m.confirmed_by_username,
                "offline": current.get(m.partner_id),
                "disputed": disputed.get(m.partner_id, []),
            }
        )
    awaited = [r for r in rows if not r["confirmed_at"] and not r["offline"]]
    return {
        "joint": joint,
        "needed": joint and len(rows) >= 2,
        "sides": rows,
        "can_confirm": joint
        and can_edit
        and any(r["mine"] and not r["confirmed_at"] for r in rows),
        # The home side's officers record for an awaited city with no officer in the portal.
        "can_record": joint
        and len(rows) >= 2
        and can_edit
        and home in mine
        and any(not r["has_officers"] for r in awaited),
        "to_review": to_review,
    }


def awaited_without_officers(partnership: Partnership) -> QuerySet:
    """The member cities with no officer in the portal whose confirmation of leaving the
    current joint step is still awaited: those the home side may record one for."""
    confirmed = workflow.confirmed_partner_ids(partnership)
    return (
        Partner.objects.filter(memberships__partnership=partnership)
        .exclude(pk__in=confirmed)
        .exclude(Exists(CityMembership.objects.filter(partner=OuterRef("pk"))))
        .order_by("name")
    )


# --- The timeline ----------------------------------------------------------------------------


def timeline_rows(partnership) -> list[QuerySet]:
    """The sign-off's rows of the timeline's UNION, in `selectors.TIMELINE_COLUMNS`: officers'
    confirmations ("confirmation"), confirmations given outside the portal when recorded
    ("offline"), and when their city's officers endorsed or disputed them ("offline_review").
    A text column carries several values joined by SEPARATOR."""
    sep = Value(SEPARATOR)
    online = (
        MoveConfirmation.objects.filter(partnership=partnership)
        .order_by()
        .annotate(
            t_src=Value("confirmation", output_field=CharField()),
            t_id=F("pk"),
            t_at=F("at"),
            t_title=F("partner__name"),
            t_detail=Value("", output_field=CharField()),
            t_from=F("step"),
            t_to=Value(0, output_field=IntegerField()),
            t_first=F("user__first_name"),
            t_last=F("user__last_name"),
            t_username=F("user__username"),
        )
    )
    offline = OfflineConfirmation.objects.filter(partnership=partnership).order_by()
    recorded = offline.annotate(
        t_src=Value("offline", output_field=CharField()),
        t_id=F("pk"),
        t_at=F("recorded_at"),
        t_title=F("partner__name"),
        t_detail=Concat(
            "confirmed_by_name",
            sep,
            "confirmed_by_role",
            sep,
            Cast("confirmed_on", output_field=CharField()),
            output_field=CharField(),
        ),
        t_from=F("step"),
        t_to=Value(0, output_field=IntegerField()),
        t_first=F("recorded_by__first_name"),
        t_last=F("recorded_by__last_name"),
        t_username=F("recorded_by__username"),
    )
    reviewed = offline.filter(reviewed_at__isnull=False).annotate(
        t_src=Value("offline_review", output_field=CharField()),
        t_id=F("pk"),
        t_at=F("reviewed_at"),
        t_title=F("partner__name"),
        t_detail=Concat("status", sep, "dispute_reason", output_field=CharField()),
        t_from=F("step"),
        t_to=Value(0, output_field=IntegerField()),
        t_first=F("reviewed_by__first_name"),
        t_last=F("reviewed_by__last_name"),
        t_username=F("reviewed_by__username"),
    )
    return [
        qs.values_list(
            *("t_src", "t_id", "t_at", "t_title", "t_detail", "t_from", "t_to"),
            *("t_first", "t_last", "t_username"),
        )
        for qs in (online, recorded, reviewed)
    ]


# --- The dashboard ---------------------------------------------------------------------------


@dataclass
class Awaiting:
    """A partnership of the user's cities at a joint sign-off step, and who has not confirmed."""

    pk: int
    title: str
    step: int
    mine: list[str] = field(default_factory=list)  # the user's cities awaited
    theirs: list[str] = field(default_factory=list)  # the other cities awaited

    @property
    def step_label(self) -> str:
        return Step(self.step).label


def awaiting_confirmation(user, cap: int = DASHBOARD_CAP) -> dict:
    """What awaits a confirmation, for the dashboard of an officer: the partnerships where
    their city's confirmation is awaited, those where only the other city's is, and the
    confirmations given outside the portal in their city's name that await its word.

    ONE query over the member cities of the user's partnerships that matter (at a joint
    sign-off step and active, or with such a confirmation of the user's city), each with
    whether it confirmed and its oldest confirmation awaiting its officers' word; none for
    someone working for no city (nothing is ever awaited from them)."""
    mine = permissions.city_ids(user)
    empty = {"mine": [], "theirs": [], "to_review": [], "more": False}
    if not mine:
        return empty
    cities = city_slots(mine)
    if len(cities) > COMPILED_CITY_SLOTS:
        rows = list(_awaiting_rows(mine, cap))
    else:
        rows = _awaiting_query(len(cities), cap).instances(*cities)
    by_partnership: dict[int, list[PartnershipMember]] = {}
    for m in rows:
        by_partnership.setdefault(m.partnership_id, []).append(m)
    awaits_me, awaits_them, reviews = [], [], []
    for members in by_partnership.values():
        p = members[0].partnership
        for m in members:
            if m.review_id is not None:
                reviews.append(
                    OfflineConfirmation(
                        pk=m.review_id,
                        partnership=p,
                        partner=m.partner,
                        step=m.review_step,
                        confirmed_by_name=m.review_name,
                        confirmed_by_role=m.review_role,
                        confirmed_on=m.review_on,
                    )
                )
        if p.step not in workflow.JOINT_SIGN_OFF_STEPS or p.status != Partnership.Status.ACTIVE:
            continue
        if len(members) < 2:
            continue
        row = Awaiting(pk=p.pk, title=p.title, step=p.step)
        for m in members:
            if not m.confirmed:
                (row.mine if m.partner_id in mine else row.theirs).append(m.partner.name)
        if row.mine:
            awaits_me.append(row)
        elif row.theirs:
            awaits_them.append(row)
    return {
        "mine": awaits_me[:cap],
        "theirs": awaits_them[:cap],
        "to_review": reviews[:cap],
        "more": len(rows) >= cap * 6 or max(len(awaits_me), len(awaits_them), len(reviews)) > cap,
    }


def _awaiting_rows(mine, cap: int) -> QuerySet[PartnershipMember]:
    """The member cities `awaiting_confirmation` reads, for the cities `mine`: of the
    partnerships that matter, each with whether it confirmed and its oldest confirmation
    awaiting its officers' word."""
    at_step = {
        "partnership": OuterRef("partnership_id"),
        "partner": OuterRef("partner_id"),
        "step": OuterRef("partnership__step"),
    }
    since = OuterRef("partnership__step_entered_at")
    online = MoveConfirmation.objects.filter(**at_step, at__gte=since)
    offline = OfflineConfirmation.objects.filter(**at_step, recorded_at__gte=since).exclude(
        status=OfflineConfirmation.Status.DISPUTED
    )
    to_review = OfflineConfirmation.objects.filter(
        partnership=OuterRef("partnership_id"),
        partner=OuterRef("partner_id"),
        partner_id__in=mine,
        status=OfflineConfirmation.Status.RECORDED,
    ).order_by("recorded_at", "pk")
    joint = Q(
        partnership__step__in=workflow.JOINT_SIGN_OFF_STEPS,
        partnership__status=Partnership.Status.ACTIVE,
    )
    mine_in_it = PartnershipMember.objects.filter(
        partnership=OuterRef("partnership_id"), partner_id__in=mine
    )
    return (
        PartnershipMember.objects.filter(Exists(mine_in_it))
        .annotate(
            confirmed=ExpressionWrapper(
                Q(Exists(online)) | Q(Exists(offline)), output_field=BooleanField()
            ),
            review_id=Subquery(to_review.values("pk")[:1]),
            review_step=Subquery(to_review.values("step")[:1]),
            review_name=Subquery(to_review.values("confirmed_by_name")[:1]),
            review_role=Subquery(to_review.values("confirmed_by_role")[:1]),
            review_on=Subquery(to_review.values("confirmed_on")[:1]),
        )
        .filter(joint | Q(review_id__isnull=False))
        .select_related("partner", "partnership")
        .order_by("partnership__step_entered_at", "partnership_id", "partner__name")[: cap * 6]
    )


@functools.lru_cache(maxsize=16)
def _awaiting_query(n_cities: int, cap: int) -> CompiledQuery:
    """`_awaiting_rows` for an officer of `n_cities` cities (`city_slots`), compiled once:
    compiling its subqueries cost several times running it."""
    return CompiledQuery(_awaiting_rows([marker(i) for i in range(n_cities)], cap))


# --- The same rows as one text column of the partnership's own row (the dossier) -------------

RECORD, UNIT = "\x1e", "\x1d"


class _Joined(Aggregate):
    """Texts joined by RECORD (STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, '\x1e')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def sign_off_column() -> FlatConcat:
    """`timeline_rows` as ONE text column of the partnership's row, for a page that has no
    query to spare (the dossier): each row's source, date (ISO), city, text, step and person,
    joined by UNIT, rows by RECORD. Read it back with `sign_off_from_column`."""
    parts = []
    for qs in timeline_rows(OuterRef("pk")):
        text = FlatConcat(
            "t_src",
            Value(UNIT),
            # The moment as text (ISO-like on PostgreSQL and SQLite): sorts, and starts with
            # the date.
            Cast("t_at", output_field=CharField()),
            Value(UNIT),
            "t_title",
            Value(UNIT),
            "t_detail",
            Value(UNIT),
            Cast("t_from", output_field=CharField()),
            Value(UNIT),
            Coalesce(Concat("t_first", Value(" "), "t_last"), Value("")),
            Value(UNIT),
            Coalesce("t_username", Value("")),
        )
        rows = qs.values("partnership").annotate(text=_Joined(text)).values("text")
        parts.append(Coalesce(Subquery(rows, output_field=CharField()), Value("")))
    return FlatConcat(parts[0], Value(RECORD), parts[1], Value(RECORD), parts[2])


def sign_off_from_column(text: str) -> list[tuple]:
    """(source, date, city, text, step, person) of each row of `sign_off_column`, oldest
    first."""
    rows = []
    for record in (text or "").split(RECORD):
        if not record:
            continue
        src, on, city, detail, step, full, username = [*record.split(UNIT), *[""] * 7][:7]
        rows.append((on, src, city, detail, int(step or 0), full.strip() or username))
    rows.sort(key=lambda r: r[0])
    return [(src, dt.date.fromisoformat(on[:10]), *rest) for on, src, *rest in rows]
