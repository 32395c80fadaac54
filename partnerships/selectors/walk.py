"""The partnership list's rows and the partnership page: every step's checklist and a summary of
its artefacts from ONE row (counts and one-to-one records), the timeline of what happened, and
the history of its record. That keeps the page within its query budget whatever it holds."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _

from core import hooks
from core.formatting import day
from core.querysets import (
    MARKER,
    CompiledQuery,
    built_once,
    compiled_once,
    marker,
    prefetched,
)
from partnerships import permissions
from partnerships.health import stored
from partnerships.models import (
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
    Partnership,
    PartnershipMember,
    PlanAction,
    Review,
    Step,
    StepTransition,
    TwinningStrategy,
)
from partnerships.selectors.common import area_names, count_of, person
from partnerships.selectors.signoff import (
    SEPARATOR,
    sign_off_column,
    sign_off_from_column,
    timeline_rows,
)
from partnerships.selectors.visibility import (
    COMPILED_CITY_SLOTS,
    among_cities,
    city_slots,
    visible_among,
    with_members,
)

TIMELINE_LENGTH = 20


HISTORY_LENGTH = 10


def partnership_rows(qs: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """A list's rows: members (one extra query) and area names (in the row)."""
    return with_members(qs).annotate(area_names=area_names())


@built_once(maxsize=1)
def _rows_queryset() -> QuerySet[Partnership]:
    return partnership_rows(stored.with_summary(Partnership.objects.all()))


def rows_visible_to(user) -> QuerySet[Partnership]:
    """The list's rows the user may open (`partnerships_visible_to`), with their stored health
    (read with `stored.attach`), for filters to narrow."""
    return visible_among(_rows_queryset(), user)


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


@built_once(maxsize=1)
def _page_queryset() -> QuerySet[Partnership]:
    """The page's query with its ~40 annotations resolved once: resolving them again on every
    request was a fifth of the page's time."""
    qs = Partnership.objects.select_related(
        "strategy",
        "selection_decision__candidate__partner",
        "selection_decision__decided_by",
        "letter_of_intent",
        "business_plan",
    ).annotate(**_page_columns())
    # The stored health in the same row: the page reads it with `stored.attach`.
    return stored.with_summary(qs)


