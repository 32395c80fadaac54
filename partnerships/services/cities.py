"""Cities, their strategies (step 1) and their officers.

Writes to one city's strategy versions or staff first lock the city's row, so two coordinators
acting at once queue instead of both passing a check ("no draft yet", "another coordinator
remains") that only one of them may pass."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.errors import flatten as _flatten
from core.formatting import long_day
from core.services import model_update
from partnerships.models import (
    CityMembership,
    Partner,
    StrategyCriterion,
    TwinningStrategy,
)
from partnerships.services.common import (
    check_one_side,
    lock_city,
    require_coordinator,
)

STRATEGY_TEXT_FIELDS = (
    "vision",
    "goals",
    "champion",
    "senior_management_involvement",
    "learning_capture",
    "development_plan_context",
    "national_policy_context",
)


CRITERION_FIELDS = ("name", "measure", "description", "weight", "max_score")


def strategy_in_force(partner_id: int) -> TwinningStrategy | None:
    return TwinningStrategy.objects.filter(
        partner_id=partner_id, status=TwinningStrategy.Status.IN_FORCE
    ).first()


@transaction.atomic
def strategy_create(*, partner: Partner, user=None, criteria: Iterable[dict] = (), **fields):
    """A new draft version of the city's strategy (versions count up per city)."""
    # Lock the city, not the strategies: FOR UPDATE is not allowed with an aggregate, and
    # two versions created at once must not both take the same number.
    lock_city(partner.pk)
    last = TwinningStrategy.objects.filter(partner=partner).aggregate(v=Max("version"))["v"]
    strategy = TwinningStrategy(partner=partner, version=(last or 0) + 1, created_by=user, **fields)
    strategy.full_clean()
    strategy.save()
    for criterion in criteria:
        c = StrategyCriterion(strategy=strategy, **criterion)
        c.full_clean()
        c.save()
    return strategy


@transaction.atomic
def strategy_put_in_force(
    *, strategy: TwinningStrategy, approved_on: dt.date | None = None
) -> TwinningStrategy:
    """Approve a draft: it comes into force and the one before it is superseded. The
    returned strategy's `superseded` lists the versions it superseded (none for a first)."""
    lock_city(strategy.partner_id)
    strategy.refresh_from_db()
    if strategy.status != TwinningStrategy.Status.DRAFT:
        raise DomainError(
            _("Only a draft can be put in force; this one is %(status)s.")
            % {"status": strategy.status}
        )
    superseded = []
    # Saved one by one (not .update()) so the history records the supersession too.
    for previous in TwinningStrategy.objects.filter(
        partner_id=strategy.partner_id, status=TwinningStrategy.Status.IN_FORCE
    ):
        previous.status = TwinningStrategy.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        superseded.append(previous)
    strategy.superseded = superseded
    strategy.status = TwinningStrategy.Status.IN_FORCE
    strategy.approved_on = approved_on or strategy.approved_on or timezone.localdate()
    strategy.save(update_fields=["status", "approved_on", "updated_at"])
    return strategy


def _open_draft(partner_id: int) -> TwinningStrategy | None:
    return (
        TwinningStrategy.objects.filter(partner_id=partner_id, status=TwinningStrategy.Status.DRAFT)
        .order_by("-version")
        .first()
    )


def _check_criteria(criteria: list[dict]) -> None:
    """Names must differ, ignoring case: two criteria called "Trade" and "trade" would be
    scored twice for the same thing."""
    seen: set[str] = set()
    for item in criteria:
        name = (item.get("name") or "").strip()
        if name.casefold() in seen:
            raise ValidationError(
                {"criteria": _("Two criteria are called “%(name)s”: rename one.") % {"name": name}}
            )
        seen.add(name.casefold())


def _full_clean_criterion(criterion: StrategyCriterion) -> None:
    try:
        criterion.full_clean(exclude=["strategy"])
    except ValidationError as exc:
        label = criterion.name or _("(unnamed)")
        raise ValidationError(
            {
                "criteria": [
                    _("Criterion “%(name)s”: %(problem)s") % {"name": label, "problem": m}
                    for m in _flatten(exc)
                ]
            }
        ) from exc


