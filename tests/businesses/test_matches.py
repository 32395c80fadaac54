"""Matches a chamber proposes to a partnership's officers: who may propose, duplicates, the pair
scored again, the officers' decision (accepted into a sub-alliance, or declined), withdrawal,
and the selectors the dashboards read."""

import threading
from types import SimpleNamespace

import pytest
from django.db import transaction

from alliances.models import SubAlliance
from businesses import selectors, services
from businesses.models import MatchProposal
from core.errors import DomainError
from partnerships.models import Partnership
from tests.factories.accounts import UserFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    chamber_staff,
    needs,
    sectors,
)
from tests.notifications.test_reminders import _in_threads, postgres_only

pytestmark = pytest.mark.django_db


def firm(association, name, codes, **fields):
    return BusinessProfileFactory(
        association=association,
        organisation__name=name,
        sectors=sectors(*codes),
        seeks=needs(*fields.pop("seeks", ())),
        offers=needs(*fields.pop("offers", ())),
        **{"products_services": "", **fields},
    )


@pytest.fixture
def market(world):
    return make_market(world)


def make_market(world):
    """A citrus packhouse of Gqeberha and a juice maker of Gävle that seeks citrus (a product
    match), a Gqeberha tannery nobody needs, and each chamber's staff."""
    home = BusinessAssociationFactory(organisation__partner=world.home)
    away = BusinessAssociationFactory(organisation__partner=world.away)
    return SimpleNamespace(
        home=home,
        away=away,
        staff=chamber_staff(home),
        away_staff=chamber_staff(away),
        citrus=firm(home, "Sundays Citrus", "A", products_services="Citrus and grapes"),
        tannery=firm(home, "Karoo Leather", "C", products_services="leather"),
        juice=firm(away, "Gävle Juice", "C", products_sought="citrus for juice"),
        admin=UserFactory(is_superuser=True, is_staff=True),
    )


def no_longer(juice):
    """Gävle Juice now seeks bottles and is in education: nothing links it to the citrus."""
    juice.products_sought = "bottles"
    juice.save()
    juice.organisation.sectors.set(sectors("P"))


def propose(world, market, user=None, first=None, second=None, **kwargs):
    return services.match_propose(
        partnership=kwargs.pop("partnership", world.partnership),
        first=first or market.citrus,
        second=second or market.juice,
        user=user or market.staff,
        **kwargs,
    )


def test_a_chamber_proposes_a_match_of_its_own_business(world, market):
    proposal = propose(world, market, message="  They met at the fruit fair.  ")
    assert proposal.status == MatchProposal.Status.PENDING
    assert (proposal.first, proposal.second, proposal.association) == (
        market.citrus,
        market.juice,
        market.home,
    )
    assert proposal.created_by == market.staff
    assert proposal.message == "They met at the fruit fair."
    # What the chamber saw is kept for the officers.
    assert proposal.score == 30 + 5  # the product, and A supplies C
    assert proposal.direction == "vertical"
    assert proposal.reasons[0] == (
        "Vertical (buyer–supplier): Gävle Juice seeks ‘citrus for juice’; Sundays Citrus offers "
        "‘Citrus and grapes’ (matched: citrus)."
    )


@pytest.mark.parametrize("who", ["away_staff", "pending", "officer", "stranger", "plain"])
def test_only_the_businesss_own_chamber_proposes_it(world, market, who):
    user = {
        "away_staff": market.away_staff,
        "pending": ChamberMembershipFactory(association=market.home, pending=True).user,
        "officer": world.home_officer,
        "stranger": world.stranger_officer,
        "plain": UserFactory(),
    }[who]
    with pytest.raises(DomainError, match="Only approved staff of"):
        propose(world, market, user=user)
    assert not MatchProposal.objects.exists()


def test_an_admin_proposes_for_the_businesss_chamber(world, market):
    assert propose(world, market, user=market.admin).association == market.home


