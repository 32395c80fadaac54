"""Step 4 of the partnering process: scoring the candidates against the strategy's criteria and
recording the selection.

Every page here writes (or is the form of a write), so each one asks
`editable_partnership_or_404`. The partnership's current step does not restrict these pages:
officers iterate between search, approach and selection, so a notice only says where the
partnership stands.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import (
    Prefetch,
)
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.views import apply_errors
from partnerships import services
from partnerships.forms.search import (
    ScoreGridForm,
    SelectionDecisionForm,
)
from partnerships.models import (
    Candidate,
    CriterionScore,
    PartnershipMember,
    SelectionDecision,
    Step,
)
from partnerships.views.common import editable_partnership_or_404
from partnerships.views.search import step_notice


@dataclass
class Standing:
    candidate: Candidate
    total: int  # sum of score × weight
    maximum: int  # sum of max_score × weight
    scored: int  # criteria scored so far

    @property
    def percent(self) -> float:
        return round(100 * self.total / self.maximum, 1) if self.maximum else 0.0


def comparison(candidates: list[Candidate], criteria) -> list[Standing]:
    """Each candidate's weighted total over prefetched scores, best first."""
    weights = {c.pk: c.weight for c in criteria}
    maximum = sum(c.max_score * c.weight for c in criteria)
    rows = []
    for cand in candidates:
        scores = [s for s in cand.scores.all() if s.criterion_id in weights]
        total = sum(s.score * weights[s.criterion_id] for s in scores)
        rows.append(Standing(cand, total, maximum, len(scores)))
    rows.sort(key=lambda r: (-r.total, r.candidate.partner.name, r.candidate.pk))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def selection(request, pk: int):
    partnership = editable_partnership_or_404(request, pk)
    criteria = services.selection_criteria(partnership)
    candidates = list(
        partnership.candidates.exclude(status=Candidate.Status.REJECTED)
        .select_related("partner")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=CriterionScore.objects.filter(criterion_id__in=[c.pk for c in criteria]),
            )
        )
        .order_by("partner__name", "pk")
    )
    saved = {(s.candidate_id, s.criterion_id): s.score for c in candidates for s in c.scores.all()}

    decision = (
        SelectionDecision.objects.filter(partnership=partnership)
        .select_related("candidate__partner", "decided_by")
        .first()
    )
    grid = ScoreGridForm(candidates=candidates, criteria=criteria, initial_scores=saved)
    decision_form = SelectionDecisionForm(
        candidates=candidates,
        prefix="decision",
        initial={"candidate": decision.candidate_id if decision else None},
    )
    action = request.POST.get("form") if request.method == "POST" else None
    if action == "scores":
        grid = ScoreGridForm(
            request.POST, candidates=candidates, criteria=criteria, initial_scores=saved
        )
        if grid.is_valid():
            try:
                changed = services.criterion_scores_save(
                    partnership=partnership, scores=grid.scores(), user=request.user
                )
            except DomainError as exc:
                grid.add_error(None, exc.message)
            except ValidationError as exc:
                grid.add_error(None, exc.messages)
            else:
                messages.success(request, _("Scores saved (%(n)s changed).") % {"n": changed})
                return redirect("partnerships:selection", partnership.pk)
    elif action == "decide":
        decision_form = SelectionDecisionForm(
            request.POST, candidates=candidates, prefix="decision"
        )
        if decision_form.is_valid():
            chosen = decision_form.chosen
            try:
                services.selection_decide(
                    partnership=partnership,
                    candidate=chosen,
                    reasons=decision_form.cleaned_data["reasons"],
                    user=request.user,
                )
            except DomainError as exc:
                decision_form.add_error(None, exc.message)
            except ValidationError as exc:
                apply_errors(decision_form, exc)
            else:
                messages.success(
                    request,
                    _("%(city)s is selected and joins the partnership as counterpart.")
                    % {"city": chosen.partner.name},
                )
                return redirect("partnerships:selection", partnership.pk)
    elif request.method == "POST":
        # A POST without a known form (a stale or forged page): say so, write nothing.
        messages.error(request, _("The page was out of date; nothing was saved. Try again."))

    home = None
    if not criteria:
        member = (
            PartnershipMember.objects.filter(
                partnership=partnership, role=PartnershipMember.Role.HOME
            )
            .select_related("partner")
            .first()
        )
        home = member.partner if member else None
    return render(
        request,
        "partnerships/search/selection.html",
        {
            "partnership": partnership,
            "criteria": criteria,
            "strategy": criteria[0].strategy if criteria else None,
            "candidates": candidates,
            "grid": grid,
            "grid_rows": grid.rows(),
            "standings": comparison(candidates, criteria),
            "decision": decision,
            "decision_form": decision_form,
            "home": home,
            "step_notice": step_notice(partnership, Step.SELECTION),
        },
    )


urlpatterns = [
    path("partnerships/<id:pk>/selection/", selection, name="selection"),
]