@built_once(maxsize=1)
def _members_queryset() -> QuerySet[PartnershipMember]:
    """The members of the page, each with whether its city has officers and its side's
    confirmation of a joint move at the current step (built once, as `_page_queryset`)."""
    confirmations = MoveConfirmation.objects.filter(
        partnership=OuterRef("partnership_id"),
        step=OuterRef("partnership__step"),
        at__gte=OuterRef("partnership__step_entered_at"),
        partner=OuterRef("partner_id"),
    ).order_by("at")
    return (
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


def partnership_for_page(user, pk: int) -> Partnership:
    """The partnership if `user` may see it (else 404), with its one-to-one artefacts and the
    counts every step's summary shows, in one query; its members (each side's confirmation of
    a joint move included) in a second. Both are compiled once (`_page_query`): compiling
    the first's ~40 subqueries cost three times running it."""
    admin = permissions.is_admin(user)
    cities = () if admin else city_slots(permissions.city_ids(user))
    if not (admin or cities):
        raise Http404
    providers = tuple(hooks.providers("partnership.page_annotations"))
    if len(cities) > COMPILED_CITY_SLOTS:
        found = list(
            _annotated(visible_among(_page_queryset(), user), user, providers).filter(pk=pk)
        )
    else:
        found = _page_query(admin, len(cities), providers).instances(pk, user.pk, *cities)
    if not found:
        raise Http404
    [partnership] = found
    prefetched(partnership, "members", _members(pk))
    return partnership


def _annotated(qs: QuerySet[Partnership], user, providers: tuple) -> QuerySet[Partnership]:
    for provider in providers:
        qs = qs.annotate(**provider(user))
    return qs


@functools.lru_cache(maxsize=16)
def _page_query(admin: bool, n_cities: int, providers: tuple) -> CompiledQuery:
    """The page's query for one shape of reader (admin, or an officer of `n_cities` cities),
    compiled for markers: the partnership's id, then the reader's id (what the
    `partnership.page_annotations` providers may depend on: they are handed a stand-in user
    holding only it), then the reader's city ids in order."""
    qs = _page_queryset().filter(pk=MARKER)
    if not admin:
        qs = among_cities(qs, [marker(2 + i) for i in range(n_cities)])
    return CompiledQuery(_annotated(qs, get_user_model()(pk=marker(1)), providers))


@compiled_once(maxsize=1, as_instances=True)
def _members(pk: int) -> QuerySet[PartnershipMember]:
    return _members_queryset().filter(partnership_id=pk)


@dataclass(frozen=True)
class TimelineEntry:
    """An activity, a step move or what an outer app adds, in one list ordered newest first."""

    at: dt.datetime
    kind: str  # "activity", "move", or the name of an outer app's TimelineSource
    title: str
    detail: str
    by: str
    is_return: bool = False
    failed: int = 0  # a reminder: how many of its emails could not be sent
    muted: bool = False  # shown in grey: what is no longer there (a removed comment)


def recent_activities(partnership: Partnership, length: int = TIMELINE_LENGTH) -> list[Activity]:
    return _recent_activities(partnership.pk, length)


@compiled_once(maxsize=2, as_instances=True)
def _recent_activities(pk: int, length: int) -> QuerySet[Activity]:
    activities = Activity.objects.filter(partnership_id=pk).select_related("created_by")
    return activities.order_by("-occurred_on", "-id")[:length]


TIMELINE_COLUMNS = (
    *("t_src", "t_id", "t_at", "t_title", "t_detail", "t_from", "t_to"),
    *("t_first", "t_last", "t_username"),
)


@dataclass(frozen=True)
class TimelineSource:
    """Entries an outer app adds to a partnership's timeline, read in the timeline's one query.

    `rows(partnership)` returns a queryset of `TIMELINE_COLUMNS` (see `timeline`) whose first
    column is `name`; `entry(row)` turns one of its rows into a TimelineEntry. An outer app
    registers one on the hook `partnership.timeline` (core.hooks)."""

    name: str
    rows: Callable[[Partnership], QuerySet]
    entry: Callable[[tuple], TimelineEntry]


@compiled_once()
def _timeline_rows(pk: int, sources: tuple[TimelineSource, ...], length: int) -> QuerySet:
    """The timeline's UNION for the partnership `pk`, its latest `length` rows."""
    partnership = Partnership(pk=pk)
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
        .values_list(*TIMELINE_COLUMNS)
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
        .values_list(*TIMELINE_COLUMNS)
    )
    others = [source.rows(partnership) for source in sources]
    sign_off = timeline_rows(partnership)
    rows = activities.union(moves, *sign_off, *others, all=True).order_by("-t_at", "-t_id")
    return rows[:length]


def timeline(partnership: Partnership, length: int = TIMELINE_LENGTH) -> list[TimelineEntry]:
    """The latest activities, step moves and what outer apps add (reminders sent...) merged,
    newest first, in ONE query: a UNION of the tables in the same columns, TIMELINE_COLUMNS
    (source, id, at, title, detail, from, to, first name, last name, username), compiled once
    (`_timeline_rows`). An activity has a date only: it sorts at midnight."""
    sources: dict[str, TimelineSource] = {
        s.name: s for s in hooks.providers("partnership.timeline")
    }
    entries = []
    for row in _timeline_rows(partnership.pk, tuple(sources.values()), length):
        src, _id, at, title, detail, from_step, to_step, first, last, username = row
        by = " ".join(n for n in (first, last) if n) or username or ""
        if src in sources:
            entries.append(sources[src].entry(row))
        elif src in SIGN_OFF_SOURCES:
            entries.append(_sign_off_entry(src, at, title, detail, from_step, by))
        elif src == "activity":
            entries.append(
                TimelineEntry(
                    at=at, kind=src, title=title, detail=Activity.Kind(detail).label, by=by
                )
            )
        else:
            kind = StepTransition.Kind(detail)
            if kind == StepTransition.Kind.RETURN:
                # Translators: a step move on the timeline; the two are step names
                move = _("Returned from “%(from)s” to “%(to)s”")
            else:
                # Translators: a step move on the timeline; the two are step names
                move = _("Advanced from “%(from)s” to “%(to)s”")
            entries.append(
                TimelineEntry(
                    at=at,
                    kind=src,
                    title=move % {"from": Step(from_step).label, "to": Step(to_step).label},
                    detail=title,
                    by=by,
                    is_return=kind == StepTransition.Kind.RETURN,
                )
            )
    return entries