@transaction.atomic
def strategy_draft_start(
    *, partner: Partner, user, criteria: Iterable[dict] | None = None, **fields
) -> TwinningStrategy:
    """Open the city's next strategy version as a draft (one draft at a time).

    With no fields given, the draft is prefilled from the version in force and its criteria
    are copied, so the coordinator changes only what moved. Two open drafts would compete to
    supersede the same version, hence the one-draft rule.
    """
    require_coordinator(user, partner.pk)
    lock_city(partner.pk)
    draft = _open_draft(partner.pk)
    if draft is not None:
        raise DomainError(
            _("Version %(version)s is already a draft: edit or discard it before starting another.")
            % {"version": draft.version}
        )
    unknown = set(fields) - set(STRATEGY_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"Not strategy fields: {', '.join(sorted(unknown))}")
    if not fields:
        source = strategy_in_force(partner.pk)
        if source is None:
            raise DomainError(
                _("There is no strategy in force to start from: write the first one.")
            )
        fields = {name: getattr(source, name) for name in STRATEGY_TEXT_FIELDS}
        if criteria is None:
            criteria = [
                {name: getattr(c, name) for name in CRITERION_FIELDS} for c in source.criteria.all()
            ]
    criteria = [
        {name: item[name] for name in CRITERION_FIELDS if name in item} for item in criteria or ()
    ]
    _check_criteria(criteria)
    strategy = strategy_create(partner=partner, user=user, **fields)
    for item in criteria:
        criterion = StrategyCriterion(strategy=strategy, **item)
        _full_clean_criterion(criterion)
        criterion.save()
    return strategy


@transaction.atomic
def strategy_criteria_save(
    *, strategy: TwinningStrategy, user, criteria: Iterable[dict]
) -> list[StrategyCriterion]:
    """Make a draft's criteria exactly `criteria`: items with an `id` update that criterion,
    items without one are added, and criteria not listed are deleted."""
    require_coordinator(user, strategy.partner_id)
    lock_city(strategy.partner_id)
    strategy.refresh_from_db()
    if strategy.status != TwinningStrategy.Status.DRAFT:
        raise DomainError(
            _("Version %(version)s is %(status)s: only a draft's criteria can change.")
            % {"version": strategy.version, "status": strategy.get_status_display().lower()}
        )
    items = [dict(item) for item in criteria]
    _check_criteria(items)
    existing = {c.pk: c for c in strategy.criteria.all()}
    kept = {item["id"] for item in items if item.get("id")}
    if kept - set(existing):
        raise DomainError(_("One of these criteria is not part of this draft; reload the page."))
    strategy.criteria.exclude(pk__in=kept).delete()
    # Renamed criteria step aside first, so two criteria may swap names without tripping the
    # unique-name constraint halfway through.
    for item in items:
        current = existing.get(item.get("id"))
        if current is not None and current.name != item["name"]:
            StrategyCriterion.objects.filter(pk=current.pk).update(name=f"~renaming {current.pk}")
            current.name = f"~renaming {current.pk}"
    saved = []
    for item in items:
        criterion = existing.get(item.get("id")) or StrategyCriterion(strategy=strategy)
        for name in CRITERION_FIELDS:
            if name in item:
                setattr(criterion, name, item[name])
        _full_clean_criterion(criterion)
        criterion.save()
        saved.append(criterion)
    return saved


@transaction.atomic
def strategy_update_draft(
    *, strategy: TwinningStrategy, user, criteria: Iterable[dict] | None = None, **fields
) -> TwinningStrategy:
    """Change a draft's text and, when given, its criteria (see `strategy_criteria_save`)."""
    require_coordinator(user, strategy.partner_id)
    lock_city(strategy.partner_id)
    draft = TwinningStrategy.objects.get(pk=strategy.pk)
    if draft.status != TwinningStrategy.Status.DRAFT:
        raise DomainError(
            _(
                "Version %(version)s is %(status)s now: only a draft can be edited. Start a new "
                "version instead."
            )
            % {"version": draft.version, "status": draft.get_status_display().lower()}
        )
    unknown = set(fields) - set(STRATEGY_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"Not strategy fields: {', '.join(sorted(unknown))}")
    model_update(draft, fields, user=user)
    if criteria is not None:
        strategy_criteria_save(strategy=draft, user=user, criteria=criteria)
    return draft


