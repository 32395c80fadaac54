"""The daily reminder scan: what is due, for whom, recorded exactly once (the kinds, their
subjects and audiences are `notifications.reminder_rules`).

What reminds (active partnerships only: an ended, archived or *paused* one is left alone — a
pause is a decision to stop the clock, so its reviews and actions wait with it):

* a review due within 14 days (`review_due`) or past its date (`review_overdue`), to the
  champions and the officers of every member city; over 30 days late, also to the member
  cities' coordinators (`review_escalation`);
* a signed MOU expiring within 90, 30 or 7 days (one reminder per window: an MOU signed with
  20 days left gets the 30-day one only), and once expired (`mou_expired`);
* a partnership in the same step for `rules.STALLED_DAYS` days or more (`stalled`;
  not in the last step, where a partnership stays for good);
* an open business-plan action past its due date (`action_overdue`; due today is not late).

"Officers" are everyone working for a member city (`CityMembership`, officers and
coordinators); champions are the partnership's active champions, by their account if they
have one, else by their email address (email only). Inactive accounts get nothing.

The occurrence is the date that identifies what is reminded of: the review date, the MOU's
expiry, the action's due date, the day the partnership entered its step. A new date reminds
again; the same one never does, whoever runs the scan and however often.

Set-based: each kind's due set is ONE query — the subjects joined to the people concerned
(a UNION of officers and champions), leaving out what was recorded already and what the person
snoozed — and it is written by ONE statement, `INSERT … SELECT` that query, whose conflicts
with the unique constraints are ignored (`ON CONFLICT DO NOTHING`; `INSERT OR IGNORE` on
SQLite). No row travels through Python, so the scan asks the same dozen queries for 5
partnerships as for 100,000 (a `bulk_create` would need a statement per batch of rows). Each
run tags the rows it inserts with its own `batch` id, so it hands to delivery exactly the rows
it created — never those another scan running at the same moment created — once its
transaction has committed. The dry run reads the same queries and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.constants import OnConflict
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone

from core import page_cache
from notifications.models import NotificationPreference, Reminder, headline
from notifications.reminder_rules import (
    ASSIGNEE,
    COORDINATORS,
    Context,
    Rule,
    all_rules,
    topic,
)
from partnerships.health import rules
from partnerships.models import Champion, CityMembership

logger = logging.getLogger(__name__)

Kind = Reminder.Kind

# A row inserted this long ago and still waiting was lost on its way to a worker (a broker
# restart, say): the next scan hands it to delivery again. The claim keeps that harmless.
STUCK_AFTER = dt.timedelta(hours=1)
MAX_REQUEUED = 10_000

COLUMNS = (
    "r_partnership",
    "r_title",
    "r_object",
    "r_occurrence",
    "r_about",
    "r_user",
    "r_email",
    "r_name",
    "r_role",
    "r_delivery",
)


def _recorded(rule: Rule, recipient: Q) -> Exists:
    """A reminder of this kind and occurrence recorded for this person already."""
    return Exists(
        Reminder.objects.filter(
            recipient,
            kind=rule.kind,
            partnership=OuterRef("r_partnership"),
            object_id=OuterRef("r_object"),
            occurrence=OuterRef("r_occurrence"),
        )
    )


def _snoozed(rule: Rule, ctx: Context) -> Exists:
    """The person snoozed a reminder of the same subject until after today."""
    return Exists(
        Reminder.objects.filter(
            recipient=OuterRef("r_user"),
            kind__in=topic(rule.kind),
            partnership=OuterRef("r_partnership"),
            object_id=OuterRef("r_object"),
            status=Reminder.Status.SNOOZED,
            snoozed_until__gt=ctx.today,
        )
    )


def _staff_branch(rule: Rule, ctx: Context) -> QuerySet:
    staff = f"{rule.to_partnership}members__partner__staff__"
    # One filter() call, so that every reference to the staff joins the same rows.
    condition = {f"{staff}user__is_active": True}
    if rule.audience == COORDINATORS:
        condition[f"{staff}role"] = CityMembership.Role.COORDINATOR
    return (
        rule.subjects(ctx)
        .filter(**condition)
        .annotate(
            r_user=F(f"{staff}user_id"),
            r_email=Lower(F(f"{staff}user__email")),
            r_name=F(f"{staff}user__username"),
            r_role=F(f"{staff}role"),
            r_delivery=F(f"{staff}user__notification_preference__delivery"),
        )
        .filter(~_recorded(rule, Q(recipient=OuterRef("r_user"))), ~_snoozed(rule, ctx))
    )


def _not_an_accounts_address() -> Q:
    """A champion with an account, or an email-only one whose address is no account's among
    the people told of this subject (that person is written to by the account: one email, not
    two). On the annotated columns, not the champion join: a negated condition across a
    multi-valued relation would exclude the whole partnership."""
    address = OuterRef("r_email")
    staff = (
        CityMembership.objects.filter(
            partner__memberships__partnership=OuterRef("r_partnership"), user__is_active=True
        )
        .annotate(address=Lower("user__email"))
        .filter(address=address)
    )
    champions = (
        Champion.objects.filter(
            partnership=OuterRef("r_partnership"), is_active=True, user__is_active=True
        )
        .annotate(address=Lower("user__email"))
        .filter(address=address)
    )
    return Q(r_user__isnull=False) | (~Exists(staff) & ~Exists(champions))


def _champion_branch(rule: Rule, ctx: Context) -> QuerySet:
    champion = f"{rule.to_partnership}champions__"
    with_account = Q(**{f"{champion}user__is_active": True})
    address_only = Q(**{f"{champion}user__isnull": True, f"{champion}email__gt": ""})
    return (
        rule.subjects(ctx)
        .filter(Q(**{f"{champion}is_active": True}) & (with_account | address_only))
        .annotate(
            r_user=F(f"{champion}user_id"),
            r_email=Lower(
                Coalesce(NullIf(F(f"{champion}user__email"), Value("")), F(f"{champion}email"))
            ),
            r_name=Coalesce(F(f"{champion}user__username"), F(f"{champion}name")),
            r_role=Value(Reminder.Role.CHAMPION, CharField()),
            r_delivery=F(f"{champion}user__notification_preference__delivery"),
        )
        .filter(
            ~_recorded(
                rule,
                Q(recipient=OuterRef("r_user"))
                | Q(recipient__isnull=True, recipient_email=OuterRef("r_email")),
            ),
            ~_snoozed(rule, ctx),
        )
        .filter(_not_an_accounts_address())
    )


def _assignee_branch(rule: Rule, ctx: Context) -> QuerySet:
    person = rule.person
    return (
        rule.subjects(ctx)
        .filter(**{f"{person}is_active": True})
        .annotate(
            r_user=F(f"{person}id"),
            r_email=Lower(F(f"{person}email")),
            r_name=F(f"{person}username"),
            r_role=Value(Reminder.Role.CONCERNED, CharField()),
            r_delivery=F(f"{person}notification_preference__delivery"),
        )
        .filter(~_recorded(rule, Q(recipient=OuterRef("r_user"))), ~_snoozed(rule, ctx))
    )


def due_query(rule: Rule, ctx: Context) -> QuerySet:
    """The new reminders of one kind: ONE query (a UNION ALL of the two audiences)."""
    if rule.audience == ASSIGNEE:
        return _assignee_branch(rule, ctx).order_by().values_list(*COLUMNS)
    staff = _staff_branch(rule, ctx).order_by().values_list(*COLUMNS)
    if rule.audience == COORDINATORS:
        return staff
    champions = _champion_branch(rule, ctx).order_by().values_list(*COLUMNS)
    return staff.union(champions, all=True)


# --- Planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One reminder the scan would record (and, unless the person takes a digest, send)."""

    kind: str
    partnership_id: int
    partnership_title: str
    object_id: int
    occurrence: dt.date
    about: str
    recipient_id: int | None
    email: str
    name: str
    role: str
    digest: bool

    @property
    def recipient_label(self) -> str:
        if self.recipient_id is None:
            return f"{self.name} <{self.email}> (email only)"
        return f"{self.name} <{self.email}>" if self.email else self.name

    @property
    def headline(self) -> str:
        return headline(self.kind, self.occurrence, self.about)


