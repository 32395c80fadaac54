"""The eight-step partnering process, readable top to bottom.

A partnership walks forward one step at a time, and may return to any earlier step with a
written reason. Each step leaves artefacts behind that the next one needs; a step's *gate*
lists them, and a partnership may leave the step only when every requirement is met.

The gates are plain functions over `Facts`, a snapshot of what exists for one partnership,
gathered in a fixed handful of queries: so a page can show every step's checklist cheaply.

This module only answers questions ("what is missing?", "may it return there?"). The one
function that changes a partnership's step is `services.partnership_move`, which locks the
row, asks this module, saves and records the move.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.querysets import compiled_once
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    BusinessPlan,
    Candidate,
    CityMembership,
    LetterOfIntent,
    MoveConfirmation,
    OfflineConfirmation,
    Partner,
    Partnership,
    PartnershipMember,
    SelectionDecision,
    Step,
    TwinningStrategy,
)

FIRST_STEP = Step.STRATEGY
LAST_STEP = Step.MEASUREMENT

# Moves out of these steps commit both cities, so each member city must confirm: through one
# of its officers, or (a city with none in the portal) outside it, recorded by the home side.
JOINT_SIGN_OFF_STEPS = frozenset({Step.SELECTION, Step.AGREEMENT})


@dataclass(frozen=True)
class Requirement:
    """One thing a step's gate asks for, phrased so it reads as a to-do when missing."""

    text: str
    met: bool


@dataclass(frozen=True)
class Facts:
    """What exists for one partnership: everything the gates look at."""

    step: int
    has_home: bool
    home_strategy_in_force: bool
    candidates: bool
    approached: bool
    due_diligence: bool
    feasibility: bool
    decision: bool
    members: int
    letter_of_intent: bool
    business_plan: bool
    kpis: bool
    signed_mou_with_dates: bool
    activities: bool
    # (partner id, name, has officers in the portal) of every member city, and which of them
    # confirmed (an officer's confirmation, or one given outside the portal and not disputed).
    sign_off_sides: list[tuple[int, str, bool]] = field(default_factory=list)
    confirmed_sides: set[int] = field(default_factory=set)


def _fact_annotations() -> dict:
    """What the gates look at, as annotations of a partnership row (`gather_facts`)."""
    of_it = {"partnership": OuterRef("pk")}
    candidates = Candidate.objects.filter(**of_it)
    home = PartnershipMember.objects.filter(**of_it, role=PartnershipMember.Role.HOME)
    return dict(
        f_has_home=Exists(home),
        f_strategy=Exists(
            TwinningStrategy.objects.filter(
                status=TwinningStrategy.Status.IN_FORCE,
                partner__memberships__partnership=OuterRef("pk"),
                partner__memberships__role=PartnershipMember.Role.HOME,
            )
        ),
        f_candidates=Exists(candidates),
        f_approached=Exists(candidates.filter(contacts__isnull=False)),
        f_due_diligence=Exists(candidates.filter(due_diligence__isnull=False)),
        f_feasibility=Exists(candidates.filter(feasibility__isnull=False)),
        f_decision=Exists(SelectionDecision.objects.filter(**of_it)),
        f_members=Count("members", distinct=True),
        f_loi=Exists(LetterOfIntent.objects.filter(**of_it)),
        f_plan=Exists(BusinessPlan.objects.filter(**of_it)),
        f_kpis=Exists(KPI.objects.filter(**of_it)),
        f_mou=Exists(
            MOU.objects.filter(
                **of_it,
                status=MOU.Status.SIGNED,
                effective_on__isnull=False,
                expires_on__isnull=False,
            )
        ),
        f_activities=Exists(Activity.objects.filter(**of_it)),
    )


