"""Matches a chamber proposes to a partnership's officers, and their decision.

A chamber sees the matchmaking's pairs of its own businesses and proposes one; the officers of
the partnership's member cities accept it (the pair becomes a business sub-alliance, in the
same transaction) or decline it with a message. Chambers never form sub-alliances themselves:
the partnership is the cities' to run.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alliances.models import SubAlliance
from businesses import matching, notify
from businesses import permissions as perms
from businesses.models import BusinessProfile, MatchProposal
from businesses.services.common import CLOSED_PARTNERSHIP_STATUSES
from businesses.services.outcomes import matchmaking_to_sub_alliance
from core.errors import DomainError
from core.services import lock
from partnerships.models import Partnership


def _pair(partnership: Partnership, first: BusinessProfile, second: BusinessProfile):
    """Proposals of this pair in this partnership, in either order."""
    return MatchProposal.objects.filter(
        Q(first=first, second=second) | Q(first=second, second=first), partnership=partnership
    )


@transaction.atomic
def match_propose(
    *,
    partnership: Partnership,
    first: BusinessProfile,
    second: BusinessProfile,
    user,
    message: str = "",
) -> MatchProposal:
    """The chamber of `first` (one of its own businesses) proposes the pair to the
    partnership's officers. The pair is scored again (a stale page cannot propose a pair that
    no longer matches), and the score and reasons the chamber saw are kept for the officers."""
    association = first.association
    if user is not None and not perms.can_propose_match(user, association, partnership):
        if perms.is_staff_of(user, association):
            raise DomainError(
                _(
                    "Matches can be proposed in published partnerships and in those of your own "
                    "city."
                )
            )
        raise DomainError(
            _("Only approved staff of %(association)s may propose its matches.")
            % {"association": association.name}
        )
    if partnership.status in CLOSED_PARTNERSHIP_STATUSES:
        raise DomainError(
            _("This partnership is %(status)s: it takes no new matches.")
            % {"status": partnership.get_status_display().lower()}
        )
    if second.association_id == association.pk:
        raise DomainError(_("A match pairs your business with one of another city's chamber."))
    suggestion = matching.evaluate_pair(partnership, first, second)
    if suggestion is None:
        raise DomainError(
            _(
                "%(first)s and %(second)s are not (or no longer) a match in this "
                "partnership: reload the matches to see the current ones."
            )
            % {"first": first.name, "second": second.name}
        )
    # The two chambers may propose the pair at the same moment, each in its own order (the
    # constraint is on the ordered pair): both businesses locked, in one order, so the second
    # finds the first's proposal below.
    for pk in sorted((first.pk, second.pk)):
        lock(BusinessProfile, pk)
    waiting = _pair(partnership, first, second).filter(status=MatchProposal.Status.PENDING)
    earlier = waiting.select_related("association__organisation").first()
    if earlier is not None:
        raise DomainError(
            _(
                "%(first)s and %(second)s are already proposed to the officers (by "
                "%(association)s, %(date)s): wait for their answer."
            )
            % {
                "first": first.name,
                "second": second.name,
                "association": earlier.association.name,
                "date": date_format(timezone.localtime(earlier.created_at), "d M Y"),
            }
        )
    together = (
        SubAlliance.objects.filter(partnership=partnership)
        .filter(parties__organisation_id=first.organisation_id)
        .filter(parties__organisation_id=second.organisation_id)
        .exclude(status=SubAlliance.Status.ENDED)
    )
    if together.exists():
        raise DomainError(
            _("%(first)s and %(second)s are already in a sub-alliance here.")
            % {"first": first.name, "second": second.name}
        )
    proposal = MatchProposal(
        partnership=partnership,
        first=first,
        second=second,
        association=association,
        score=suggestion.score,
        reasons=suggestion.reasons,
        direction=suggestion.direction,
        message=(message or "").strip(),
        created_by=user,
    )
    proposal.full_clean()
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:
        raise DomainError(
            _("Someone proposed this pair meanwhile: it is waiting for the officers.")
        ) from exc
    notify.match_proposed(proposal)
    return proposal


def _lock_pending(proposal: MatchProposal) -> MatchProposal:
    proposal = lock(
        MatchProposal,
        proposal.pk,
        related=[
            "partnership",
            "association__organisation",
            "first__organisation",
            "second__organisation",
        ],
    )
    if proposal.status != MatchProposal.Status.PENDING:
        raise DomainError(
            _("This proposal is already %(status)s.")
            % {"status": proposal.get_status_display().lower()}
        )
    return proposal


@transaction.atomic
def match_withdraw(*, proposal: MatchProposal, user) -> MatchProposal:
    """The proposing chamber takes back a proposal the officers have not answered yet."""
    if user is not None and not perms.can_withdraw_match(user, proposal):
        raise DomainError(_("Only the proposing association's staff may withdraw it."))
    proposal = _lock_pending(proposal)
    proposal.status = MatchProposal.Status.WITHDRAWN
    proposal.save(update_fields=["status"])
    return proposal


@transaction.atomic
def match_decide(
    *,
    proposal: MatchProposal,
    user,
    accept: bool,
    message: str = "",
    form: str = SubAlliance.Form.PARTNERSHIP,
) -> MatchProposal:
    """An officer of a member city accepts a pending proposal (the pair becomes a business
    sub-alliance, through the matchmaking's own service and in this transaction) or declines
    it, with a message the chamber sees (required when declining)."""
    proposal = _lock_pending(proposal)
    if user is not None and not perms.can_decide_match(user, proposal):
        raise DomainError(_("Only officers of the partner cities may decide on this match."))
    message = (message or "").strip()
    if not accept and not message:
        raise DomainError(_("Tell the chamber why the match is declined."))
    proposal.status = MatchProposal.Status.ACCEPTED if accept else MatchProposal.Status.DECLINED
    proposal.officer_message = message
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.full_clean()
    # Saved before the sub-alliance is formed, so that forming it finds no proposal waiting
    # (it would accept it a second time); a refusal below rolls all of it back.
    proposal.save()
    if accept:
        proposal.sub_alliance = matchmaking_to_sub_alliance(
            partnership=proposal.partnership,
            first=proposal.first,
            second=proposal.second,
            user=user,
            form=form or SubAlliance.Form.PARTNERSHIP,
        )
        proposal.save(update_fields=["sub_alliance"])
    notify.match_decided(proposal)
    return proposal