ROLE_ORDER = {
    Reminder.Role.CHAMPION: 0,
    Reminder.Role.COORDINATOR: 1,
    Reminder.Role.OFFICER: 2,
    Reminder.Role.CONCERNED: 3,
}


def _people(rule: Rule, rows: Iterable[tuple]) -> list[Planned]:
    """The rows of one kind as the insert records them: each person once per subject (someone
    who is officer and champion, or officer of both cities, is written to once)."""
    planned: dict[tuple, Planned] = {}
    for row in rows:
        partnership, title, obj, occurrence, about, user, email, name, role, delivery = row
        if isinstance(occurrence, str):  # TruncDate on SQLite gives text
            occurrence = dt.date.fromisoformat(occurrence)
        person = ("user", user) if user is not None else ("email", email or "")
        key = (partnership, obj, occurrence, person)
        known = planned.get(key)
        if known is not None and ROLE_ORDER[known.role] <= ROLE_ORDER[role]:
            continue
        planned[key] = Planned(
            kind=rule.kind,
            partnership_id=partnership,
            partnership_title=title,
            object_id=obj,
            occurrence=occurrence,
            about=about or "",
            recipient_id=user,
            email=email or "",
            name=name or "",
            role=role,
            digest=delivery == NotificationPreference.Delivery.DIGEST,
        )
    return list(planned.values())


