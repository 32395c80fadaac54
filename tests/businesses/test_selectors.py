"""The reads pages use ask a fixed number of queries: the same for 5 rows as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from alliances.models import Grouping, SubAlliance
from businesses import selectors
from businesses.models import InterestRegistration
from partnerships.models import MOU, Partnership
from tests.factories.alliances import SubAllianceFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    InterestRegistrationFactory,
    PartnershipLeadFactory,
    chamber_staff,
    needs,
    sectors,
)
from tests.factories.partnerships import (
    ChampionFactory,
    CooperationAreaFactory,
    MOUFactory,
    NorthPartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)

pytestmark = pytest.mark.django_db


def count_queries(read):
    with CaptureQueriesContext(connection) as ctx:
        result = read()
    return len(ctx.captured_queries), result


# --- The public registry ---------------------------------------------------------------------


def published(home, n):
    for i in range(n):
        partnership = PartnershipFactory(home=home, published=True, title=f"Published {home} {i}")
        away = NorthPartnerFactory()
        PartnershipMemberFactory(partnership=partnership, partner=away)
        partnership.areas.add(CooperationAreaFactory(code="trade"))
        mou = MOUFactory(partnership=partnership)
        mou.areas.add(CooperationAreaFactory(code="trade"))
        ChampionFactory(partnership=partnership, partner=home, name=f"Mayor {i}")
        ChampionFactory(partnership=partnership, partner=away, name=f"Burgemeester {i}")
        partnership.members.update(publish_contacts=True)


def read_registry():
    return [
        (
            p.title,
            p.area_names,
            [m.partner.name for m in p.members.all()],
            [
                (m.effective_on, [a.name for a in m.areas.all()], bool(m.document))
                for m in p.signed_mous
            ],
            [(c.name, c.partner.name) for c in p.contacts],
        )
        for p in selectors.published_registry()
    ]


def test_the_registry_shows_only_published_partnerships(world):
    PartnershipFactory(home=world.home, published=False, title="Private")
    PartnershipFactory(
        home=world.home, published=True, status=Partnership.Status.ARCHIVED, title="Archived"
    )
    ChampionFactory(partnership=world.partnership, partner=world.home, name="Executive Mayor")
    ChampionFactory(partnership=world.partnership, partner=world.away, name="Kommunstyrelsens")
    ChampionFactory(partnership=world.partnership, partner=world.away, is_active=False)
    MOUFactory(partnership=world.partnership, status=MOU.Status.DRAFT, signed_on=None)
    rows = read_registry()
    assert [r[0] for r in rows] == ["Gqeberha – Gävle"]
    _, _, members, mous, contacts = rows[0]
    assert sorted(members) == ["Gqeberha", "Gävle"]
    assert mous == []  # a draft MOU is not shown
    assert contacts == []  # each side publishes its contacts by its own choice

    world.partnership.members.filter(partner=world.away).update(publish_contacts=True)
    assert read_registry()[0][4] == [("Kommunstyrelsens", "Gävle")]
    world.partnership.members.update(publish_contacts=True)
    contacts = read_registry()[0][4]
    assert sorted(contacts) == [("Executive Mayor", "Gqeberha"), ("Kommunstyrelsens", "Gävle")]


def test_the_registry_asks_five_queries_for_5_or_50_partnerships(world):
    published(world.home, 5)
    five, rows = count_queries(read_registry)
    assert len(rows) == 6
    assert (
        rows[1][1] == "Trade and export promotion"
        and rows[1][3][0][1] == ["Trade and export promotion"]
        and len(rows[1][4]) == 2
    )
    published(world.home, 45)
    fifty, rows = count_queries(read_registry)
    assert len(rows) == 51
    assert five == fifty == 5


# --- Businesses ----------------------------------------------------------------------------------


def read_businesses(association):
    return [
        (
            b.organisation.name,
            b.organisation.partner.name,
            b.association.name,
            [s.code for s in b.organisation.sectors.all()],
            [n.code for n in b.seeks.all()],
            [n.code for n in b.offers.all()],
        )
        for b in selectors.businesses_of_association(association)
    ]


def test_the_associations_businesses_in_four_queries_for_5_or_50(world):
    association = BusinessAssociationFactory(organisation__partner=world.home)

    def add(n):
        for _ in range(n):
            BusinessProfileFactory(
                association=association,
                sectors=sectors("A", "C"),
                seeks=needs("buyers"),
                offers=needs("suppliers", "technology"),
            )

    add(5)
    five, rows = count_queries(lambda: read_businesses(association))
    assert len(rows) == 5 and rows[0][3:] == (["A", "C"], ["buyers"], ["suppliers", "technology"])
    add(45)
    fifty, rows = count_queries(lambda: read_businesses(association))
    assert len(rows) == 50
    assert five == fifty == 4
    BusinessProfileFactory()  # another association's
    assert len(read_businesses(association)) == 50


def test_who_sees_which_businesses(world):
    ours = BusinessAssociationFactory(organisation__partner=world.home)
    mine = BusinessProfileFactory(association=ours)
    theirs = BusinessProfileFactory(
        association=BusinessAssociationFactory(organisation__partner=world.away)
    )
    assert list(selectors.businesses_visible_to(chamber_staff(ours))) == [mine]
    assert list(selectors.businesses_visible_to(world.home_officer)) == [mine]
    assert list(selectors.businesses_visible_to(world.stranger_officer)) == []
    assert set(selectors.businesses_visible_to(world.away_officer)) == {theirs}


# --- Registrations, leads and staff requests --------------------------------------------------


def registrations(world, association, n):
    for _ in range(n):
        businesses = [BusinessProfileFactory(association=association) for _ in range(2)]
        registration = InterestRegistrationFactory(
            association=association, partnership=world.partnership, businesses=businesses
        )
        registration.sectors.set(sectors("A", "G"))


def read_registrations(rows):
    return [
        (
            r.association.name,
            r.association.organisation.partner.name,
            r.partnership.title,
            [b.organisation.name for b in r.businesses.all()],
            [s.code for s in r.sectors.all()],
            r.created_by,
            r.decided_by,
        )
        for r in rows
    ]


@pytest.mark.parametrize("reader", ["officer", "chamber"])
def test_registrations_in_three_queries_for_5_or_50(world, reader):
    association = BusinessAssociationFactory(organisation__partner=world.home)
    user_id = chamber_staff(association).pk if reader == "chamber" else world.away_officer.pk

    def read():
        user = User.objects.get(pk=user_id)  # as in a request: the roles are not read yet
        return count_queries(
            lambda: read_registrations(
                selectors.registrations_for_officer(user)
                if reader == "officer"
                else selectors.registrations_for_chamber(user)
            )
        )

    registrations(world, association, 5)
    five, rows = read()
    assert len(rows) == 5 and len(rows[0][3]) == 2 and rows[0][4] == ["A", "G"]
    registrations(world, association, 45)
    fifty, rows = read()
    assert len(rows) == 50
    assert five == fifty == 4  # the user's roles, the rows, their businesses, their sectors


def test_leads_and_staff_requests_for_the_officers_dashboard(world, django_assert_num_queries):
    association = BusinessAssociationFactory(organisation__partner=world.home)
    for _ in range(5):
        PartnershipLeadFactory(association=association)
        ChamberMembershipFactory(association=association, pending=True)
    ChamberMembershipFactory(pending=True)  # of another city's association
    with django_assert_num_queries(3):  # the officer's cities, the rows, their businesses
        leads = [
            (x.target.name, x.association.name)
            for x in selectors.leads_for_officer(world.home_officer)
        ]
    assert len(leads) == 5
    requests = selectors.memberships_to_decide(world.home_officer)
    assert len(requests) == 5
    assert list(selectors.memberships_to_decide(world.away_officer)) == []


# --- For the health score -------------------------------------------------------------------------


def test_which_partnerships_involve_business(world, django_assert_num_queries):
    with_linkage = PartnershipFactory()
    SubAllianceFactory(partnership=with_linkage, business=True)
    ended_linkage = PartnershipFactory()
    SubAllianceFactory(
        partnership=ended_linkage,
        business=True,
        status=SubAlliance.Status.ENDED,
        ended_on="2025-01-01",
    )
    civic = PartnershipFactory()
    SubAllianceFactory(partnership=civic, grouping=Grouping.CIVIL_SOCIETY)
    accepted = PartnershipFactory()
    InterestRegistrationFactory(
        partnership=accepted,
        status=InterestRegistration.Status.ACCEPTED,
        decided_at="2025-01-01T00:00:00Z",
    )
    pending = PartnershipFactory()
    InterestRegistrationFactory(partnership=pending)
    ids = [p.pk for p in (with_linkage, ended_linkage, civic, accepted, pending)]
    with django_assert_num_queries(2):
        involved = selectors.business_involvement_partnership_ids(ids)
    assert involved == {with_linkage.pk, accepted.pk}