@transaction.atomic
def strategy_approve(
    *, strategy: TwinningStrategy, user, approved_on: dt.date | None = None
) -> TwinningStrategy:
    """Put a draft in force (the version before it is superseded, and kept)."""
    require_coordinator(user, strategy.partner_id)
    lock_city(strategy.partner_id)
    draft = TwinningStrategy.objects.get(pk=strategy.pk)
    if draft.status != TwinningStrategy.Status.DRAFT:
        raise DomainError(
            _("Version %(version)s is already %(status)s: only a draft can be approved.")
            % {"version": draft.version, "status": draft.get_status_display().lower()}
        )
    if not draft.criteria.exists():
        raise DomainError(
            _("Version %(version)s cannot be approved yet.") % {"version": draft.version},
            [_("Add at least one weighted criterion for choosing partners.")],
        )
    approved_on = approved_on or timezone.localdate()
    if approved_on > timezone.localdate():
        raise DomainError(_("The approval date cannot be in the future."))
    current = strategy_in_force(draft.partner_id)
    if current is not None and current.approved_on and approved_on < current.approved_on:
        raise DomainError(
            _(
                "The approval date cannot be before that of the version in force "
                "(v%(version)s, approved %(day)s)."
            )
            % {"version": current.version, "day": long_day(current.approved_on)}
        )
    return strategy_put_in_force(strategy=draft, approved_on=approved_on)


@transaction.atomic
def strategy_draft_discard(*, strategy: TwinningStrategy, user) -> None:
    """Throw a draft away; approved versions are history and stay."""
    require_coordinator(user, strategy.partner_id)
    lock_city(strategy.partner_id)
    draft = TwinningStrategy.objects.get(pk=strategy.pk)
    if draft.status != TwinningStrategy.Status.DRAFT:
        raise DomainError(
            _("Version %(version)s is %(status)s: only a draft can be discarded.")
            % {"version": draft.version, "status": draft.get_status_display().lower()}
        )
    if draft.partnerships.exists():
        raise DomainError(
            _("Partnerships refer to version %(version)s; it cannot go.")
            % {"version": draft.version}
        )
    draft._history_user = user
    draft.delete()


def _other_coordinators(membership: CityMembership) -> bool:
    return (
        CityMembership.objects.filter(
            partner_id=membership.partner_id, role=CityMembership.Role.COORDINATOR
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _last_coordinator_error(membership: CityMembership, by) -> DomainError:
    city = membership.partner.name
    if membership.user_id == getattr(by, "pk", None):
        return DomainError(
            _("You are the last coordinator of %(city)s: make someone else coordinator first.")
            % {"city": city}
        )
    return DomainError(
        _("%(person)s is the last coordinator of %(city)s: make someone else coordinator first.")
        % {"person": membership.user, "city": city}
    )


@transaction.atomic
def officer_add(*, partner: Partner, user, role: str, by) -> CityMembership:
    """Let an existing portal user work for the city, as officer or coordinator.

    `user` is the person added; `by` is the coordinator (or admin) adding them.
    """
    require_coordinator(by, partner.pk)
    lock_city(partner.pk)
    if not user.is_active:
        raise ValidationError(
            {"user": _("%(person)s's account is deactivated.") % {"person": user}}
        )
    if CityMembership.objects.filter(partner=partner, user=user).exists():
        raise ValidationError(
            {
                "user": _("%(person)s already works for %(city)s.")
                % {"person": user, "city": partner.name}
            }
        )
    check_one_side(user, partner.pk)
    membership = CityMembership(partner=partner, user=user, role=role)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def officer_set_role(*, membership: CityMembership, role: str, by) -> CityMembership:
    """Make a member officer or coordinator; the city always keeps one coordinator."""
    require_coordinator(by, membership.partner_id)
    lock_city(membership.partner_id)
    current = (
        CityMembership.objects.select_related("partner", "user").filter(pk=membership.pk).first()
    )
    if current is None:
        raise DomainError(_("That person no longer works for the city; reload the page."))
    if role not in CityMembership.Role.values:
        raise ValidationError({"role": _("Choose officer or coordinator.")})
    if (
        current.role == CityMembership.Role.COORDINATOR
        and role != CityMembership.Role.COORDINATOR
        and not _other_coordinators(current)
    ):
        raise _last_coordinator_error(current, by)
    if current.role != role:
        current.role = role
        current.save(update_fields=["role"])
    return current


@transaction.atomic
def officer_remove(*, membership: CityMembership, by) -> None:
    """Stop a person working for the city; the last coordinator cannot be removed."""
    require_coordinator(by, membership.partner_id)
    lock_city(membership.partner_id)
    current = (
        CityMembership.objects.select_related("partner", "user").filter(pk=membership.pk).first()
    )
    if current is None:
        return  # removed meanwhile: the wish is already fulfilled
    if current.role == CityMembership.Role.COORDINATOR and not _other_coordinators(current):
        raise _last_coordinator_error(current, by)
    current.delete()