def plan(ctx: Context) -> list[Planned]:
    """Every new reminder due on `ctx.today`: one query per kind, nothing written."""
    planned: list[Planned] = []
    for rule in all_rules():
        planned.extend(_people(rule, due_query(rule, ctx)))
    return planned


# --- Recording ------------------------------------------------------------------------------

INSERTED = (
    "kind",
    "partnership_id",
    "object_id",
    "occurrence",
    "about",
    "recipient_id",
    "recipient_email",
    "role",
    "status",
    "attempts",
    "last_error",
    "snooze_reason",
    "data",
    "batch",
    "created_at",
)


def _record(rule: Rule, ctx: Context, batch: uuid.UUID, now: dt.datetime) -> None:
    """INSERT … SELECT the kind's due query: one statement, whatever the number of rows. Rows
    are inserted in a fixed order, so that two scans at once wait for each other rather than
    deadlock; a row another scan inserted first is skipped by the unique constraints."""
    ops = connection.ops
    due, due_params = due_query(rule, ctx).query.get_compiler(connection=connection).as_sql()
    fields = {f.attname: f for f in Reminder._meta.concrete_fields}
    columns = ", ".join(ops.quote_name(fields[name].column) for name in INSERTED)
    sql = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} "
        f"{ops.quote_name(Reminder._meta.db_table)} ({columns}) "
        "SELECT %s, due.r_partnership, due.r_object, due.r_occurrence, "
        "COALESCE(due.r_about, ''), due.r_user, COALESCE(due.r_email, ''), due.r_role, "
        "CASE WHEN due.r_delivery = %s THEN %s ELSE %s END, 0, '', '', '{}', %s, %s "
        f"FROM ({due}) due WHERE 1 = 1 "
        "ORDER BY due.r_partnership, due.r_object, due.r_occurrence, due.r_user, due.r_email, "
        "due.r_role "
        f"{ops.on_conflict_suffix_sql(None, OnConflict.IGNORE, None, None)}"
    )
    params = [
        rule.kind,
        NotificationPreference.Delivery.DIGEST,
        Reminder.Status.DIGEST,
        Reminder.Status.PENDING,
        fields["batch"].get_db_prep_value(batch, connection),
        fields["created_at"].get_db_prep_value(now, connection),
        *due_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- Snoozes that end ----------------------------------------------------------------------


def _still_due(ctx: Context) -> Q:
    """A snoozed reminder whose occurrence still falls in its own kind's window today."""
    condition = Q(pk__in=[])
    for rule in all_rules():
        subjects = rule.subjects(ctx).filter(
            r_object=OuterRef("object_id"), r_occurrence=OuterRef("occurrence")
        )
        condition |= Q(kind=rule.kind) & Exists(subjects)
    return condition


def waking(ctx: Context) -> QuerySet[Reminder]:
    """Snoozed reminders whose snooze has ended and that still apply: they remind again."""
    return Reminder.objects.filter(
        _still_due(ctx), status=Reminder.Status.SNOOZED, snoozed_until__lte=ctx.today
    )


def _wake(ctx: Context, batch: uuid.UUID) -> int:
    wants_digest = Exists(
        NotificationPreference.objects.filter(
            user=OuterRef("recipient"), delivery=NotificationPreference.Delivery.DIGEST
        )
    )
    return waking(ctx).update(
        status=Case(
            When(wants_digest, then=Value(Reminder.Status.DIGEST)),
            default=Value(Reminder.Status.PENDING),
        ),
        read_at=None,
        batch=batch,
    )


# --- The scan ------------------------------------------------------------------------------


@dataclass
class ScanResult:
    today: dt.date
    stalled_days: int
    dry_run: bool
    planned: list[Planned] = field(default_factory=list)  # the dry run's list
    by_kind: Counter = field(default_factory=Counter)  # new reminders (would be) recorded
    created: int = 0
    woken: int = 0
    queued: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)


