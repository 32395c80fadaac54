"""Everything that writes organisations and sub-alliances. Each function is one transaction.

Each function re-checks that `user` may do it (`None` means a trusted caller: a command, a
task, the demo data) and raises `DomainError` with a message fit for a person; field errors
come out of `full_clean()` as `ValidationError`, for forms to show on their fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances import permissions
from alliances.models import (
    Grouping,
    Organisation,
    ScorecardMeasure,
    StartUpTask,
    StrengthRecord,
    SubAlliance,
    SubAllianceParty,
)
from core.errors import DomainError
from core.services import lock, model_update
from partnerships import services as core_services
from partnerships.models import Activity, Partner, Partnership, Sector

# The partnership statuses in which no new sub-alliance may be formed.
CLOSED_PARTNERSHIP_STATUSES = frozenset({Partnership.Status.ENDED, Partnership.Status.ARCHIVED})

SUB_ALLIANCE_EDITABLE_FIELDS = frozenset(
    {
        "name",
        "purpose",
        "grouping",
        "form",
        "linkage_scope",
        "linkage_locus",
        "linkage_direction",
        "status",
        "started_on",
        "ended_on",
    }
)
ORGANISATION_EDITABLE_FIELDS = frozenset({"name", "website", "description"})
MEASURE_EDITABLE_FIELDS = frozenset({"name", "unit", "target", "actual"})


# --- Organisations --------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    user,
    partner: Partner,
    kind: str,
    name: str,
    sectors: Iterable[Sector] = (),
    website: str = "",
    description: str = "",
) -> Organisation:
    """An organisation of a city (a municipal department, a school, a donor agency…).

    Businesses are normally created by their chamber (`businesses.services.business_create`),
    which adds their profile; an officer may still record a business here as a party.
    """
    if user is not None and not permissions.can_create_organisation_in(user, partner):
        raise DomainError(
            _("Only officers of %(partner)s may add its organisations.") % {"partner": partner.name}
        )
    organisation = Organisation(
        partner=partner,
        kind=kind,
        name=name,
        website=website,
        description=description,
        created_by=user,
    )
    organisation.full_clean()
    organisation.save()
    if sectors:
        organisation.sectors.set(sectors)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, user, sectors: Iterable[Sector] | None = None, **fields
) -> Organisation:
    """Change an organisation's name, website, description or sectors (not its kind or city:
    it may be a party to sub-alliances on that city's side)."""
    unknown = set(fields) - ORGANISATION_EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(names)s")
            % {"names": ", ".join(sorted(unknown))}
        )
    organisation = lock(Organisation, organisation.pk)
    if user is not None and not permissions.can_manage_organisation(user, organisation):
        raise DomainError(_("You may not change this organisation."))
    model_update(organisation, fields)
    if sectors is not None:
        organisation.sectors.set(sectors)
    return organisation


# --- Sub-alliances --------------------------------------------------------------------------


def _require_manager(user, partnership: Partnership) -> None:
    if user is not None and not permissions.can_manage_sub_alliances(user, partnership):
        raise DomainError(_("Only officers of the partner cities may manage its sub-alliances."))


def _check_parties(partnership: Partnership, organisations: Sequence[Organisation]) -> None:
    """Every party belongs to a member city, none twice, and both sides take part."""
    members = {m.partner_id: m.partner for m in partnership.members.select_related("partner")}
    seen: set[int] = set()
    for organisation in organisations:
        if organisation.pk in seen:
            raise DomainError(
                _("%(organisation)s is named twice.") % {"organisation": organisation.name}
            )
        seen.add(organisation.pk)
        if organisation.partner_id not in members:
            raise DomainError(
                _(
                    "%(organisation)s belongs to %(partner)s, which is not a member of "
                    "this partnership."
                )
                % {"organisation": organisation.name, "partner": organisation.partner.name}
            )
    if len({o.partner_id for o in organisations}) < 2:
        raise DomainError(
            _(
                "A sub-alliance is formed between organisations of both sides: add at least one "
                "organisation of each partner city."
            )
        )


def _check_grouping(grouping: str, organisations: Sequence[Organisation]) -> None:
    """A government, civil-society or business sub-alliance is between organisations of that
    grouping (a donor agency fits any); otherwise it is "mixed"."""
    if grouping == Grouping.MIXED:
        return
    for organisation in organisations:
        own = organisation.grouping
        if own is not None and own != grouping:
            raise DomainError(
                _("%(organisation)s is a %(kind)s, not %(label)s: choose the grouping “Mixed”.")
                % {
                    "organisation": organisation.name,
                    "kind": organisation.get_kind_display().lower(),
                    "label": Grouping(grouping).label.lower(),
                }
            )