def _facts_of(step: int, row: dict, sides: list, confirmed: set) -> Facts:
    return Facts(
        step=step,
        has_home=row["f_has_home"],
        home_strategy_in_force=row["f_strategy"],
        candidates=row["f_candidates"],
        approached=row["f_approached"],
        due_diligence=row["f_due_diligence"],
        feasibility=row["f_feasibility"],
        decision=row["f_decision"],
        members=row["f_members"],
        letter_of_intent=row["f_loi"],
        business_plan=row["f_plan"],
        kpis=row["f_kpis"],
        signed_mou_with_dates=row["f_mou"],
        activities=row["f_activities"],
        sign_off_sides=sides,
        confirmed_sides=confirmed,
    )


@compiled_once(maxsize=1, as_dicts=True)
def _facts_row(pk: int) -> QuerySet:
    """The partnership's gate facts: the SQL compiled once, the same for every request."""
    return Partnership.objects.filter(pk=pk).values(**_fact_annotations())


def gather_facts(partnership: Partnership) -> Facts:
    """Two queries, whatever the partnership holds (one outside a joint sign-off step)."""
    found = _facts_row(partnership.pk)
    if not found:
        raise Partnership.DoesNotExist(f"No partnership {partnership.pk}.")
    row = found[0]
    sides, confirmed = [], set()
    if partnership.step in JOINT_SIGN_OFF_STEPS:
        # Every member city, whether it has officers, and whether it confirmed: one query.
        rows = (
            Partner.objects.filter(memberships__partnership=partnership)
            .annotate(
                officers=Exists(CityMembership.objects.filter(partner=OuterRef("pk"))),
                confirmed=Exists(_confirmations(partnership, MoveConfirmation, "at"))
                | Exists(_confirmations(partnership, OfflineConfirmation, "recorded_at")),
            )
            .order_by("name")
            .values_list("pk", "name", "officers", "confirmed")
        )
        sides = [(pk, name, officers) for pk, name, officers, _ in rows]
        confirmed = {pk for pk, _, _, yes in rows if yes}
    return _facts_of(partnership.step, row, sides, confirmed)


def gather_facts_many(partnerships: Iterable[Partnership]) -> dict[int, Facts]:
    """`gather_facts` for many partnerships in two queries whatever their number (a list's
    rows, the API): {partnership id: Facts}."""
    partnerships = list(partnerships)
    if not partnerships:
        return {}
    rows = {
        row["pk"]: row
        for row in Partnership.objects.filter(pk__in=[p.pk for p in partnerships]).values(
            "pk", **_fact_annotations()
        )
    }
    joint = [p.pk for p in partnerships if p.step in JOINT_SIGN_OFF_STEPS]
    sides: dict[int, list] = {pk: [] for pk in joint}
    confirmed: dict[int, set] = {pk: set() for pk in joint}
    if joint:
        # Each member city of those partnerships, as `gather_facts` reads them: one query.
        since = {
            "partnership": OuterRef("partnership_id"),
            "step": OuterRef("partnership__step"),
            "partner": OuterRef("partner_id"),
        }
        online = MoveConfirmation.objects.filter(
            **since, at__gte=OuterRef("partnership__step_entered_at")
        )
        offline = OfflineConfirmation.objects.filter(
            **since, recorded_at__gte=OuterRef("partnership__step_entered_at")
        ).exclude(status=OfflineConfirmation.Status.DISPUTED)
        members = (
            PartnershipMember.objects.filter(partnership_id__in=joint)
            .annotate(
                officers=Exists(CityMembership.objects.filter(partner=OuterRef("partner_id"))),
                confirmed=Exists(online) | Exists(offline),
            )
            .order_by("partner__name", "partner_id")
            .values_list("partnership_id", "partner_id", "partner__name", "officers", "confirmed")
        )
        for partnership_id, pk, name, officers, yes in members:
            sides[partnership_id].append((pk, name, officers))
            if yes:
                confirmed[partnership_id].add(pk)
    return {
        p.pk: _facts_of(p.step, rows[p.pk], sides.get(p.pk, []), confirmed.get(p.pk, set()))
        for p in partnerships
        if p.pk in rows
    }


