"""How the query budgets' worlds grow (tests/worlds.py, `budget_world`): k more rows in every
table a page lists, written in bulk.

Each function writes exactly the rows the factories would write one object at a time (the
same tables, the same number of rows, the same relations, the history rows of the models
django-simple-history tracks), but with one INSERT per table: rows are built with the
factories' `build`/`build_batch` (their defaults and sequences), the parents their
sub-factories built are saved first, then the rows themselves, all with `bulk_create`
(`bulk_create_with_history` for tracked models: `save`). No signal is sent, which is fine here: the
only receivers of ours bump the page cache, off in tests. `test_growth_adds_rows_to_every_list`
(tests/partnerships/test_query_budgets.py) checks that every list grows by k.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
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
from discussion.models import Comment
from invitations.models import Invitation, JoinRequest
from partnerships.health import stored
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
from tests.factories.accounts import UserFactory
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
from tests.factories.discussion import CommentFactory
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


def save(model, objs: list) -> list:
    """Save `objs` (unsaved rows of `model`) with one INSERT, and for a model
    django-simple-history tracks their "created" history rows too, as `save()` writes them."""
    if getattr(model._meta, "simple_history_manager_attribute", None):
        bulk_create_with_history(objs, model)
    else:
        model.objects.bulk_create(objs)
    stored.written(model, objs)  # the stored health, marked as a save marks it
    return objs


def save_parents(objs: list, path: str, model) -> list:
    """Save in bulk the rows that the factories' sub-factories built for `objs` (found at the
    dotted attribute `path` of each): `bulk_create` then fills in the children's keys."""
    parents = []
    for obj in objs:
        for name in path.split("."):
            obj = getattr(obj, name)
        parents.append(obj)
    return save(model, parents)


def save_links(descriptor, pairs) -> None:
    """What `row.<m2m>.add(other)` writes for each (row, other), in one INSERT: `descriptor` is
    the many-to-many field on the model's class (`Organisation.sectors`)."""
    field, through = descriptor.field, descriptor.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    through.objects.bulk_create([through(**{source: a, target: b}) for a, b in pairs])


def save_partnerships(built: list[Partnership], homes: list[Partner]) -> list[Partnership]:
    """What `PartnershipFactory(home=h)` writes: the partnership (with its history row) and
    its home member (the factory adds it only when it saves)."""
    save(Partnership, built)
    save(
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
    others = save_partnerships(PartnershipFactory.build_batch(k), [city_a] * k)
    counterparts = [PartnershipMemberFactory.build(partnership=o) for o in others]
    save_parents(counterparts, "partner", Partner)
    save(PartnershipMember, counterparts)
    save(Partner, PartnerFactory.build_batch(k))  # the city directory
    officers = CityMembershipFactory.build_batch(k, partner=city_a)
    save_parents(officers, "user", User)
    save(CityMembership, officers)

    candidates = CandidateFactory.build_batch(k, partnership=p)
    save_parents(candidates, "partner", Partner)
    save(Candidate, candidates)
    save(ApproachContact, ApproachContactFactory.build_batch(k, candidate=world["candidate"]))
    save(Activity, ActivityFactory.build_batch(k, partnership=p))
    save(Review, ReviewFactory.build_batch(k, partnership=p))
    save(Lesson, LessonFactory.build_batch(k, partnership=p))
    save(KPI, KPIFactory.build_batch(k, partnership=p))
    save(Champion, ChampionFactory.build_batch(k, partnership=p, partner=city_a))
    save(PlanAction, PlanActionFactory.build_batch(k, plan=p.business_plan))
    comments = CommentFactory.build_batch(k, partnership=p)
    save_parents(comments, "author", User)
    save(Comment, comments)


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
    save_parents(businesses, "organisation", Organisation)
    save(BusinessProfile, businesses)
    pending = ChamberMembershipFactory.build_batch(k, association=association, pending=True)
    save_parents(pending, "user", User)
    save(ChamberMembership, pending)
    # P's inbox: each registration by a new chamber of a new city.
    inbox = InterestRegistrationFactory.build_batch(k, partnership=p)
    save_parents(inbox, "association.organisation.partner", Partner)
    save_parents(inbox, "association.organisation", Organisation)
    save_parents(inbox, "association", BusinessAssociation)
    save(InterestRegistration, inbox)
    # The chamber's own, each in a new partnership of a new home city.
    own = InterestRegistrationFactory.build_batch(k, association=association)
    homes = save(Partner, PartnerFactory.build_batch(k))
    save_partnerships([r.partnership for r in own], homes)
    save(InterestRegistration, own)
    leads = PartnershipLeadFactory.build_batch(k, association=association)
    save_parents(leads, "target", Partner)
    save(PartnershipLead, leads)

    save(SubAlliance, SubAllianceFactory.build_batch(k, partnership=p))
    save(
        ScorecardMeasure,
        ScorecardMeasureFactory.build_batch(k, sub_alliance=sub_alliance, added_by_partner=city_a),
    )
    save(StrengthRecord, StrengthRecordFactory.build_batch(k, sub_alliance=sub_alliance))
    save(Outcome, OutcomeFactory.build_batch(k, sub_alliance=sub_alliance))
    comments = CommentFactory.build_batch(k, partnership=p, sub_alliance=sub_alliance)
    save_parents(comments, "author", User)
    save(Comment, comments)
    parties = [
        SubAlliancePartyFactory.build(
            sub_alliance=sub_alliance, organisation=OrganisationFactory.build(partner=city_a)
        )
        for _ in range(k)
    ]
    save_parents(parties, "organisation", Organisation)
    save(SubAllianceParty, parties)
    # The public registry: published partnerships of A, each with a signed MOU.
    published = save_partnerships(PartnershipFactory.build_batch(k, published=True), [city_a] * k)
    save(MOU, [MOUFactory.build(partnership=q, status=MOU.Status.SIGNED) for q in published])


def grow_invitations(world, k: int) -> None:
    """Open invitations to A from P (its officers page, P's invitation page) and requests to
    join A, each by a new user, written directly: the services' hourly limit is not what is
    measured."""
    p, city_a = world["p"], world["a"]
    now = timezone.now()
    expires = now + dt.timedelta(days=7)
    known = Invitation.objects.count()
    inviters, joiners = (
        save(User, UserFactory.build_batch(k)),
        save(User, UserFactory.build_batch(k)),
    )
    save(
        Invitation,
        [
            Invitation(
                city=city_a,
                email=f"grown{n}-{known + n}@example.org",
                invited_by=inviter,
                partnership=p,
                expires_at=expires,
                sent_count=1,
                last_sent_at=now,
            )
            for n, inviter in enumerate(inviters)
        ],
    )
    save(JoinRequest, [JoinRequest(user=u, city=city_a, message="Grown") for u in joiners])