def _check_scope(scope: str, count: int) -> None:
    if scope == SubAlliance.LinkageScope.BILATERAL and count != 2:
        raise DomainError(
            _(
                "A bilateral linkage is between exactly two organisations, not "
                "%(count)s: choose “Multilateral”."
            )
            % {"count": count}
        )
    if scope == SubAlliance.LinkageScope.MULTILATERAL and count < 3:
        raise DomainError(
            _("A multilateral linkage joins three or more organisations: choose “Bilateral”.")
        )


def check_start(started_on: dt.date | None) -> None:
    problem = started_on and core_services.activity_date_problem(started_on)
    if problem:
        raise ValidationError(
            {"started_on": _("A sub-alliance may be dated at most a year ahead.")}
        )


@transaction.atomic
def sub_alliance_create(
    *,
    partnership: Partnership,
    user,
    name: str,
    purpose: str,
    grouping: str,
    form: str,
    organisations: Sequence[Organisation],
    roles: Mapping[int, str] | None = None,
    linkage_scope: str = "",
    linkage_locus: str = "",
    linkage_direction: str = "",
    strength: int | None = None,
    status: str = SubAlliance.Status.FORMING,
    started_on: dt.date | None = None,
) -> SubAlliance:
    """Form a sub-alliance between organisations of both sides, with its five start-up tasks,
    the first entry of its strength history (when a strength is given: None is "not assessed
    yet"), and a "sub-alliance formed" activity logged on
    the partnership. `roles` maps an organisation's id to what it brings ("buyer"…)."""
    _require_manager(user, partnership)
    if partnership.status in CLOSED_PARTNERSHIP_STATUSES:
        raise DomainError(
            _("This partnership is %(status)s: it forms no new sub-alliances.")
            % {"status": partnership.get_status_display().lower()}
        )
    organisations = list(organisations)
    _check_parties(partnership, organisations)
    _check_grouping(grouping, organisations)
    _check_scope(linkage_scope, len(organisations))
    check_start(started_on)
    sub_alliance = SubAlliance(
        partnership=partnership,
        name=name,
        purpose=purpose,
        grouping=grouping,
        form=form,
        linkage_scope=linkage_scope,
        linkage_locus=linkage_locus,
        linkage_direction=linkage_direction,
        strength=strength,
        status=status,
        started_on=started_on,
        created_by=user,
    )
    sub_alliance.full_clean()
    sub_alliance.save()
    roles = roles or {}
    SubAllianceParty.objects.bulk_create(
        SubAllianceParty(
            sub_alliance=sub_alliance,
            organisation=organisation,
            partner_id=organisation.partner_id,
            role=roles.get(organisation.pk, "")[:80],
        )
        for organisation in organisations
    )
    sub_alliance_record_formation(sub_alliance=sub_alliance, user=user)
    return sub_alliance


@transaction.atomic
def sub_alliance_record_formation(*, sub_alliance: SubAlliance, user) -> None:
    """What follows the saving of a new sub-alliance (here, and in the admin): its five
    start-up tasks, the first entry of its strength history, and the "sub-alliance formed"
    activity on the partnership."""
    StartUpTask.objects.bulk_create(
        [
            StartUpTask(sub_alliance=sub_alliance, kind=kind, position=position)
            for position, kind in enumerate(StartUpTask.Kind)
        ],
        ignore_conflicts=True,
    )
    if sub_alliance.strength is not None:  # not assessed yet: no history until it is
        StrengthRecord.objects.create(
            sub_alliance=sub_alliance, strength=sub_alliance.strength, recorded_by=user
        )
    core_services.activity_log(
        partnership=sub_alliance.partnership,
        user=user,
        kind=Activity.Kind.SUB_ALLIANCE_FORMED,
        title=f"Sub-alliance formed: {sub_alliance.name}"[:200],
        occurred_on=sub_alliance.started_on or timezone.localdate(),
        description=sub_alliance.purpose,
    )


def _lock(sub_alliance: SubAlliance) -> SubAlliance:
    return lock(SubAlliance, sub_alliance.pk, related=["partnership"])


