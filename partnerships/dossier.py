"""The partnership dossier: one printable PDF per partnership for council meetings.

`dossier_context` gathers what the council reads — partners, fit with the strategy, MOU terms,
plan and KPIs, the latest review (with its KPI results and the health, when the health module
offers it), and the sections other apps add through `SECTIONS` (sub-alliances and outcomes come
from the businesses app, which this app never imports). `render_pdf` prints it with WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from partnerships.models import (
    KPI,
    MOU,
    KPIResult,
    Partnership,
    PartnershipMember,
    PlanAction,
    Review,
    StrategyCriterion,
    TwinningStrategy,
)

# (partnership) -> {"title": str, "tables": [{"caption", "headers", "rows", "empty"}],
#                   "paragraphs": [str]} or None
SECTIONS: list[Callable[[Partnership], dict | None]] = []


def _health(partnership: Partnership):
    """The partnership's health from `partnerships.health.health_for`, when it exists."""
    try:
        from partnerships import health  # written by another engineer; may not exist yet
    except ImportError:
        return None
    health_for = getattr(health, "health_for", None)
    if health_for is None:
        return None
    return health_for([partnership.pk]).get(partnership.pk)


def dossier_context(partnership: Partnership) -> dict:
    """Everything the dossier prints, read in a fixed number of queries."""
    partnership = (
        Partnership.objects.select_related(
            "strategy__partner",
            "selection_decision__candidate__partner",
            "business_plan",
            "letter_of_intent",
        )
        .prefetch_related(
            Prefetch(
                "members",
                queryset=PartnershipMember.objects.select_related("partner").order_by(
                    "-role", "partner__name"
                ),
            ),
            "areas",
        )
        .get(pk=partnership.pk)
    )
    members = list(partnership.members.all())
    home = next((m.partner for m in members if m.role == PartnershipMember.Role.HOME), None)
    strategy = partnership.strategy
    if strategy is None and home is not None:
        strategy = (
            TwinningStrategy.objects.filter(partner=home, status=TwinningStrategy.Status.IN_FORCE)
            .select_related("partner")
            .first()
        )
    criteria = (
        list(StrategyCriterion.objects.filter(strategy=strategy).order_by("-weight", "name"))
        if strategy
        else []
    )
    decision = getattr(partnership, "selection_decision", None)
    scores = []
    if decision is not None:
        scores = list(
            decision.candidate.scores.select_related("criterion").order_by(
                "-criterion__weight", "criterion__name"
            )
        )
    mous = list(
        MOU.objects.filter(partnership=partnership)
        .prefetch_related("areas", "signatories__partner")
        .order_by("-effective_on", "-id")
    )
    mou = next((m for m in mous if m.status == MOU.Status.SIGNED), mous[0] if mous else None)
    plan = getattr(partnership, "business_plan", None)
    actions = (
        list(PlanAction.objects.filter(plan=plan).select_related("owner_partner")) if plan else []
    )
    kpis = list(KPI.objects.filter(partnership=partnership).select_related("area"))
    review = (
        Review.objects.filter(partnership=partnership, status=Review.Status.COMPLETED)
        .order_by("-period_end", "-id")
        .first()
    )
    results = []
    if review is not None:
        results = list(
            KPIResult.objects.filter(review=review).select_related("kpi").order_by("kpi__name")
        )
    sections = [s for s in (provider(partnership) for provider in SECTIONS) if s]
    failure_causes = []
    if review is not None:
        failure_causes = [
            str(Review._meta.get_field(name).verbose_name)
            for name in Review.FAILURE_CAUSE_FIELDS
            if getattr(review, name)
        ]
    return {
        "partnership": partnership,
        "members": members,
        "home": home,
        "strategy": strategy,
        "criteria": criteria,
        "decision": decision,
        "scores": scores,
        "mou": mou,
        "plan": plan,
        "actions": actions,
        "kpis": kpis,
        "review": review,
        "results": results,
        "failure_causes": failure_causes,
        "health": _health(partnership),
        "sections": sections,
        "printed_on": timezone.localdate(),
    }


def render_html(partnership: Partnership, request=None) -> str:
    return render_to_string(
        "partnerships/reports/dossier.html", dossier_context(partnership), request=request
    )


def render_pdf(partnership: Partnership, request=None) -> bytes:
    """The dossier as PDF bytes. WeasyPrint needs Pango on the machine (see the README)."""
    import weasyprint

    html = render_html(partnership, request)
    # No base URL: the print template carries its own stylesheet and loads nothing from outside.
    return weasyprint.HTML(string=html).write_pdf()
