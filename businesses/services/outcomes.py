"""What business sub-alliances achieve (outcomes), and matchmaking pairs formed into one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances import permissions as alliance_permissions
from alliances import services as alliance_services
from alliances.models import Grouping, SubAlliance
from businesses import matching, notify
from businesses import permissions as perms
from businesses.models import (
    BusinessProfile,
    MatchProposal,
    Outcome,
)
from core.errors import DomainError
from partnerships.models import (
    Partner,
    Partnership,
)

OUTCOME_GROUPINGS = frozenset({Grouping.BUSINESS, Grouping.MIXED})


@transaction.atomic
def outcome_record(
    *,
    sub_alliance: SubAlliance,
    user,
    kind: str,
    amount: Decimal | int | str,
    currency: str = "",
    occurred_on: dt.date | None = None,
    partner: Partner | None = None,
    note: str = "",
) -> Outcome:
    """Record an economic result of a business (or mixed) sub-alliance: a count, or a sum of
    money with its currency, on the date it happened (not in the future)."""
    if user is not None and not perms.can_record_outcome(user, sub_alliance):
        raise DomainError(
            _(
                "Only officers of the partner cities, or the staff of a chamber taking part, may "
                "record its outcomes."
            )
        )
    if sub_alliance.grouping not in OUTCOME_GROUPINGS:
        raise DomainError(
            _(
                "Economic outcomes are recorded for business (or mixed) "
                "sub-alliances; this one is %(grouping)s."
            )
            % {"grouping": sub_alliance.get_grouping_display().lower()}
        )
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("Record a result once it has happened.")})
    if partner is not None and not sub_alliance.parties.filter(partner=partner).exists():
        raise DomainError(
            _("%(partner)s is not a side of this sub-alliance.") % {"partner": partner.name}
        )
    outcome = Outcome(
        sub_alliance=sub_alliance,
        kind=kind,
        amount=amount,
        currency=currency,
        occurred_on=occurred_on,
        partner=partner,
        note=note,
        recorded_by=user,
    )
    outcome.full_clean()
    outcome.save()
    return outcome


@transaction.atomic
def matchmaking_to_sub_alliance(
    *,
    partnership: Partnership,
    first: BusinessProfile,
    second: BusinessProfile,
    user,
    form: str = SubAlliance.Form.PARTNERSHIP,
    name: str = "",
    started_on: dt.date | None = None,
) -> SubAlliance:
    """Turn a matchmaking suggestion into a bilateral, external business sub-alliance in one
    step: the pair is scored again (so a stale page cannot form a pair that no longer
    matches), and the direction, roles and reasons come from the suggestion. A chamber's
    proposal of the pair still waiting is accepted with it."""
    if user is not None and not alliance_permissions.can_manage_sub_alliances(user, partnership):
        raise DomainError(_("Only officers of the partner cities may form its sub-alliances."))
    suggestion = matching.evaluate_pair(partnership, first, second)
    if suggestion is None:
        raise DomainError(
            _(
                "%(first)s and %(second)s are not (or no longer) a suggested match "
                "in this partnership: form the sub-alliance by hand if you still "
                "want it."
            )
            % {"first": first.name, "second": second.name}
        )
    together = SubAlliance.objects.filter(
        Q(parties__organisation_id=first.organisation_id),
        partnership=partnership,
    ).filter(parties__organisation_id=second.organisation_id)
    if together.exclude(status=SubAlliance.Status.ENDED).exists():
        raise DomainError(
            _("%(first)s and %(second)s are already in a sub-alliance here.")
            % {"first": first.name, "second": second.name}
        )
    roles = {}
    if suggestion.supplier is not None:
        roles = {
            suggestion.supplier.organisation_id: "supplier",
            suggestion.buyer.organisation_id: "buyer",
        }
    sub_alliance = alliance_services.sub_alliance_create(
        partnership=partnership,
        user=user,
        name=name or f"{first.name} – {second.name}",
        purpose="Formed from a matchmaking suggestion. " + " ".join(suggestion.reasons),
        grouping=Grouping.BUSINESS,
        form=form,
        organisations=[suggestion.first.organisation, suggestion.second.organisation],
        roles=roles,
        linkage_scope=SubAlliance.LinkageScope.BILATERAL,
        linkage_locus=SubAlliance.LinkageLocus.EXTERNAL,
        linkage_direction=suggestion.direction,
        started_on=started_on,
    )
    _accept_waiting_proposals(partnership, first, second, sub_alliance, user)
    return sub_alliance


def _accept_waiting_proposals(partnership, first, second, sub_alliance, user) -> None:
    """A chamber's proposal of the pair still waiting is answered by forming it: accepted, with
    the sub-alliance (the officers formed it from the matchmaking rather than the proposal)."""
    waiting = MatchProposal.objects.filter(
        Q(first=first, second=second) | Q(first=second, second=first),
        partnership=partnership,
        status=MatchProposal.Status.PENDING,
    )
    for proposal in waiting.select_for_update():
        proposal.status = MatchProposal.Status.ACCEPTED
        proposal.sub_alliance = sub_alliance
        proposal.decided_by = user
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "sub_alliance", "decided_by", "decided_at"])
        notify.match_decided(proposal)