def _stuck() -> list[int]:
    """Rows waiting to be sent for too long (their task was lost), or whose claim is stale."""
    since = timezone.now() - STUCK_AFTER
    return list(
        Reminder.objects.filter(
            Q(status=Reminder.Status.PENDING, created_at__lt=since)
            & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=since))
            | Q(status=Reminder.Status.SENDING, claimed_at__lt=since)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:MAX_REQUEUED]
    )


def scan(
    *,
    today: dt.date | None = None,
    stalled_days: int | None = None,
    dry_run: bool = False,
    deliver: Callable[[list[int]], None] | None = None,
) -> ScanResult:
    """Record every reminder due today and hand the new ones to `deliver` (after commit: the
    caller passes `tasks.enqueue_delivery`).

    With `dry_run`, only plan: nothing is written or sent. Safe to run at any time, as often
    as wished, on as many workers as wished: each reminder is recorded once."""
    ctx = Context(
        today=today or timezone.localdate(),
        stalled_days=(rules.STALLED_DAYS if stalled_days is None else stalled_days),
    )
    result = ScanResult(today=ctx.today, stalled_days=ctx.stalled_days, dry_run=dry_run)
    if dry_run:
        result.planned = plan(ctx)
        result.by_kind = Counter(p.kind for p in result.planned)
        result.created = len(result.planned)
        result.woken = waking(ctx).count()
        return result

    batch = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        for rule in all_rules():
            _record(rule, ctx, batch, now)
        result.woken = _wake(ctx, batch)
        # The rows this run took: those it inserted (created now) and those it woke.
        mine = Reminder.objects.filter(batch=batch).order_by("pk")
        for pk, status, kind, created_at in mine.values_list("pk", "status", "kind", "created_at"):
            if created_at >= now:
                result.by_kind[kind] += 1
            if status == Reminder.Status.PENDING:
                result.queued.append(pk)
        result.created = sum(result.by_kind.values())
        if result.created or result.woken:
            page_cache.bump()  # raw SQL and .update() send no signal; the bell counts change
        queued = set(result.queued)
        result.requeued = [pk for pk in _stuck() if pk not in queued]
        to_deliver = result.queued + result.requeued
        if to_deliver and deliver is not None:
            transaction.on_commit(lambda: deliver(to_deliver), robust=True)
    logger.info(
        "Reminder scan for %s: %d new, %d woken from a snooze, %d queued, %d requeued",
        ctx.today,
        result.created,
        result.woken,
        len(result.queued),
        len(result.requeued),
    )
    return result
