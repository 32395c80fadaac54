"""Steps 2-4: candidates, approaching them, due diligence, feasibility, their scores against the
strategy's criteria, and the selection.

The partnership's current step does not restrict these: officers iterate. Each function
re-checks that `user` may edit the partnership (None means a trusted caller) and locks the
candidate (or the partnership) row before writing a one-per record, so two officers saving at
once cannot make two."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import page_cache
from core.errors import DomainError
from core.services import lock, model_update
from partnerships import selectors
from partnerships.models import (
    ApproachContact,
    Candidate,
    CriterionScore,
    DueDiligence,
    FeasibilityStudy,
    Partner,
    Partnership,
    PartnershipMember,
    SelectionDecision,
    Step,
    StrategyCriterion,
)
from partnerships.services.common import (
    check_may_edit,
)
from partnerships.services.walk import partnership_add_partner

# The statuses an officer sets by hand; "selected" comes only from `selection_decide`.
CANDIDATE_STATUSES_BY_HAND = (
    Candidate.Status.CONSIDERED,
    Candidate.Status.APPROACHED,
    Candidate.Status.SHORTLISTED,
    Candidate.Status.REJECTED,
)


@transaction.atomic
def candidate_add(
    *, partnership: Partnership, partner: Partner, rationale: str, user=None, **fields
) -> Candidate:
    # The lock queues two people adding the same city, so the second gets a clear refusal.
    partnership = lock(Partnership, partnership.pk)
    check_may_edit(user, partnership)
    if partnership.members.filter(partner=partner).exists():
        raise DomainError(
            _("%(city)s is already a member of this partnership.") % {"city": partner.name}
        )
    candidate = Candidate(
        partnership=partnership, partner=partner, rationale=rationale, added_by=user, **fields
    )
    candidate.full_clean()
    candidate.save()
    return candidate


@transaction.atomic
def approach_contact_add(*, candidate: Candidate, user=None, **fields) -> ApproachContact:
    """Record a contact with a candidate; a candidate only considered so far is now approached."""
    check_may_edit(user, candidate.partnership)
    locked = lock(Candidate, candidate.pk, related=["partner"])
    contact = ApproachContact(candidate=locked, **fields)
    contact.full_clean()
    contact.save()
    if locked.status == Candidate.Status.CONSIDERED:
        locked.status = Candidate.Status.APPROACHED
        locked.save(update_fields=["status"])
        candidate.status = locked.status
    return contact


def _one_to_one_save(model, candidate: Candidate, user, fields: dict):
    check_may_edit(user, candidate.partnership)
    locked = lock(Candidate, candidate.pk, related=["partner"])
    record = model.objects.filter(candidate=locked).first() or model(candidate=locked)
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def due_diligence_save(*, candidate: Candidate, user=None, **fields) -> DueDiligence:
    """Create or update the candidate's due diligence (alliance history, capability gaps)."""
    return _one_to_one_save(DueDiligence, candidate, user, fields)


@transaction.atomic
def feasibility_save(*, candidate: Candidate, user=None, **fields) -> FeasibilityStudy:
    """Create or update the candidate's feasibility study."""
    return _one_to_one_save(FeasibilityStudy, candidate, user, fields)


@transaction.atomic
def candidate_set_status(*, candidate: Candidate, status: str, user=None) -> Candidate:
    """Move a candidate between considered, approached, shortlisted and rejected."""
    check_may_edit(user, candidate.partnership)
    if status not in CANDIDATE_STATUSES_BY_HAND:
        raise DomainError(
            _(
                "Choose considered, approached, shortlisted or rejected: a candidate is selected "
                "by recording the selection decision."
            )
        )
    locked = lock(Candidate, candidate.pk, related=["partner"])
    if locked.status == Candidate.Status.SELECTED:
        raise DomainError(
            _(
                "%(city)s is the selected partner: record a different selection decision before "
                "changing its status."
            )
            % {"city": locked.partner.name}
        )
    model_update(locked, {"status": status})
    candidate.status = status
    return locked


