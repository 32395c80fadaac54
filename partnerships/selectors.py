"""Reads of many rows, shaped so that pages ask a fixed number of queries."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from partnerships import permissions
from partnerships.models import Partnership, PartnershipMember


def _member_of(city_ids) -> Exists:
    return Exists(
        PartnershipMember.objects.filter(partnership=OuterRef("pk"), partner_id__in=city_ids)
    )


def partnerships_visible_to(user) -> QuerySet[Partnership]:
    """Partnerships the user may open: their cities' own, and those published."""
    qs = Partnership.objects.all()
    if permissions.is_admin(user):
        return qs
    ids = permissions.city_ids(user)
    if not ids:
        return qs.filter(published=True)
    return qs.filter(Q(published=True) | _member_of(ids))


def partnerships_editable_by(user) -> QuerySet[Partnership]:
    """Partnerships the user co-manages (a member city's officers), or all for admins."""
    qs = Partnership.objects.all()
    if permissions.is_admin(user):
        return qs
    ids = permissions.city_ids(user)
    if not ids:
        return qs.none()
    return qs.filter(_member_of(ids)).exclude(status=Partnership.Status.ARCHIVED)


def partnerships_of_my_cities(user) -> QuerySet[Partnership]:
    """The user's own portfolio (not the published ones of other cities)."""
    qs = Partnership.objects.all()
    if permissions.is_admin(user):
        return qs
    return qs.filter(_member_of(permissions.city_ids(user)))


def with_members(qs: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """Members and their cities in one extra query, for lists and permission checks."""
    return qs.prefetch_related(
        Prefetch(
            "members",
            # "home" sorts after "counterpart": descending puts the home city first.
            queryset=PartnershipMember.objects.select_related("partner").order_by(
                "-role", "partner__name"
            ),
        )
    )


# --- pages ---------------------------------------------------------------------------------
# Reads for the dashboard, the partnership list and the partnership page (views/dashboard.py,
# views/partnerships.py). The partnership page shows every step's checklist and a summary of
# its artefacts from ONE row (counts and one-to-one records), and the full artefacts of one
# step at a time: that keeps it within its query budget whatever the partnership holds.

import datetime as dt  # noqa: E402
import functools  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from django.db.models import (  # noqa: E402
    Aggregate,
    CharField,
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Coalesce  # noqa: E402
from django.shortcuts import get_object_or_404  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.formats import date_format  # noqa: E402

from partnerships.health import with_health_facts  # noqa: E402
from partnerships.models import (  # noqa: E402
    KPI,
    MOU,
    Activity,
    ApproachContact,
    Candidate,
    Champion,
    CityMembership,
    CriterionScore,
    Lesson,
    MoveConfirmation,
    PlanAction,
    Reminder,
    Review,
    Step,
    StepTransition,
    TwinningStrategy,
)
from partnerships.models.reminders import headline  # noqa: E402

TIMELINE_LENGTH = 20
HISTORY_LENGTH = 10


class GroupConcat(Aggregate):
    """Text values joined with ", " in one column (STRING_AGG on PostgreSQL, GROUP_CONCAT on
    SQLite), so that a row can carry a short list, such as its areas, without a query of its own.
    """

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ', ' ORDER BY %(expressions)s)"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ', ')",
            **extra_context,
        )


def count_of(qs: QuerySet) -> Coalesce:
    """The number of rows of `qs` (filtered on an OuterRef) as a column of the outer row."""
    return Coalesce(
        Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")),
        0,
        output_field=IntegerField(),
    )


@functools.cache  # an expression is immutable: built once, reused by every query
def area_names() -> Subquery:
    """The partnership's areas of cooperation as one comma-separated column."""
    through = Partnership.areas.through
    return Subquery(
        through.objects.filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(names=GroupConcat("cooperationarea__name"))
        .values("names"),
        output_field=CharField(),
    )