def test_a_private_partnership_takes_proposals_of_its_own_cities_chambers_only(world, market):
    Partnership.objects.filter(pk=world.partnership.pk).update(published=False)
    world.partnership.refresh_from_db()
    assert propose(world, market).pk
    elsewhere = BusinessAssociationFactory(organisation__partner=world.third)
    outsider = firm(elsewhere, "Polokwane Packers", "A", products_services="citrus")
    with pytest.raises(DomainError, match="published partnerships and in those of your own"):
        propose(world, market, user=chamber_staff(elsewhere), first=outsider)


def test_a_chamber_of_another_city_has_no_pair_in_a_published_partnership(world, market):
    elsewhere = BusinessAssociationFactory(organisation__partner=world.third)
    outsider = firm(elsewhere, "Polokwane Packers", "A", products_services="citrus")
    with pytest.raises(DomainError, match="member cities"):
        propose(world, market, user=chamber_staff(elsewhere), first=outsider)


def test_the_pair_is_scored_again(world, market):
    """A stale page cannot propose a pair that no longer matches, nor one that never did."""
    no_longer(market.juice)
    with pytest.raises(DomainError, match="not \\(or no longer\\) a match"):
        propose(world, market)
    with pytest.raises(DomainError, match="not \\(or no longer\\) a match"):
        propose(world, market, first=market.tannery)
    neighbour = BusinessAssociationFactory(organisation__partner=world.home)
    with pytest.raises(DomainError, match="two different cities"):
        propose(world, market, second=firm(neighbour, "Addo Juice", "C", products_sought="citrus"))
    with pytest.raises(DomainError, match="another city's chamber"):
        propose(world, market, second=market.tannery)
    assert not MatchProposal.objects.exists()


def test_a_pair_waiting_for_the_officers_is_not_proposed_twice(world, market):
    propose(world, market)
    with pytest.raises(DomainError, match="already proposed to the officers"):
        propose(world, market, message="Again")
    # The other chamber proposing the same pair the other way round: the same pair.
    market.citrus.products_sought = "juice"
    market.citrus.save()
    market.juice.products_services = "juice"
    market.juice.save()
    with pytest.raises(DomainError, match="already proposed to the officers"):
        propose(world, market, user=market.away_staff, first=market.juice, second=market.citrus)
    assert MatchProposal.objects.count() == 1
    # Withdrawn, it may be proposed again.
    services.match_withdraw(proposal=MatchProposal.objects.get(), user=market.staff)
    assert propose(world, market).status == MatchProposal.Status.PENDING


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_two_chambers_proposing_one_pair_at_once_make_one_proposal():
    """Found from outside: each chamber proposed the pair in its own order at the same moment
    and both were saved (the constraint is on the ordered pair), each notifying the officers."""
    from tests.businesses.conftest import Twinned

    world = Twinned()
    m = make_market(world)
    m.citrus.products_sought = "juice"
    m.citrus.save()
    m.juice.products_services = "juice"
    m.juice.save()
    sides = iter([(m.staff, m.citrus, m.juice), (m.away_staff, m.juice, m.citrus)])
    lock = threading.Lock()

    def one():
        with lock:
            user, first, second = next(sides)
        try:
            with transaction.atomic():
                propose(world, m, user=user, first=first, second=second)
            return "proposed"
        except DomainError as exc:
            return str(exc)

    results = _in_threads(2, one)
    assert MatchProposal.objects.filter(status=MatchProposal.Status.PENDING).count() == 1
    assert sorted(r == "proposed" for r in results) == [False, True], results


def test_a_pair_already_in_a_sub_alliance_is_refused(world, market):
    services.matchmaking_to_sub_alliance(
        partnership=world.partnership, first=market.citrus, second=market.juice, user=None
    )
    with pytest.raises(DomainError, match="already in a sub-alliance here"):
        propose(world, market)


def test_a_closed_partnership_takes_no_matches(world, market):
    Partnership.objects.filter(pk=world.partnership.pk).update(status=Partnership.Status.ENDED)
    world.partnership.refresh_from_db()
    with pytest.raises(DomainError, match="takes no new matches"):
        propose(world, market)


