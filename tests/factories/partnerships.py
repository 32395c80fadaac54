"""Factories for every partnerships model, and `walked_to` to build a partnership at any step."""

import datetime as dt
import functools
import io

import factory
from django.core.files.base import ContentFile
from pypdf import PdfWriter

from partnerships import services
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    ApproachContact,
    BusinessPlan,
    Candidate,
    Champion,
    CityMembership,
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
    StrategyCriterion,
    TwinningStrategy,
)
from tests.factories.accounts import UserFactory


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"X{n}")
    name = factory.Sequence(lambda n: f"Sector {n}")


class CooperationAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationArea
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"City {n}")
    province = "Province"
    country = "ZA"
    kind = Partner.Kind.CITY
    population = 500_000
    latitude = -33.0
    longitude = 27.9
    global_region = Partner.GlobalRegion.SOUTH


class NorthPartnerFactory(PartnerFactory):
    country = "DE"
    latitude = 50.8
    longitude = 6.1
    global_region = Partner.GlobalRegion.NORTH


class CityMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityMembership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = CityMembership.Role.OFFICER


class TwinningStrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TwinningStrategy

    partner = factory.SubFactory(PartnerFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = TwinningStrategy.Status.IN_FORCE
    vision = "A city open to the world, trading and learning with its partners."
    goals = "Grow exports; exchange skills in port management; youth exchanges."
    champion = "Executive Mayor"
    approved_on = dt.date(2024, 3, 1)


class StrategyCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyCriterion

    strategy = factory.SubFactory(TwinningStrategyFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    measure = StrategyCriterion.Measure.JUDGEMENT
    weight = 2
    max_score = 5


class PartnershipFactory(factory.django.DjangoModelFactory):
    """A partnership with its home city as member (counterparts via PartnershipMemberFactory)."""

    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Partnership {n}")
    category = Partnership.Category.SISTER_CITY
    phase = Partnership.Phase.ASSOCIATIVE

    @factory.post_generation
    def home(self, create, extracted, **kwargs):
        if create:
            PartnershipMember.objects.create(
                partnership=self,
                partner=extracted or PartnerFactory(),
                role=PartnershipMember.Role.HOME,
            )


class PartnershipMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipMember

    partnership = factory.SubFactory(PartnershipFactory)
    partner = factory.SubFactory(NorthPartnerFactory)
    role = PartnershipMember.Role.COUNTERPART


class ChampionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Champion

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Faker("name")
    title = "Member of the Mayoral Committee"
    email = factory.Faker("email")


class StepTransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepTransition

    partnership = factory.SubFactory(PartnershipFactory)
    from_step = Step.STRATEGY
    to_step = Step.SEARCH
    kind = StepTransition.Kind.ADVANCE


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    partnership = factory.SubFactory(PartnershipFactory)
    partner = factory.SubFactory(NorthPartnerFactory)
    rationale = "Port city with a complementary automotive cluster."


class ApproachContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApproachContact

    candidate = factory.SubFactory(CandidateFactory)
    contact_name = factory.Faker("name")
    response = ApproachContact.Response.POSITIVE


class DueDiligenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DueDiligence

    candidate = factory.SubFactory(CandidateFactory)
    alliance_history = "Six partnerships, one ended in 2015 for lack of funding."
    existing_partnerships = 6
    failed_partnerships = 1
    capability_gaps = "No dedicated international relations office."


class FeasibilityStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeasibilityStudy

    candidate = factory.SubFactory(CandidateFactory)
    summary = "Direct flights, shared sectors and a willing council."
    conclusion = FeasibilityStudy.Conclusion.FEASIBLE


class CriterionScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionScore

    candidate = factory.SubFactory(CandidateFactory)
    criterion = factory.SubFactory(StrategyCriterionFactory)
    score = 4


class SelectionDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelectionDecision

    partnership = factory.SelfAttribute("candidate.partnership")
    candidate = factory.SubFactory(CandidateFactory)
    reasons = "Best weighted score and a positive feasibility study."


class LetterOfIntentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LetterOfIntent

    partnership = factory.SubFactory(PartnershipFactory)
    signed_on = dt.date(2024, 6, 1)
    signed_by = "Both mayors"


class BusinessPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessPlan

    partnership = factory.SubFactory(PartnershipFactory)
    vision = "Two port cities trading and learning together."
    goals = "Raise two-way trade; train municipal engineers."
    objectives = "Two trade missions a year; ten engineers trained by 2026."
    scope = "Trade, ports, skills."


class PlanActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(BusinessPlanFactory)
    description = "Organise the first trade mission"
    owner = "LED directorate"
    due_on = dt.date(2025, 3, 31)


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Trade missions per year {n}")
    unit = "missions"
    baseline = 0
    target = 2


class MOUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MOU

    partnership = factory.SubFactory(PartnershipFactory)
    status = MOU.Status.SIGNED
    effective_on = dt.date(2024, 9, 1)
    expires_on = dt.date(2029, 8, 31)
    signed_on = dt.date(2024, 9, 1)
    termination_conditions = "Either side may end it with six months' written notice."
    ceremony_place = "City Hall"


class MOUSignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MOUSignatory

    mou = factory.SubFactory(MOUFactory)
    partner = factory.SubFactory(PartnerFactory)
    name = factory.Faker("name")
    title = "Executive Mayor"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    partnership = factory.SubFactory(PartnershipFactory)
    kind = Activity.Kind.EXCHANGE_VISIT
    title = "Engineers' exchange visit"
    occurred_on = dt.date(2025, 2, 10)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    partnership = factory.SubFactory(PartnershipFactory)
    period_start = dt.date(2024, 1, 1)
    period_end = dt.date(2024, 12, 31)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    partnership = factory.SubFactory(PartnershipFactory)
    step = Step.IMPLEMENTATION
    theme = "Continuity"
    text = "Name a deputy champion so the link survives elections."


@functools.cache
def signed_pdf_bytes() -> bytes:
    """A real one-page PDF (the evidence of a confirmation is read as a PDF, not sniffed)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed_pdf(name: str = "signed-letter.pdf") -> ContentFile:
    return ContentFile(signed_pdf_bytes(), name=name)


class OfflineConfirmationFactory(factory.django.DjangoModelFactory):
    """A confirmation given outside the portal (written as a row: for a record that the
    service would refuse now, e.g. of a city whose officers joined since)."""

    class Meta:
        model = OfflineConfirmation

    partnership = factory.SubFactory(PartnershipFactory)
    step = Step.SELECTION
    partner = factory.SubFactory(PartnerFactory)
    confirmed_by_name = "Thandi Mokoena"
    confirmed_by_role = "Executive Mayor"
    confirmed_on = dt.date(2025, 3, 3)
    evidence = OfflineConfirmation.Evidence.LETTER
    document = factory.LazyFunction(signed_pdf)


# --- A partnership built to any step, through the real services ---------------------------


def confirm_each_side(partnership) -> None:
    """The joint sign-off of selection and the MOU: an officer of each city with officers
    confirms; for each city without, its confirmation given outside the portal is recorded."""
    officers = dict(
        CityMembership.objects.filter(partner__memberships__partnership=partnership)
        .order_by("partner_id", "pk")
        .values_list("partner_id", "user_id")
    )
    confirmed = set(
        MoveConfirmation.objects.filter(
            partnership=partnership,
            step=partnership.step,
            at__gte=partnership.step_entered_at,
        ).values_list("partner_id", flat=True)
    )
    for member in partnership.members.select_related("partner"):
        if member.partner_id in confirmed:
            continue
        if member.partner_id in officers:
            services.partnership_confirm_move(
                partnership=partnership,
                user=CityMembership.objects.filter(partner=member.partner).first().user,
            )
            confirmed.add(member.partner_id)
        else:
            services.offline_confirmation_record(
                partnership=partnership,
                partner=member.partner,
                user=None,
                confirmed_by_name="Thandi Mokoena",
                confirmed_by_role="Executive Mayor",
                confirmed_on=dt.date(2025, 3, 3),
                evidence=OfflineConfirmation.Evidence.LETTER,
                document=signed_pdf(),
            )


def _artefacts_for(partnership, step, user):
    """Create what the gate of `step` asks for, so the partnership may leave it."""
    home = partnership.members.get(role=PartnershipMember.Role.HOME).partner
    if step == Step.STRATEGY and not services.strategy_in_force(home.pk):
        TwinningStrategyFactory(partner=home)
    elif step == Step.SEARCH:
        CandidateFactory(partnership=partnership)
    elif step == Step.APPROACH:
        candidate = partnership.candidates.first()
        ApproachContactFactory(candidate=candidate)
        DueDiligenceFactory(candidate=candidate)
        FeasibilityStudyFactory(candidate=candidate)
    elif step == Step.SELECTION:
        candidate = partnership.candidates.first()
        services.selection_decide(
            partnership=partnership, candidate=candidate, reasons="Best fit.", user=user
        )
    elif step == Step.PLANNING:
        LetterOfIntentFactory(partnership=partnership)
        BusinessPlanFactory(partnership=partnership)
        KPIFactory(partnership=partnership)
    elif step == Step.AGREEMENT:
        MOUFactory(partnership=partnership)
    if step in (Step.SELECTION, Step.AGREEMENT):
        confirm_each_side(partnership)
    elif step == Step.IMPLEMENTATION:
        ActivityFactory(partnership=partnership)


def walked_to(step: int, *, home=None, user=None, **fields) -> Partnership:
    """A partnership moved through the real workflow to `step`, with each gate's artefacts."""
    partnership = PartnershipFactory(home=home, **fields)
    while partnership.step < step:
        _artefacts_for(partnership, partnership.step, user)
        services.partnership_advance(partnership=partnership, user=user)
        partnership.refresh_from_db()
    return partnership