def selection_criteria(partnership: Partnership) -> list[StrategyCriterion]:
    """The criteria candidates are scored against (`selectors.criteria_of`), in one query."""
    return list(selectors.criteria_of(partnership).select_related("strategy__partner"))


@transaction.atomic
def criterion_scores_save(
    *,
    partnership: Partnership,
    scores: Mapping[tuple[int, int], int | None],
    user=None,
) -> int:
    """Save a whole scoring grid at once: {(candidate id, criterion id): score or None}.

    None clears a score. Every score is checked before anything is written, so an
    out-of-range value saves nothing. Returns how many scores changed.
    """
    check_may_edit(user, partnership)
    partnership = lock(Partnership, partnership.pk)
    criteria = {c.pk: c for c in selection_criteria(partnership)}
    candidates = set(
        partnership.candidates.exclude(status=Candidate.Status.REJECTED).values_list(
            "pk", flat=True
        )
    )
    existing = {
        (s.candidate_id, s.criterion_id): s
        for s in CriterionScore.objects.filter(
            candidate__partnership=partnership, criterion_id__in=criteria
        )
    }
    to_create, to_update, to_delete, problems = [], [], [], []
    for (candidate_id, criterion_id), value in scores.items():
        criterion = criteria.get(criterion_id)
        if candidate_id not in candidates or criterion is None:
            raise DomainError(
                _("The candidates or criteria changed meanwhile; reload the page and score again.")
            )
        current = existing.get((candidate_id, criterion_id))
        if value is None:
            if current is not None:
                to_delete.append(current.pk)
            continue
        if not 0 <= value <= criterion.max_score:
            problems.append(
                _("%(criterion)s: a score runs from 0 to %(max)s.")
                % {"criterion": criterion.name, "max": criterion.max_score}
            )
            continue
        if current is None:
            score = CriterionScore(candidate_id=candidate_id, criterion=criterion, score=value)
            to_create.append(score)
        elif current.score != value:
            current.score = value
            to_update.append(current)
    if problems:
        raise ValidationError(problems)
    for score in [*to_create, *to_update]:
        score.clean_fields(exclude=["candidate", "criterion"])
        score.clean()
    CriterionScore.objects.filter(pk__in=to_delete).delete()
    CriterionScore.objects.bulk_create(to_create)
    CriterionScore.objects.bulk_update(to_update, ["score"])
    page_cache.bump()  # bulk writes send no signal (core/page_cache.py)
    return len(to_create) + len(to_update) + len(to_delete)


@transaction.atomic
def selection_decide(
    *, partnership: Partnership, candidate: Candidate, reasons: str, user=None
) -> SelectionDecision:
    """Choose a candidate: it joins the partnership as counterpart; the others are not chosen."""
    partnership = lock(Partnership, partnership.pk)
    check_may_edit(user, partnership)
    if candidate.partnership_id != partnership.pk:
        raise DomainError(_("Choose one of this partnership's candidates."))
    if candidate.status == Candidate.Status.REJECTED:
        raise DomainError(
            _("%(city)s was rejected; shortlist it again first.") % {"city": candidate.partner.name}
        )
    if not reasons.strip():
        raise DomainError(_("Give the reasons for the selection."))
    previous = SelectionDecision.objects.filter(partnership=partnership).first()
    if previous and previous.candidate_id != candidate.pk:
        # A changed mind: the earlier choice goes back to the shortlist and, while nothing has
        # been planned or signed with it yet, leaves the partnership again.
        Candidate.objects.filter(pk=previous.candidate_id).update(
            status=Candidate.Status.SHORTLISTED
        )
        if partnership.step <= Step.SELECTION:
            partnership.members.filter(
                partner_id=previous.candidate.partner_id, role=PartnershipMember.Role.COUNTERPART
            ).delete()
    decision, _created = SelectionDecision.objects.update_or_create(
        partnership=partnership,
        defaults={"candidate": candidate, "reasons": reasons, "decided_by": user},
    )
    Candidate.objects.filter(pk=candidate.pk).update(status=Candidate.Status.SELECTED)
    if not partnership.members.filter(partner_id=candidate.partner_id).exists():
        partnership_add_partner(partnership=partnership, partner=candidate.partner)
    return decision
