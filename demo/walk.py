"""One demo partnership created and walked, step by step, through the real services.

Each step records the artefacts its gate asks for (candidates, contacts, due diligence,
feasibility, scores, a letter of intent, a business plan with KPIs, MOUs, activities, a
review and its lessons), then `services.partnership_advance` moves it on, so a gate the demo
no longer satisfies fails loudly here. Afterwards only the clock is faked (`Walk.backdate`).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from demo import dataset
from demo.plan import DAY, PartnershipPlan, add_years, between, days
from demo.signoff import confirm_each_side
from demo.texts import email, join, long_date, mayor_title, person, signer
from partnerships import services, workflow
from partnerships.health import stored as stored_health
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    ApproachContact,
    BusinessPlan,
    Candidate,
    Champion,
    CooperationArea,
    CriterionScore,
    DueDiligence,
    FeasibilityStudy,
    Lesson,
    LetterOfIntent,
    MOUSignatory,
    MoveConfirmation,
    OfflineConfirmation,
    Partner,
    Partnership,
    PartnershipMember,
    PlanAction,
    Review,
    Sector,
    SelectionDecision,
    Step,
    StepTransition,
)

# The demo's KPIs are due in full this many years after they are agreed.
KPI_YEARS = 3


class Walk:
    """Creates one partnership and walks it, step by step, to its target step."""

    def __init__(self, plan: PartnershipPlan, cities, officers, user, today: dt.date):
        self.plan, self.entry, self.r = plan, plan.entry, plan.rng
        self.cities, self.officers, self.user, self.today = cities, officers, user, today
        self.data = dataset.get()
        self.words = self.data.phrases
        self.home = cities[self.entry["home"]]
        self.counterparts = [cities[n] for n in self.entry["counterparts"]]
        self.candidates: dict[str, Candidate] = {}
        self.kpis: list[KPI] = []
        self.areas = list(CooperationArea.objects.filter(code__in=self.entry["areas"]))
        self.area_text = join(
            [self.words.area_words.get(code, code) for code in self.entry["areas"]]
        )
        self.p: Partnership | None = None

    # -- helpers ------------------------------------------------------------------------

    def day(self, step: int) -> dt.date:
        return between(self.r, *self.plan.window(step, self.today))

    def at(self, d: dt.date) -> dt.datetime:
        moment = dt.time(self.r.randint(8, 16), self.r.choice((0, 15, 30, 45)))
        return timezone.make_aware(dt.datetime.combine(d, moment))

    @property
    def cp(self) -> Partner:
        return self.counterparts[0]

    # -- the walk -------------------------------------------------------------------------

    def run(self) -> Partnership:
        e = self.entry
        self.p = services.partnership_create(
            home=self.home,
            title=e["title"],
            category=e["category"],
            user=self.user,
            areas=self.areas,
            summary=e["summary"],
            phase=e["phase"],
        )
        Champion.objects.create(
            partnership=self.p,
            partner=self.home,
            name=e["champion"]["name"],
            title=e["champion"]["title"],
            email=email(e["champion"]["name"]),
            is_active=e["status"] != "ended",
            since=self.plan.entered[1],
        )
        steps = {
            Step.SEARCH: self.search,
            Step.APPROACH: self.approach,
            Step.SELECTION: self.selection,
            Step.PLANNING: self.planning,
            Step.AGREEMENT: self.agreement,
            Step.IMPLEMENTATION: self.implementation,
            Step.MEASUREMENT: self.measurement,
        }
        for step in range(Step.STRATEGY, e["step"] + 1):
            if step in steps:  # the strategy step's artefact is the city's strategy
                steps[step](current=step == e["step"])
            if step < e["step"]:
                self.advance()
        self.finish()
        self.backdate()
        return self.p

    def advance(self) -> None:
        if self.p.step in workflow.JOINT_SIGN_OFF_STEPS:
            # Each city confirms: through its officer, or outside the portal (demo/signoff.py).
            on = min(self.plan.entered.get(self.p.step + 1, self.today), self.today)
            confirm_each_side(self.p, self.officers, on)
        services.partnership_advance(partnership=self.p, user=self.user)
        self.p.refresh_from_db()

    # -- step 2: search -----------------------------------------------------------------

    def search(self, current: bool) -> None:
        home = self.data.city[self.home.name]
        for name in self.entry["candidates"]:
            city = self.data.city[name]
            shared = [s for s in city["sectors"] if s in home["sectors"]]
            sector_names = dict(Sector.objects.values_list("code", "name"))
            if shared:
                lead = (
                    f"Shares {self.home.name}'s strengths in "
                    f"{join([sector_names[s].lower() for s in shared])}"
                )
            else:
                lead = (
                    "Complements our economy with strengths in "
                    f"{join([sector_names[s].lower() for s in city['sectors']])}"
                )
            source = Candidate.Source.OFFICER
            if self.entry["phase"] == "commercial" and self.r.random() < 0.4:
                source = Candidate.Source.CHAMBER
            elif self.r.random() < 0.15:
                source = Candidate.Source.SUGGESTION
            self.candidates[name] = services.candidate_add(
                partnership=self.p,
                partner=self.cities[name],
                rationale=f"{lead}, and fits our interest in {self.area_text}. {city['profile']}",
                user=self.user,
                source=source,
                created_at=self.at(self.day(Step.SEARCH)),
            )

    # -- step 3: approach and evaluation ------------------------------------------------

    def approach(self, current: bool) -> None:
        complete = not current or self.plan.gate_met
        start, end = self.plan.window(Step.APPROACH, self.today)
        for i, (name, candidate) in enumerate(self.candidates.items()):
            city = self.data.city[name]
            chosen = name in self.entry["counterparts"]
            first_on = between(self.r, start, end - days(7))
            channel, summary = self.r.choice(self.words.contact_channels)
            if chosen:
                response = ApproachContact.Response.POSITIVE
            elif not complete:
                response = self.r.choice(
                    [ApproachContact.Response.AWAITING, ApproachContact.Response.POSITIVE]
                )
            else:
                response = self.r.choice(
                    [ApproachContact.Response.POSITIVE, ApproachContact.Response.NEGATIVE]
                )
            ApproachContact.objects.create(
                candidate=candidate,
                contacted_on=first_on,
                channel=channel,
                contact_name=person(city, 1),
                contact_role=f"International relations, {name}",
                summary=summary,
                response=response,
            )
            if chosen or (complete and self.r.random() < 0.5):
                channel, summary = self.r.choice(self.words.follow_ups)
                ApproachContact.objects.create(
                    candidate=candidate,
                    contacted_on=between(self.r, first_on + DAY, end),
                    channel=channel,
                    contact_name=person(city, 0),
                    contact_role=mayor_title(city),
                    summary=summary,
                    response=response,
                )
            Candidate.objects.filter(pk=candidate.pk).update(status=Candidate.Status.APPROACHED)
            if complete or i == 0:
                existing = self.r.randint(3, 25)
                failed = self.r.randint(0, 3)
                DueDiligence.objects.create(
                    candidate=candidate,
                    alliance_history=(
                        f"{existing} partnerships on record, {failed} of them ended or dormant"
                        + (", mostly for lack of funding or after elections." if failed else ".")
                    ),
                    existing_partnerships=existing,
                    failed_partnerships=failed,
                    capability_gaps=self.r.choice(self.words.capability_gaps),
                    risks=self.r.choice(self.words.risks),
                    completed_on=between(self.r, first_on, end),
                )
            if complete:
                if chosen:
                    conclusion = self.r.choice(
                        [FeasibilityStudy.Conclusion.FEASIBLE] * 3
                        + [FeasibilityStudy.Conclusion.CONDITIONAL]
                    )
                else:
                    conclusion = self.r.choice(
                        [
                            FeasibilityStudy.Conclusion.CONDITIONAL,
                            FeasibilityStudy.Conclusion.NOT_FEASIBLE,
                        ]
                    )
                FeasibilityStudy.objects.create(
                    candidate=candidate,
                    summary=(
                        f"{name} shares our interest in {self.area_text} and can name a contact "
                        "officer; the travel and time needed are within what both sides budget."
                        if conclusion == FeasibilityStudy.Conclusion.FEASIBLE
                        else f"{name} is interested, but its capacity for another partnership "
                        "is limited; it would need co-funding and a clear first project."
                    ),
                    resources_required=(
                        "Travel for two exchange visits a year, a part-time coordinator on each "
                        "side, and interpreting where needed."
                    ),
                    conclusion=conclusion,
                    completed_on=between(self.r, first_on, end),
                )

    # -- step 4: selection --------------------------------------------------------------

    def selection(self, current: bool) -> None:
        criteria = list(self.p.strategy.criteria.all())
        totals = {}
        for name, candidate in self.candidates.items():
            chosen = name in self.entry["counterparts"]
            total = 0
            for criterion in criteria:
                score = self.r.randint(3, 5) if chosen else self.r.randint(1, 3)
                score = min(score, criterion.max_score)
                CriterionScore.objects.create(
                    candidate=candidate,
                    criterion=criterion,
                    score=score,
                    note=self.words.score_notes.get(score, ""),
                )
                total += score * criterion.weight
            totals[name] = total
        top = sum(c.max_score * c.weight for c in criteria)
        decided_on = self.day(Step.SELECTION)
        first, *others = self.entry["counterparts"]
        services.selection_decide(
            partnership=self.p,
            candidate=self.candidates[first],
            reasons=(
                f"{first} scored {totals[first]} of {top} against the strategy's weighted "
                "criteria, the highest of the candidates; the feasibility study was positive "
                "and its mayor's office confirmed its interest in writing."
            ),
            user=self.user,
        )
        SelectionDecision.objects.filter(partnership=self.p).update(decided_on=decided_on)
        for name in others:
            services.partnership_add_partner(partnership=self.p, partner=self.cities[name])
        chosen = [self.candidates[n].pk for n in self.entry["counterparts"]]
        self.p.candidates.filter(pk__in=chosen).update(status=Candidate.Status.SELECTED)
        self.p.candidates.exclude(pk__in=chosen).update(status=Candidate.Status.REJECTED)
        PartnershipMember.objects.filter(
            partnership=self.p, role=PartnershipMember.Role.COUNTERPART
        ).update(joined_on=decided_on)

    # -- step 5: planning ---------------------------------------------------------------

    def planning(self, current: bool) -> None:
        r, home, cp = self.r, self.home, self.cp
        complete = not current or self.plan.gate_met
        LetterOfIntent.objects.create(
            partnership=self.p,
            signed_on=self.day(Step.PLANNING),
            signed_by=(
                f"For {home.name}: {', '.join(signer(home))}. "
                f"For {cp.name}: {', '.join(signer(cp))}."
            ),
            summary=(
                f"Both cities commit to negotiate a partnership on {self.area_text}, and to "
                "agree a business plan and its measures before an MOU is signed."
            ),
        )
        if complete or r.random() < 0.5:
            self.kpis = self._kpis()
        objectives = "; ".join(
            f"{k.name.lower()} from {k.baseline:g} to {k.target:g} {k.unit}" for k in self.kpis
        )
        plan = BusinessPlan.objects.create(
            partnership=self.p,
            vision=(
                f"{home.name} and {cp.name} work together as equals on {self.area_text}, "
                "with results that residents and businesses in both cities can see."
            ),
            goals=self.entry["summary"],
            objectives=(
                f"Within three years: {objectives}."
                if objectives
                else "To be set with the measures, still under negotiation."
            ),
            scope=(
                f"Areas of cooperation: {self.area_text}. Each side bears its own costs unless "
                "a project budget says otherwise."
            ),
        )
        descriptions = [
            self.words.area_actions[a] for a in self.entry["areas"] if a in self.words.area_actions
        ]
        descriptions = descriptions[:3] + r.sample(self.words.generic_actions, 1)
        owners = [
            (f"International relations office, {home.name}", home),
            (f"International office, {cp.name}", cp),
            ("Economic development directorate", home),
        ]
        for description in descriptions[: r.randint(2, 4)]:
            due_on = self.today + days(r.randint(-150, 240))
            done = due_on < self.today and r.random() < 0.5
            owner, side = r.choice(owners)
            PlanAction.objects.create(
                plan=plan,
                description=description,
                owner=owner,
                owner_partner=side,
                due_on=due_on,
                status=PlanAction.Status.DONE if done else PlanAction.Status.OPEN,
                completed_on=due_on - days(r.randint(0, 20)) if done else None,
            )

    def _kpis(self) -> list[KPI]:
        templates = {t["name"]: t for t in self.data.kpi_templates}
        area_of = {}
        for code in self.entry["areas"]:
            name = self.words.area_kpis.get(code)
            if name and name not in area_of:
                area_of[name] = code
        names = list(area_of)
        self.r.shuffle(names)
        wanted = self.r.randint(2, 3)
        rest = [n for n in templates if n not in names]
        names = (names + self.r.sample(rest, len(rest)))[:wanted]
        areas = {a.code: a for a in self.areas}
        agreed_on = self.day(Step.PLANNING)
        created_at = self.at(agreed_on)
        currency = self.words.currencies.get(self.data.city[self.home.name]["country"], "EUR")
        kpis = []
        for name in names:
            t = templates[name]
            kpis.append(
                KPI.objects.create(
                    partnership=self.p,
                    name=name,
                    unit=t["unit"].replace("ZAR", currency),
                    baseline=t["baseline"],
                    target=t["target"],
                    area=areas.get(area_of.get(name)),
                    start_date=agreed_on,
                    # The business plan's objectives are "within three years".
                    target_date=add_years(agreed_on, KPI_YEARS),
                    created_at=created_at,
                )
            )
        return kpis

    # -- step 6: agreement --------------------------------------------------------------

    def agreement(self, current: bool) -> None:
        plan, established = self.plan, self.plan.established
        if established and add_years(established, 5) < plan.mou_effective:
            first = self._mou(
                effective=established,
                expires=add_years(established, 5),
                other_terms="The founding agreement of the partnership.",
            )
            services.mou_sign(mou=first, signed_on=established)
            first.status = MOU.Status.EXPIRED
            first.save(update_fields=["status", "updated_at"])
        renewal = (
            f" Renews the agreement first signed on {long_date(established)}."
            if established and established < plan.mou_effective
            else ""
        )
        mou = self._mou(
            effective=plan.mou_effective,
            expires=plan.mou_expires,
            other_terms=(
                "Each city bears its own costs unless a project budget says otherwise; the "
                "partners meet at least once a year to review progress." + renewal
            ),
        )
        if plan.mou_state == "signed":
            services.mou_sign(mou=mou, signed_on=plan.mou_signed)

    def _mou(self, *, effective: dt.date, expires: dt.date, other_terms: str) -> MOU:
        host = self.r.choice([self.home, self.cp])
        ceremony = effective if effective <= self.today else None
        mou = MOU.objects.create(
            partnership=self.p,
            effective_on=effective,
            expires_on=expires,
            termination_conditions=(
                "Either city may end the agreement with six months' written notice; projects "
                "under way are completed or wound down by agreement."
            ),
            other_terms=other_terms,
            ceremony_on=ceremony,
            ceremony_place=f"City Hall, {host.name}",
        )
        mou.areas.set(self.areas)
        for side in [self.home, *self.counterparts]:
            name, title = signer(side)
            MOUSignatory.objects.create(mou=mou, partner=side, name=name, title=title)
        return mou

    # -- step 7: implementation ---------------------------------------------------------

    def implementation(self, current: bool) -> None:
        r, plan, today = self.r, self.plan, self.today
        start = max(plan.entered[Step.IMPLEMENTATION], today - days(730))
        end = plan.stopped_on or today
        if plan.quiet:
            end = today - days(r.randint(91, 140))
        count = r.randint(5, 9)
        dates = sorted(between(r, start, end) for _ in range(count))
        if self.entry["status"] == "active" and not plan.quiet:
            dates[-1] = today - days(r.randint(3, 60))
        for occurred_on, (kind, title) in zip(
            dates, r.sample(self.data.activity_templates, count), strict=True
        ):
            description, (low, high) = self.words.activity_details[kind]
            host = r.choice([self.home, self.cp])
            Activity.objects.create(
                partnership=self.p,
                kind=kind,
                title=f"{title} ({host.name})",
                occurred_on=occurred_on,
                description=description,
                participants=r.randint(low, high),
                created_by=self.user,
                created_at=self.at(occurred_on),
            )

    # -- step 8: measurement and learning -----------------------------------------------

    def measurement(self, current: bool) -> None:
        r, plan = self.r, self.plan
        period_start, period_end = plan.review_period
        held = self.p.activities.filter(occurred_on__range=(period_start, period_end)).count()
        measures = join([k.name.lower() for k in self.kpis]) or "the agreed measures"
        if self.entry["status"] == "ended":
            decision = Review.Decision.END
            outcome = (
                "The partners agreed to end the partnership: the measures were not met and "
                "neither side could fund the next phase."
            )
        else:
            decision = r.choice(
                [Review.Decision.CONTINUE, Review.Decision.CONTINUE, Review.Decision.ADJUST]
            )
            outcome = (
                "Continue as planned."
                if decision == Review.Decision.CONTINUE
                else "Adjust the plan: fewer actions, each with an owner on both sides."
            )
        review = Review.objects.create(
            partnership=self.p,
            period_start=period_start,
            period_end=period_end,
            status=Review.Status.COMPLETED,
            narrative=(
                f"Reviewed against {measures}. {held} activities took place in the period. "
                f"{outcome}"
            ),
            decision=decision,
            completed_on=plan.review_completed,
            created_by=self.user,
            created_at=self.at(plan.review_completed),
        )
        for step, theme, text in r.sample(self.words.lessons, r.randint(1, 2)):
            Lesson.objects.create(
                partnership=self.p,
                review=review,
                step=step,
                theme=theme,
                text=text,
                recorded_by=self.user,
                created_at=self.at(plan.review_completed),
            )

    # -- after the walk -----------------------------------------------------------------

    def finish(self) -> None:
        """What is not a step: set after the walk, since a paused partnership cannot move."""
        e, p = self.entry, self.p
        p.status = e["status"]
        p.relationship_strength = e["strength"]
        p.established_on = self.plan.established
        p.review_cadence_months = self.plan.cadence
        p.next_review_on = self.plan.next_review_on
        p.published = self.plan.published
        p.full_clean()
        p.save(
            update_fields=[
                "status",
                "relationship_strength",
                "established_on",
                "review_cadence_months",
                "next_review_on",
                "published",
                "updated_at",
            ]
        )
        if e["status"] == "ended":
            mou = p.mous.filter(status=MOU.Status.SIGNED).first()
            if mou:
                mou.status = MOU.Status.TERMINATED
                mou.terminated_on = self.plan.stopped_on
                mou.termination_reason = "Ended by both partners after the last review."
                mou.save()

    def backdate(self) -> None:
        """Move the walk from "now" to the plan's dates: the only writes that bypass services."""
        entered = {step: self.at(d) for step, d in self.plan.entered.items()}
        moves = list(self.p.transitions.all())
        for move in moves:
            move.at = entered[move.to_step]
        StepTransition.objects.bulk_update(moves, ["at"])
        confirmations = list(MoveConfirmation.objects.filter(partnership=self.p))
        for confirmation in confirmations:
            confirmation.at = entered[confirmation.step + 1] - dt.timedelta(
                hours=self.r.randint(2, 48)
            )
        MoveConfirmation.objects.bulk_update(confirmations, ["at"])
        offline = list(OfflineConfirmation.objects.filter(partnership=self.p))
        for confirmation in offline:
            # A day before the move (no draw from the plan's random numbers: the demo's
            # other data stays as it was).
            confirmation.recorded_at = entered[confirmation.step + 1] - dt.timedelta(days=1)
        OfflineConfirmation.objects.bulk_update(offline, ["recorded_at"])
        Partnership.objects.filter(pk=self.p.pk).update(
            step_entered_at=entered[self.p.step], created_at=entered[Step.STRATEGY]
        )
        stored_health.mark_stale([self.p.pk])  # .update() sends no signal
        PartnershipMember.objects.filter(
            partnership=self.p, role=PartnershipMember.Role.HOME
        ).update(joined_on=self.plan.entered[Step.STRATEGY])