def _confirmations(partnership: Partnership, model, at: str):
    """`model`'s confirmations of the city in the outer query, for the current passage of
    the partnership's step (a disputed one given outside the portal does not count)."""
    qs = model.objects.filter(
        partnership=partnership,
        step=partnership.step,
        partner=OuterRef("pk"),
        **{f"{at}__gte": partnership.step_entered_at},
    )
    if model is OfflineConfirmation:
        qs = qs.exclude(status=OfflineConfirmation.Status.DISPUTED)
    return qs


def confirmed_partner_ids(partnership: Partnership, step: int | None = None) -> set[int]:
    """The member cities that confirmed leaving `step` (default: the current one) since the
    partnership entered it: by an officer, or outside the portal and not disputed. One query."""
    since = {
        "partnership": partnership,
        "step": step or partnership.step,
    }
    online = MoveConfirmation.objects.filter(**since, at__gte=partnership.step_entered_at)
    offline = OfflineConfirmation.objects.filter(
        **since, recorded_at__gte=partnership.step_entered_at
    ).exclude(status=OfflineConfirmation.Status.DISPUTED)
    rows = (
        online.order_by()
        .values_list("partner_id")
        .union(offline.order_by().values_list("partner_id"))
    )
    return {pk for (pk,) in rows}


# --- The gates: what must exist before a partnership may leave each step -------------------


def joint_sign_off(f: Facts, step: Step) -> list[Requirement]:
    """One confirmation per member city, when there are two or more. A city without officers
    in the portal is not skipped (that let one side's word commit both): one of its officers
    joins and confirms, or the home side records its confirmation given outside the portal."""
    if f.step != step or len(f.sign_off_sides) < 2:
        return []
    return [
        Requirement(
            gettext("Confirmation from an officer of %(city)s.") % {"city": name}
            if has_officers
            else gettext(
                "Confirmation from %(city)s: it has no officer in the portal yet; invite one, "
                "or record its confirmation given outside the portal."
            )
            % {"city": name},
            pk in f.confirmed_sides,
        )
        for pk, name, has_officers in f.sign_off_sides
    ]


def leave_strategy(f: Facts) -> list[Requirement]:
    return [
        Requirement(gettext("Name the home city of the partnership."), f.has_home),
        Requirement(
            gettext("Put a twinning strategy in force for the home city."), f.home_strategy_in_force
        ),
    ]


def leave_search(f: Facts) -> list[Requirement]:
    return [
        Requirement(
            gettext("Draw up at least one candidate city, with its rationale."), f.candidates
        )
    ]


def leave_approach(f: Facts) -> list[Requirement]:
    return [
        Requirement(gettext("Record an approach to at least one candidate."), f.approached),
        Requirement(gettext("Complete due diligence on at least one candidate."), f.due_diligence),
        Requirement(
            gettext("Complete a feasibility study of at least one candidate."), f.feasibility
        ),
    ]


def leave_selection(f: Facts) -> list[Requirement]:
    return [
        Requirement(gettext("Record the selection decision with its reasons."), f.decision),
        Requirement(
            gettext("Have at least two partner cities in the partnership."), f.members >= 2
        ),
        *joint_sign_off(f, Step.SELECTION),
    ]


def leave_planning(f: Facts) -> list[Requirement]:
    return [
        Requirement(gettext("Record the letter of intent."), f.letter_of_intent),
        Requirement(
            gettext("Write the business plan (vision, goals, objectives, scope)."), f.business_plan
        ),
        Requirement(gettext("Agree at least one KPI with baseline, target and unit."), f.kpis),
    ]


def leave_agreement(f: Facts) -> list[Requirement]:
    # Implementation may only start under a signed agreement that says when it runs.
    return [
        Requirement(
            gettext("Sign the MOU, with its effective and expiry dates."), f.signed_mou_with_dates
        ),
        *joint_sign_off(f, Step.AGREEMENT),
    ]