@transaction.atomic
def sub_alliance_update(*, sub_alliance: SubAlliance, user, **fields) -> SubAlliance:
    """Change the purpose, form, linkage, status or dates. The strength changes only through
    `sub_alliance_set_strength` (which keeps its history); ending it dates the end today
    unless a date is given."""
    unknown = set(fields) - SUB_ALLIANCE_EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(names)s")
            % {"names": ", ".join(sorted(unknown))}
        )
    current = _lock(sub_alliance)
    _require_manager(user, current.partnership)
    for name, value in fields.items():
        setattr(current, name, value)
    if current.status == SubAlliance.Status.ENDED and not current.ended_on:
        current.ended_on = timezone.localdate()
    if "grouping" in fields:
        _check_grouping(current.grouping, list(current.organisations.all()))
    if "linkage_scope" in fields:
        _check_scope(current.linkage_scope, current.parties.count())
    if "started_on" in fields:
        check_start(current.started_on)
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def sub_alliance_add_party(
    *, sub_alliance: SubAlliance, organisation: Organisation, user, role: str = ""
) -> SubAllianceParty:
    current = _lock(sub_alliance)
    _require_manager(user, current.partnership)
    parties = list(current.organisations.all())
    if any(o.pk == organisation.pk for o in parties):
        raise DomainError(
            _("%(organisation)s is already a party.") % {"organisation": organisation.name}
        )
    _check_parties(current.partnership, [*parties, organisation])
    _check_grouping(current.grouping, [organisation])
    _check_scope(current.linkage_scope, len(parties) + 1)
    party = SubAllianceParty(
        sub_alliance=current,
        organisation=organisation,
        partner_id=organisation.partner_id,
        role=role,
    )
    party.full_clean()
    party.save()
    return party


@transaction.atomic
def sub_alliance_remove_party(*, party: SubAllianceParty, user) -> None:
    current = _lock(party.sub_alliance)
    _require_manager(user, current.partnership)
    rest = [o for o in current.organisations.all() if o.pk != party.organisation_id]
    _check_parties(current.partnership, rest)
    _check_scope(current.linkage_scope, len(rest))
    party.delete()


@transaction.atomic
def sub_alliance_set_strength(
    *, sub_alliance: SubAlliance, strength: int, user, note: str = ""
) -> StrengthRecord | None:
    """Set the relationship strength (0–10) and record the change in its history.
    Setting the value it already has changes nothing and records nothing (returns None)."""
    current = _lock(sub_alliance)
    _require_manager(user, current.partnership)
    if not isinstance(strength, int) or not 0 <= strength <= 10:
        raise DomainError(_("Relationship strength runs from 0 to 10."))
    if current.strength == strength:
        return None
    previous = current.strength
    current.strength = strength
    current.save(update_fields=["strength", "updated_at"])
    sub_alliance.strength = strength
    return StrengthRecord.objects.create(
        sub_alliance=current, strength=strength, previous=previous, note=note, recorded_by=user
    )


@transaction.atomic
def startup_task_update(
    *,
    task: StartUpTask,
    user,
    done: bool,
    notes: str | None = None,
    done_on: dt.date | None = None,
) -> StartUpTask:
    """Tick (or untick) a start-up task; a task that is done carries its date (today unless
    given)."""
    task = lock(StartUpTask, task.pk, related=["sub_alliance__partnership"])
    _require_manager(user, task.sub_alliance.partnership)
    task.done = done
    task.done_on = (done_on or task.done_on or timezone.localdate()) if done else None
    if notes is not None:
        task.notes = notes
    task.full_clean()
    task.save()
    return task


def _sides(sub_alliance: SubAlliance) -> set[int]:
    return set(sub_alliance.parties.values_list("partner_id", flat=True))


@transaction.atomic
def scorecard_measure_add(
    *,
    sub_alliance: SubAlliance,
    user,
    side: Partner,
    dimension: str,
    name: str,
    unit: str,
    target: Decimal | None = None,
    actual: Decimal | None = None,
) -> ScorecardMeasure:
    """Add a measure to the shared scorecard on behalf of one side (the user's city)."""
    partnership = sub_alliance.partnership
    if side.pk not in _sides(sub_alliance):
        raise DomainError(_("%(side)s is not a side of this sub-alliance.") % {"side": side.name})
    if user is not None and not permissions.can_add_measure_for(user, partnership, side):
        raise DomainError(
            _("Only officers of %(side)s may add its measures.") % {"side": side.name}
        )
    measure = ScorecardMeasure(
        sub_alliance=sub_alliance,
        dimension=dimension,
        name=name,
        unit=unit,
        target=target,
        actual=actual,
        added_by_partner=side,
        added_by=user,
    )
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def scorecard_measure_update(*, measure: ScorecardMeasure, user, **fields) -> ScorecardMeasure:
    """Record the actual value (or correct the target, name, unit) of a side's own measure."""
    unknown = set(fields) - MEASURE_EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(names)s")
            % {"names": ", ".join(sorted(unknown))}
        )
    measure = lock(
        ScorecardMeasure, measure.pk, related=["sub_alliance__partnership", "added_by_partner"]
    )
    if user is not None and not permissions.can_change_measure(user, measure):
        raise DomainError(
            _("This measure belongs to %(added_by_partner)s: only its officers may change it.")
            % {"added_by_partner": measure.added_by_partner.name}
        )
    return model_update(measure, fields)