def partnership_rows(qs: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """A list's rows: members (one extra query) and area names (in the row)."""
    return with_members(qs).annotate(area_names=area_names())


# --- The partnership page ------------------------------------------------------------------


@functools.cache
def _page_columns() -> dict:
    """The annotations of `partnership_for_page`: the same for every request, so built once
    (about a third of the page's Python time went into building them again each time)."""
    of_it = {"partnership": OuterRef("pk")}
    candidates = Candidate.objects.filter(**of_it)
    home_strategy = TwinningStrategy.objects.filter(
        status=TwinningStrategy.Status.IN_FORCE,
        partner__memberships__partnership=OuterRef("pk"),
        partner__memberships__role=PartnershipMember.Role.HOME,
    )
    signed = MOU.objects.filter(**of_it, status=MOU.Status.SIGNED)
    activities = Activity.objects.filter(**of_it)
    reviews = Review.objects.filter(**of_it)
    return dict(
        area_names=area_names(),
        n_active_champions=count_of(Champion.objects.filter(**of_it, is_active=True)),
        home_strategy_id=Subquery(home_strategy.values("pk")[:1]),
        home_strategy_version=Subquery(home_strategy.values("version")[:1]),
        n_candidates=count_of(candidates),
        n_approached=count_of(
            candidates.filter(Exists(ApproachContact.objects.filter(candidate=OuterRef("pk"))))
        ),
        n_due_diligence=count_of(candidates.filter(due_diligence__isnull=False)),
        n_feasibility=count_of(candidates.filter(feasibility__isnull=False)),
        n_scored=count_of(
            candidates.filter(Exists(CriterionScore.objects.filter(candidate=OuterRef("pk"))))
        ),
        n_actions=count_of(PlanAction.objects.filter(plan__partnership=OuterRef("pk"))),
        n_open_actions=count_of(
            PlanAction.objects.filter(
                plan__partnership=OuterRef("pk"), status=PlanAction.Status.OPEN
            )
        ),
        n_kpis=count_of(KPI.objects.filter(**of_it)),
        n_mous=count_of(MOU.objects.filter(**of_it)),
        signed_mou_effective_on=Subquery(signed.values("effective_on")[:1]),
        signed_mou_expires_on=Subquery(signed.values("expires_on")[:1]),
        n_activities=count_of(activities),
        last_activity_on=Subquery(activities.order_by("-occurred_on").values("occurred_on")[:1]),
        n_reviews=count_of(reviews),
        last_review_end=Subquery(reviews.order_by("-period_end").values("period_end")[:1]),
        n_lessons=count_of(Lesson.objects.filter(**of_it)),
    )


def partnership_for_page(user, pk: int) -> Partnership:
    """The partnership if `user` may see it (else 404), with its one-to-one artefacts and the
    counts every step's summary shows, in one query; its members (each side's confirmation of
    a joint move included) in a second."""
    qs = (
        partnerships_visible_to(user)
        .select_related(
            "strategy",
            "selection_decision__candidate__partner",
            "selection_decision__decided_by",
            "letter_of_intent",
            "business_plan",
        )
        .annotate(**_page_columns())
    )
    # The health score's facts in the same row: the page reads them with `health.health_of`.
    qs = with_health_facts(qs, timezone.localdate())
    partnership = get_object_or_404(qs, pk=pk)
    confirmations = MoveConfirmation.objects.filter(
        partnership=partnership,
        step=partnership.step,
        at__gte=partnership.step_entered_at,
        partner=OuterRef("partner_id"),
    ).order_by("at")
    members = (
        PartnershipMember.objects.select_related("partner")
        .annotate(
            has_officers=Exists(CityMembership.objects.filter(partner=OuterRef("partner_id"))),
            confirmed_at=Subquery(confirmations.values("at")[:1]),
            confirmed_by_username=Subquery(confirmations.values("user__username")[:1]),
            confirmed_by_first=Subquery(confirmations.values("user__first_name")[:1]),
            confirmed_by_last=Subquery(confirmations.values("user__last_name")[:1]),
        )
        .order_by("-role", "partner__name")
    )
    prefetch_related_objects([partnership], Prefetch("members", queryset=members))
    return partnership


def candidates_for_page(partnership: Partnership) -> list[Candidate]:
    """Candidates with their approach, due diligence, feasibility and weighted score."""
    scores = CriterionScore.objects.filter(candidate=OuterRef("pk")).order_by().values("candidate")
    return list(
        partnership.candidates.select_related("partner", "due_diligence", "feasibility")
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


@dataclass
class MouRow:
    """An MOU and its signatories, read in one query (a join) for the agreement panel."""

    pk: int
    status: str
    effective_on: dt.date | None
    expires_on: dt.date | None
    signed_on: dt.date | None
    ceremony_on: dt.date | None
    ceremony_place: str
    termination_conditions: str
    has_document: bool
    area_names: str | None
    signatories: list[dict] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return MOU.Status(self.status).label


def mous_for_page(partnership: Partnership) -> list[MouRow]:
    through = MOU.areas.through
    rows = (
        MOU.objects.filter(partnership=partnership)
        .annotate(
            mou_area_names=Subquery(
                through.objects.filter(mou=OuterRef("pk"))
                .order_by()
                .values("mou")
                .annotate(names=GroupConcat("cooperationarea__name"))
                .values("names"),
                output_field=CharField(),
            )
        )
        .order_by("-effective_on", "-id", "signatories__partner__name", "signatories__id")
        .values(
            "pk",
            "status",
            "effective_on",
            "expires_on",
            "signed_on",
            "ceremony_on",
            "ceremony_place",
            "termination_conditions",
            "document",
            "mou_area_names",
            "signatories__name",
            "signatories__title",
            "signatories__partner__name",
        )
    )
    mous: dict[int, MouRow] = {}
    for row in rows:
        mou = mous.get(row["pk"])
        if mou is None:
            mou = mous[row["pk"]] = MouRow(
                pk=row["pk"],
                status=row["status"],
                effective_on=row["effective_on"],
                expires_on=row["expires_on"],
                signed_on=row["signed_on"],
                ceremony_on=row["ceremony_on"],
                ceremony_place=row["ceremony_place"],
                termination_conditions=row["termination_conditions"],
                has_document=bool(row["document"]),
                area_names=row["mou_area_names"],
            )
        if row["signatories__name"]:
            mou.signatories.append(
                {
                    "name": row["signatories__name"],
                    "title": row["signatories__title"],
                    "city": row["signatories__partner__name"],
                }
            )
    return list(mous.values())


def person(user) -> str:
    """How a user is named on a page: full name, else username; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


@dataclass(frozen=True)
class TimelineEntry:
    """An activity, a step move or a reminder sent, in one list ordered newest first."""

    at: dt.datetime
    kind: str  # "activity", "move" or "reminder"
    title: str
    detail: str
    by: str
    is_return: bool = False
    failed: int = 0  # a reminder: how many of its emails could not be sent


def recent_activities(partnership: Partnership, length: int = TIMELINE_LENGTH) -> list[Activity]:
    return list(
        partnership.activities.select_related("created_by").order_by("-occurred_on", "-id")[:length]
    )


_TIMELINE_COLUMNS = ("t_src", "t_id", "t_at", "t_title", "t_detail", "t_from", "t_to")
_PERSON_COLUMNS = ("t_first", "t_last", "t_username")


def timeline(partnership: Partnership, length: int = TIMELINE_LENGTH) -> list[TimelineEntry]:
    """The latest activities, step moves and reminders merged, newest first, in ONE query (a
    UNION of the three tables in the same columns). An activity has a date only: it sorts at
    midnight. A reminder is one entry however many people it went to (grouped by kind, subject
    and occurrence); its columns carry: t_title its subject, t_detail its kind, t_from and
    t_to how many were sent and failed, t_first its occurrence date (as text)."""
    activities = (
        Activity.objects.filter(partnership=partnership)
        .order_by()
        .annotate(
            t_src=Value("activity", output_field=CharField()),
            t_id=F("pk"),
            t_at=Cast("occurred_on", output_field=DateTimeField()),
            t_title=F("title"),
            t_detail=F("kind"),
            t_from=Value(0, output_field=IntegerField()),
            t_to=Value(0, output_field=IntegerField()),
            t_first=F("created_by__first_name"),
            t_last=F("created_by__last_name"),
            t_username=F("created_by__username"),
        )
        .values_list(*_TIMELINE_COLUMNS, *_PERSON_COLUMNS)
    )
    moves = (
        StepTransition.objects.filter(partnership=partnership)
        .order_by()
        .annotate(
            t_src=Value("move", output_field=CharField()),
            t_id=F("pk"),
            t_at=F("at"),
            t_title=F("reason"),
            t_detail=F("kind"),
            t_from=F("from_step"),
            t_to=F("to_step"),
            t_first=F("by__first_name"),
            t_last=F("by__last_name"),
            t_username=F("by__username"),
        )
        .values_list(*_TIMELINE_COLUMNS, *_PERSON_COLUMNS)
    )
    was_sent = Q(sent_at__isnull=False)
    failed = Q(status=Reminder.Status.FAILED)
    reminders = (
        Reminder.objects.filter(was_sent | failed, partnership=partnership)
        .order_by()
        .values("kind", "object_id", "occurrence", "about")
        .annotate(
            t_src=Value("reminder", output_field=CharField()),
            t_id=Min("pk"),
            t_at=Max(Coalesce("sent_at", "created_at")),
            t_title=F("about"),
            t_detail=F("kind"),
            t_from=Count("pk", filter=was_sent),
            t_to=Count("pk", filter=failed),
            t_first=Cast("occurrence", output_field=CharField()),
            t_last=Value(None, output_field=CharField()),
            t_username=Value(None, output_field=CharField()),
        )
        .values_list(*_TIMELINE_COLUMNS, *_PERSON_COLUMNS)
    )
    entries = []
    rows = activities.union(moves, reminders, all=True).order_by("-t_at", "-t_id")[:length]
    for src, _, at, title, detail, from_step, to_step, first, last, username in rows:
        by = " ".join(n for n in (first, last) if n) or username or ""
        if src == "reminder":
            entries.append(_reminder_entry(at, title, detail, from_step, to_step, first))
        elif src == "activity":
            entries.append(
                TimelineEntry(
                    at=at, kind=src, title=title, detail=Activity.Kind(detail).label, by=by
                )
            )
        else:
            kind = StepTransition.Kind(detail)
            entries.append(
                TimelineEntry(
                    at=at,
                    kind=src,
                    title=f"{kind.label} from “{Step(from_step).label}” to “{Step(to_step).label}”",
                    detail=title,
                    by=by,
                    is_return=kind == StepTransition.Kind.RETURN,
                )
            )
    return entries


def _reminder_entry(at, about: str, kind: str, sent: int, failed: int, occurrence: str):
    day = dt.date.fromisoformat(str(occurrence)[:10])
    people = f"{sent} {'person' if sent == 1 else 'people'}"
    detail = f"Sent to {people}" if sent else "Not sent"
    return TimelineEntry(
        at=at,
        kind="reminder",
        title=f"Reminder: {headline(kind, day, about)}",
        detail=f"{detail}; {failed} could not be emailed" if failed else detail,
        by="",
        failed=failed,
    )


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    user: str
    kind: str  # "created", "changed", "deleted"
    reason: str
    changes: list[tuple[str, str, str]]  # (field label, old value, new value)


# Noise in the history: the step move itself is shown; the time it happened is the record's.
_HISTORY_HIDDEN = {"step_entered_at"}


def _shown(model_field, value) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return date_format(value, "j M Y")
    if model_field.is_relation:
        return f"#{value}"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def history_entries(partnership: Partnership, length: int = HISTORY_LENGTH) -> list[HistoryEntry]:
    """The last `length` changes to the record, each with its changed fields: one query."""
    records = list(
        partnership.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : length + 1
        ]
    )
    entries = []
    for newer, older in zip(records[:length], [*records[1:], None], strict=False):
        changes = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older, excluded_fields=_HISTORY_HIDDEN)
            for change in delta.changes:
                model_field = Partnership._meta.get_field(change.field)
                changes.append(
                    (
                        str(model_field.verbose_name).capitalize(),
                        _shown(model_field, change.old),
                        _shown(model_field, change.new),
                    )
                )
        kind = {"+": "created", "-": "deleted"}.get(newer.history_type, "changed")
        entries.append(
            HistoryEntry(
                at=newer.history_date,
                user=person(newer.history_user),
                kind=kind,
                reason=newer.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