def leave_implementation(f: Facts) -> list[Requirement]:
    return [
        Requirement(gettext("Log at least one activity before measuring results."), f.activities)
    ]


def leave_measurement(f: Facts) -> list[Requirement]:
    # The last step: a partnership stays here, reviewed regularly, or returns to an earlier one.
    return []


@dataclass(frozen=True)
class StepInfo:
    step: Step
    purpose: str  # lazy: translated when shown
    gate: Callable[[Facts], list[Requirement]]
    # The step's panel on the partnership page: templates/partnerships/steps/_<panel>.html
    panel: str

    @property
    def template(self) -> str:
        return f"partnerships/steps/_{self.panel}.html"


STEPS: dict[Step, StepInfo] = {
    info.step: info
    for info in [
        StepInfo(
            Step.STRATEGY,
            _("Why the city partners and how it chooses."),
            leave_strategy,
            "strategy",
        ),
        StepInfo(
            Step.SEARCH,
            _("Draw up candidate cities that fit the strategy."),
            leave_search,
            "search",
        ),
        StepInfo(
            Step.APPROACH,
            _("Approach candidates; due diligence, feasibility."),
            leave_approach,
            "approach",
        ),
        StepInfo(
            Step.SELECTION,
            _("Score candidates and choose the partner."),
            leave_selection,
            "selection",
        ),
        StepInfo(
            Step.PLANNING,
            _("Letter of intent, business plan and KPIs."),
            leave_planning,
            "planning",
        ),
        StepInfo(Step.AGREEMENT, _("Formalise it in a signed MOU."), leave_agreement, "agreement"),
        StepInfo(
            Step.IMPLEMENTATION,
            _("Activities, exchanges, sub-alliances."),
            leave_implementation,
            "implementation",
        ),
        StepInfo(
            Step.MEASUREMENT,
            _("Review against the KPIs, capture lessons."),
            leave_measurement,
            "measurement",
        ),
    ]
}


# --- The questions the rest of the code asks -----------------------------------------------


def requirements(partnership: Partnership, step: int | None = None) -> list[Requirement]:
    """The gate of `step` (default: the current step), each requirement met or not."""
    return STEPS[Step(step or partnership.step)].gate(gather_facts(partnership))


def all_requirements(partnership: Partnership) -> dict[Step, list[Requirement]]:
    """Every step's gate at once, from one snapshot: for a checklist of the whole walk."""
    facts = gather_facts(partnership)
    return {step: info.gate(facts) for step, info in STEPS.items()}


def missing_to_advance(partnership: Partnership, facts: Facts | None = None) -> list[str]:
    """What stands between the partnership and the next step, in plain words; empty if none.
    `facts` read already (`gather_facts_many`) spare the queries."""
    if partnership.step >= LAST_STEP:
        return [
            gettext(
                "This is the last step: review the partnership here, or return to an earlier step."
            )
        ]
    if partnership.status != Partnership.Status.ACTIVE:
        return [
            gettext("Reactivate the partnership first (it is %(status)s).")
            % {"status": partnership.get_status_display()}
        ]
    if facts is not None:
        return [r.text for r in STEPS[Step(partnership.step)].gate(facts) if not r.met]
    return [r.text for r in requirements(partnership) if not r.met]


def problems_with_return(partnership: Partnership, to_step: int, reason: str) -> list[str]:
    """Why a return to `to_step` is not allowed; empty if it is."""
    problems = []
    if to_step not in Step.values or to_step >= partnership.step:
        problems.append(gettext("Choose an earlier step to return to."))
    if not (reason or "").strip():
        problems.append(gettext("Say why the partnership returns to an earlier step."))
    return problems


def earlier_steps(step: int) -> list[Step]:
    return [s for s in Step if s < step]