SIGN_OFF_SOURCES = {"confirmation", "offline", "offline_review"}


def sign_off_entries(partnership: Partnership) -> list[TimelineEntry]:
    """Every confirmation of a joint sign-off (an officer's, one given outside the portal,
    its endorsement or dispute), oldest first, dated by day, for the dossier: read from the
    partnership's row when it carries `sign_off_text` (`sign_off_column`), else one
    query."""
    text = getattr(partnership, "sign_off_text", None)
    if text is None:
        text = (
            Partnership.objects.filter(pk=partnership.pk)
            .annotate(t=sign_off_column())
            .values_list("t", flat=True)
            .get()
        )
    return [
        _sign_off_entry(src, on, city, detail, step, by)
        for src, on, city, detail, step, by in sign_off_from_column(text)
    ]


def _sign_off_entry(src: str, at, city: str, detail: str, step: int, by: str) -> TimelineEntry:
    """A confirmation on the timeline. One given outside the portal always reads as such,
    never as the city's own; a dispute shows its reason."""
    names = {"city": city, "step": Step(step).label}
    if src == "confirmation":
        return TimelineEntry(
            at=at,
            kind=src,
            title=_("%(city)s confirmed leaving “%(step)s”") % names,
            detail="",
            by=by,
        )
    parts = (detail or "").split(SEPARATOR)
    if src == "offline":
        name, role, on = ([*parts, "", "", ""])[:3]
        with contextlib.suppress(ValueError):
            on = day(dt.date.fromisoformat(on))
        return TimelineEntry(
            at=at,
            kind=src,
            title=_(
                "%(city)s: leaving “%(step)s” confirmed outside the portal by %(name)s, "
                "%(role)s, on %(day)s"
            )
            % {**names, "name": name, "role": role, "day": on},
            detail=_("Recorded by the home city."),
            by=by,
        )
    status, reason = ([*parts, "", ""])[:2]
    if status == "disputed":
        return TimelineEntry(
            at=at,
            kind=src,
            title=_(
                "%(city)s disputed the confirmation of leaving “%(step)s” recorded outside "
                "the portal"
            )
            % names,
            detail=reason,
            by=by,
            is_return=True,
        )
    return TimelineEntry(
        at=at,
        kind=src,
        title=_(
            "%(city)s endorsed the confirmation of leaving “%(step)s” recorded outside the portal"
        )
        % names,
        detail="",
        by=by,
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
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return day(value)
    if model_field.is_relation:
        return f"#{value}"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


@compiled_once(maxsize=2, as_instances=True)
def _history(pk: int, length: int) -> QuerySet:
    history = Partnership.history.model.objects.filter(id=pk).select_related("history_user")
    return history.order_by("-history_date", "-history_id")[: length + 1]


def _reason_shown(text: str) -> str:
    """A move's history reason in the reader's language: the walk stores its kind's code
    ("advance", "return: <the reason typed>"), which was shown as is."""
    for kind in StepTransition.Kind:
        if text == kind.value:
            return str(kind.label)
        if text.startswith(f"{kind.value}: "):
            return f"{kind.label}: {text[len(kind.value) + 2 :]}"
    return text


def history_entries(partnership: Partnership, length: int = HISTORY_LENGTH) -> list[HistoryEntry]:
    """The last `length` changes to the record, each with its changed fields: one query
    (compiled once)."""
    records = _history(partnership.pk, length)
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
                reason=_reason_shown(newer.history_change_reason or ""),
                changes=changes,
            )
        )
    return entries