def test_an_officer_accepts_a_proposal_into_a_sub_alliance(world, market):
    proposal = propose(world, market)
    decided = services.match_decide(
        proposal=proposal, user=world.away_officer, accept=True, message="Welcome", form="alliance"
    )
    assert decided.status == MatchProposal.Status.ACCEPTED
    assert (decided.decided_by, decided.officer_message) == (world.away_officer, "Welcome")
    assert decided.decided_at is not None
    sub_alliance = decided.sub_alliance
    assert sub_alliance == SubAlliance.objects.get()
    assert (sub_alliance.partnership, sub_alliance.form) == (world.partnership, "alliance")
    roles = {p.organisation.name: p.role for p in sub_alliance.parties.all()}
    assert roles == {"Sundays Citrus": "supplier", "Gävle Juice": "buyer"}
    with pytest.raises(DomainError, match="already accepted"):
        services.match_decide(proposal=proposal, user=world.home_officer, accept=False, message="x")


def test_an_officer_declines_with_a_message(world, market):
    proposal = propose(world, market)
    with pytest.raises(DomainError, match="why the match is declined"):
        services.match_decide(proposal=proposal, user=world.home_officer, accept=False)
    decided = services.match_decide(
        proposal=proposal, user=world.home_officer, accept=False, message="Not this season."
    )
    assert (decided.status, decided.sub_alliance) == (MatchProposal.Status.DECLINED, None)
    assert decided.officer_message == "Not this season."
    assert not SubAlliance.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "staff", "plain"])
def test_only_the_partnerships_officers_decide(world, market, who):
    proposal = propose(world, market)
    user = {"stranger": world.stranger_officer, "staff": market.staff, "plain": UserFactory()}[who]
    with pytest.raises(DomainError, match="Only officers of the partner cities"):
        services.match_decide(proposal=proposal, user=user, accept=True)
    proposal.refresh_from_db()
    assert proposal.status == MatchProposal.Status.PENDING
    assert not SubAlliance.objects.exists()


def test_accepting_a_pair_that_no_longer_matches_changes_nothing(world, market):
    proposal = propose(world, market)
    no_longer(market.juice)
    with pytest.raises(DomainError, match="no longer"):
        services.match_decide(proposal=proposal, user=market.admin, accept=True)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_at) == (MatchProposal.Status.PENDING, None)
    assert not SubAlliance.objects.exists()


def test_the_proposing_chamber_withdraws_a_pending_proposal(world, market):
    proposal = propose(world, market)
    with pytest.raises(DomainError, match="Only the proposing association's staff"):
        services.match_withdraw(proposal=proposal, user=market.away_staff)
    assert services.match_withdraw(proposal=proposal, user=market.staff).status == "withdrawn"
    with pytest.raises(DomainError, match="already withdrawn"):
        services.match_withdraw(proposal=proposal, user=market.staff)
    with pytest.raises(DomainError, match="already withdrawn"):
        services.match_decide(proposal=proposal, user=world.home_officer, accept=True)


def test_the_selectors_for_the_dashboards(world, market, django_assert_max_num_queries):
    first = propose(world, market)
    services.match_withdraw(proposal=first, user=market.staff)
    second = propose(world, market)
    other = BusinessAssociationFactory(organisation__partner=world.home)
    theirs = propose(
        world,
        market,
        user=chamber_staff(other),
        first=firm(other, "Addo Citrus", "A", products_services="citrus"),
    )
    with django_assert_max_num_queries(2):
        rows = list(selectors.match_proposals_of(market.staff))
        [(p.partnership.title, p.first.name, p.second.organisation.partner.name) for p in rows]
    assert rows == [second, first]
    assert list(selectors.match_proposals_for_officer(world.home_officer)) == [second, theirs]
    assert list(selectors.match_proposals_for_officer(world.away_officer)) == [second, theirs]
    assert list(selectors.match_proposals_for_officer(world.stranger_officer)) == []
    assert list(selectors.match_proposals_for_officer(market.staff)) == []
    assert set(selectors.match_proposals_of(market.admin)) == {first, second, theirs}
    assert list(selectors.match_proposals_of(world.home_officer)) == []
