"""The partnership dossier: one printable PDF per partnership for council meetings.

`dossier_context` gathers what the council reads — partners, fit with the strategy, MOU terms,
plan and KPIs, the latest review with its KPI results, the health (from annotations of the
partnership's own query), and the sections other apps add on the hook `dossier.sections`
(core.hooks: sub-alliances and outcomes come from the businesses app, which this app never
imports). `render_pdf` prints it with WeasyPrint.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.template.loader import render_to_string
from django.utils import timezone

from core import hooks
from core.text import printable
from partnerships import health
from partnerships.models import (
    KPI,
    MOU,
    KPIResult,
    MOUSignatory,
    Partnership,
    PartnershipMember,
    PlanAction,
    Review,
    StrategyCriterion,
    TwinningStrategy,
)
from partnerships.selectors import GroupConcat, area_names, sign_off_entries
from partnerships.selectors.signoff import sign_off_column

# (partnership) -> {"title": str, "tables": [{"caption", "headers", "rows", "empty"}],
#                   "paragraphs": [str]} or None


class _JoinedBySemicolon(GroupConcat):
    """GroupConcat with "; " between the items (a signatory's text holds commas). No ORDER BY:
    the expression carries parameters, which an ORDER BY repeating it would need twice."""

    template = "%(function)s(%(expressions)s, '; ')"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super(GroupConcat, self).as_sql(
            compiler, connection, function="GROUP_CONCAT", **extra_context
        )


def _mou_columns() -> dict:
    """The MOU's areas and signatories as text columns of its own row (two queries fewer
    than prefetching them: the dossier stays within the page query budget)."""
    areas = MOU.areas.through.objects.filter(mou=OuterRef("pk")).order_by().values("mou")
    signatory = Concat(
        F("name"),
        Case(When(title="", then=Value("")), default=Concat(Value(", "), F("title"))),
        Value(" ("),
        F("partner__name"),
        Value(")"),
        output_field=CharField(),
    )
    signatories = MOUSignatory.objects.filter(mou=OuterRef("pk"))
    return {
        "area_names": Subquery(
            areas.annotate(names=GroupConcat("cooperationarea__name")).values("names"),
            output_field=CharField(),
        ),
        "signatory_names": Subquery(
            signatories.order_by()
            .values("mou")
            .annotate(names=_JoinedBySemicolon(signatory))
            .values("names"),
            output_field=CharField(),
        ),
    }


def dossier_queryset(partnerships: QuerySet[Partnership] | None = None) -> QuerySet[Partnership]:
    """`partnerships` (all by default) read with what the dossier prints from the row itself:
    its strategy, selection, plan and letter, members and areas, and the health facts as
    annotations (so that the health costs no query of its own). A view that reads the
    partnership through it (see `views.reports.dossier_pdf`) spares `dossier_context` a
    second read."""
    qs = Partnership.objects.all() if partnerships is None else partnerships
    qs = qs.select_related(
        "strategy__partner",
        "selection_decision__candidate__partner",
        "business_plan",
        "letter_of_intent",
    ).prefetch_related(
        Prefetch(
            "members",
            queryset=PartnershipMember.objects.select_related("partner").order_by(
                "-role", "partner__name"
            ),
        ),
    )
    # The joint sign-off's confirmations in a column of the row: no query of their own.
    qs = qs.annotate(area_names=area_names(), sign_off_text=sign_off_column())
    return health.with_health_facts(qs, timezone.localdate()).annotate(dossier_ready=Value(True))


def dossier_context(partnership: Partnership) -> dict:
    """Everything the dossier prints, read in a fixed number of queries."""
    if not getattr(partnership, "dossier_ready", False):
        partnership = dossier_queryset().get(pk=partnership.pk)
    members = list(partnership.members.all())
    home = next((m.partner for m in members if m.role == PartnershipMember.Role.HOME), None)
    strategy = partnership.strategy
    if strategy is None and home is not None:
        strategy = (
            TwinningStrategy.objects.filter(partner=home, status=TwinningStrategy.Status.IN_FORCE)
            .select_related("partner")
            .first()
        )
    decision = getattr(partnership, "selection_decision", None)
    scores = []
    if decision is not None:
        scores = list(
            decision.candidate.scores.select_related("criterion").order_by(
                "-criterion__weight", "criterion__name"
            )
        )
    # The strategy's criteria are printed only while no selection has been decided.
    criteria = (
        list(StrategyCriterion.objects.filter(strategy=strategy).order_by("-weight", "name"))
        if strategy and decision is None
        else []
    )
    mous = list(
        MOU.objects.filter(partnership=partnership)
        .annotate(**_mou_columns())
        .order_by("-effective_on", "-id")
    )
    mou = next((m for m in mous if m.status == MOU.Status.SIGNED), mous[0] if mous else None)
    plan = getattr(partnership, "business_plan", None)
    actions = (
        list(PlanAction.objects.filter(plan=plan).select_related("owner_partner")) if plan else []
    )
    review_id = partnership.h_last_review_id
    kpis = list(
        KPI.objects.filter(partnership=partnership)
        .select_related("area")
        # The latest completed review's value of each KPI, in the same query.
        .annotate(
            latest=FilteredRelation("results", condition=Q(results__review_id=review_id)),
            latest_id=F("latest__id"),
            latest_actual=F("latest__actual"),
            latest_note=F("latest__note"),
        )
        .order_by("name", "id")
    )
    review = Review.objects.filter(pk=review_id).first() if review_id is not None else None
    results = [
        KPIResult(id=k.latest_id, review=review, kpi=k, actual=k.latest_actual, note=k.latest_note)
        for k in kpis
        if review is not None and k.latest_id is not None
    ]
    sections = hooks.collect("dossier.sections", partnership)
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
        # Each city's confirmation at selection and the MOU; one given outside the portal
        # says so, with who gave it, their role and the date.
        "sign_off": sign_off_entries(partnership),
        "plan": plan,
        "actions": actions,
        "kpis": kpis,
        "review": review,
        "results": results,
        "failure_causes": failure_causes,
        "health": health.attach_health([partnership])[0].health,
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

    # Control characters stored before forms refused them are dropped (core/text.py).
    html = printable(render_html(partnership, request))
    # No base URL: the print template carries its own stylesheet and loads nothing from outside.
    return weasyprint.HTML(string=html).write_pdf()
