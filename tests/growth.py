"""How the query budgets' worlds grow (tests/worlds.py, `budget_world`): k more rows in every
table a page lists, written in bulk.

Each function writes exactly the rows the factories would write one object at a time (the
same tables, the same number of rows, the same relations, the history rows of the models
django-simple-history tracks), but with one INSERT per table: rows are built with the
factories' `build`/`build_batch` (their defaults and sequences), the parents their
sub-factories built are saved first, then the rows themselves, all with `bulk_create`
(`bulk_create_with_history` for tracked models). No signal is sent, which is fine here: the
only receivers of ours bump the page cache, off in tests. `test_growth_adds_rows_to_every_list`
(tests/partnerships/test_query_budgets.py) checks that every list grows by k.
"""

from __future__ import annotations

from simple_history.utils import bulk_create_with_history

from accounts.models import User
from alliances.models import (
    Organisation,
    ScorecardMeasure,
    StrengthRecord,
    SubAlliance,
    SubAllianceParty,
)
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    ChamberMembership,
    InterestRegistration,
    Outcome,
    PartnershipLead,
)
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    ApproachContact,
    Candidate,
    Champion,
    CityMembership,
    Lesson,
    Partner,
    Partnership,
    PartnershipMember,
    PlanAction,
    Review,
)
from tests.factories.alliances import (
    OrganisationFactory,
    ScorecardMeasureFactory,
    StrengthRecordFactory,
    SubAllianceFactory,
    SubAlliancePartyFactory,
)
from tests.factories.businesses import (
    BusinessProfileFactory,
    ChamberMembershipFactory,
    InterestRegistrationFactory,
    OutcomeFactory,
    PartnershipLeadFactory,
)
from tests.factories.partnerships import (
    ActivityFactory,
    ApproachContactFactory,
    CandidateFactory,
    ChampionFactory,
    CityMembershipFactory,
    KPIFactory,
    LessonFactory,
    MOUFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    PlanActionFactory,
    ReviewFactory,
)


def _save(model, objs: list) -> list:
    model.objects.bulk_create(objs)
    return objs


def _save_parents(objs: list, path: str, model) -> list:
    """Save in bulk the rows that the factories' sub-factories built for `objs` (found at the
    dotted attribute `path` of each): `bulk_create` then fills in the children's keys."""
    parents = []
    for obj in objs:
        for name in path.split("."):
            obj = getattr(obj, name)
        parents.append(obj)
    return _save(model, parents)


def _partnerships(built: list[Partnership], homes: list[Partner]) -> list[Partnership]:
    """What `PartnershipFactory(home=h)` writes: the partnership (with its history row) and
    its home member (the factory adds it only when it saves)."""
    bulk_create_with_history(built, Partnership)
    _save(
        PartnershipMember,
        [
            PartnershipMember(partnership=p, partner=home, role=PartnershipMember.Role.HOME)
            for p, home in zip(built, homes, strict=True)
        ],
    )
    return built


def grow_partnership_pages(world, k: int) -> None:
    """k more rows in what the partnership's pages list: A's other partnerships (each with a
    counterpart), cities, A's officers, P's candidates, contacts, activities, reviews,
    lessons, KPIs, champions and plan actions."""
    p, city_a = world["p"], world["a"]
    # Per row, what PartnershipFactory(home=A), PartnershipMemberFactory(partnership=it),
    # PartnerFactory() and CityMembershipFactory(partner=A, user=UserFactory()) write.
    others = _partnerships(PartnershipFactory.build_batch(k), [city_a] * k)
    counterparts = [PartnershipMemberFactory.build(partnership=o) for o in others]
    _save_parents(counterparts, "partner", Partner)
    _save(PartnershipMember, counterparts)
    _save(Partner, PartnerFactory.build_batch(k))  # the city directory
    officers = CityMembershipFactory.build_batch(k, partner=city_a)
    _save_parents(officers, "user", User)
    _save(CityMembership, officers)

    candidates = CandidateFactory.build_batch(k, partnership=p)
    _save_parents(candidates, "partner", Partner)
    _save(Candidate, candidates)
    _save(ApproachContact, ApproachContactFactory.build_batch(k, candidate=world["candidate"]))
    _save(Activity, ActivityFactory.build_batch(k, partnership=p))
    bulk_create_with_history(ReviewFactory.build_batch(k, partnership=p), Review)
    _save(Lesson, LessonFactory.build_batch(k, partnership=p))
    _save(KPI, KPIFactory.build_batch(k, partnership=p))
    _save(Champion, ChampionFactory.build_batch(k, partnership=p, partner=city_a))
    _save(PlanAction, PlanActionFactory.build_batch(k, plan=p.business_plan))


def grow_chamber_pages(world, k: int) -> None:
    """k more rows in what the chamber's and the alliances' pages list: the chamber's
    businesses, pending sign-ups, interest registrations (in P by other chambers, and the
    chamber's own in other partnerships), leads; P's sub-alliances; the measures, strength
    records, outcomes and parties of P's first sub-alliance; published partnerships of A with
    a signed MOU (the public registry)."""
    p, city_a = world["p"], world["a"]
    chamber = world["users"]["chamber"].chamber_memberships.get()
    association = chamber.association
    sub_alliance = p.sub_alliances.order_by("pk").first()

    businesses = BusinessProfileFactory.build_batch(k, association=association)
    _save_parents(businesses, "organisation", Organisation)
    _save(BusinessProfile, businesses)
    pending = ChamberMembershipFactory.build_batch(k, association=association, pending=True)
    _save_parents(pending, "user", User)
    _save(ChamberMembership, pending)
    # P's inbox: each registration by a new chamber of a new city.
    inbox = InterestRegistrationFactory.build_batch(k, partnership=p)
    _save_parents(inbox, "association.organisation.partner", Partner)
    _save_parents(inbox, "association.organisation", Organisation)
    _save_parents(inbox, "association", BusinessAssociation)
    _save(InterestRegistration, inbox)
    # The chamber's own, each in a new partnership of a new home city.
    own = InterestRegistrationFactory.build_batch(k, association=association)
    homes = _save(Partner, PartnerFactory.build_batch(k))
    _partnerships([r.partnership for r in own], homes)
    _save(InterestRegistration, own)
    leads = PartnershipLeadFactory.build_batch(k, association=association)
    _save_parents(leads, "target", Partner)
    _save(PartnershipLead, leads)

    _save(SubAlliance, SubAllianceFactory.build_batch(k, partnership=p))
    _save(
        ScorecardMeasure,
        ScorecardMeasureFactory.build_batch(k, sub_alliance=sub_alliance, added_by_partner=city_a),
    )
    _save(StrengthRecord, StrengthRecordFactory.build_batch(k, sub_alliance=sub_alliance))
    _save(Outcome, OutcomeFactory.build_batch(k, sub_alliance=sub_alliance))
    parties = [
        SubAlliancePartyFactory.build(
            sub_alliance=sub_alliance, organisation=OrganisationFactory.build(partner=city_a)
        )
        for _ in range(k)
    ]
    _save_parents(parties, "organisation", Organisation)
    _save(SubAllianceParty, parties)
    # The public registry: published partnerships of A, each with a signed MOU.
    published = _partnerships(PartnershipFactory.build_batch(k, published=True), [city_a] * k)
    bulk_create_with_history(
        [MOUFactory.build(partnership=q, status=MOU.Status.SIGNED) for q in published], MOU
    )
