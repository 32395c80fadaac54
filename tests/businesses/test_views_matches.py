"""The chamber's matchmaking pages (its own businesses' matches, proposing one, its proposals),
the officers' answer, and the business form's new fields."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import Organisation, SubAlliance
from businesses.models import BusinessProfile, MatchProposal
from core.converters import LARGEST_ID  # in an address (10**30 matches no URL)
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
from tests.growth import save, save_links, save_parents

pytestmark = pytest.mark.django_db

HUGE = 10**30  # past the database's integer: for form values


def url(name, *args):
    return reverse(f"businesses:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def firm(association, name, codes, **fields):
    return BusinessProfileFactory(
        association=association,
        organisation__name=name,
        sectors=sectors(*codes),
        **{"products_services": "", **fields},
    )


@pytest.fixture
def market(world):
    """Two chambers of Gqeberha (the home city) and one of Gävle: each Gqeberha chamber has a
    citrus farm, Gävle a juice maker seeking citrus."""
    home = BusinessAssociationFactory(organisation__partner=world.home)
    rival = BusinessAssociationFactory(organisation__partner=world.home)
    away = BusinessAssociationFactory(organisation__partner=world.away)
    elsewhere = BusinessAssociationFactory(organisation__partner=world.third)
    return SimpleNamespace(
        home=home,
        away=away,
        staff=chamber_staff(home),
        away_staff=chamber_staff(away),
        rival_staff=chamber_staff(rival),
        elsewhere_staff=chamber_staff(elsewhere),
        pending=ChamberMembershipFactory(association=home, pending=True).user,
        citrus=firm(home, "Sundays Citrus", "A", products_services="citrus and grapes"),
        rival=firm(rival, "Addo Citrus", "A", products_services="citrus"),
        juice=firm(away, "Gävle Juice", "C", products_sought="citrus for juice"),
        admin=UserFactory(is_superuser=True, is_staff=True),
    )


def propose(client, world, market, message="", user=None):
    client.force_login(user or market.staff)
    return client.post(
        url("match_propose", world.partnership.pk),
        {"first": market.citrus.pk, "second": market.juice.pk, "message": message},
    )


def test_a_chamber_sees_only_its_own_businesses_matches(client, world, market):
    client.force_login(market.staff)
    response = client.get(url("chamber_matches", world.partnership.pk))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["s"].first, r["s"].second) for r in rows] == [(market.citrus, market.juice)]
    page = response.content.decode()
    assert "Vertical (buyer–supplier): Gävle Juice seeks ‘citrus for juice’" in page
    assert "Propose this match" in page
    assert "Addo Citrus" not in page  # the other Gqeberha chamber's business
    # Gävle's chamber sees its juice maker with both Gqeberha farms, its own first.
    client.force_login(market.away_staff)
    rows = client.get(url("chamber_matches", world.partnership.pk)).context["rows"]
    assert {r["s"].first for r in rows} == {market.juice}
    assert {r["s"].second for r in rows} == {market.citrus, market.rival}


@pytest.mark.parametrize(
    ("who", "published", "status"),
    [
        ("staff", True, 200),  # a chamber of the partnership's city
        ("staff", False, 200),
        ("elsewhere_staff", True, 200),  # another city's chamber, a published partnership
        ("elsewhere_staff", False, 404),
        ("pending", True, 302),  # sent to its status page
        ("home_officer", True, 404),  # officers have their own matchmaking
        ("stranger_officer", True, 404),
        ("admin", False, 200),
        ("anonymous", True, 302),
    ],
)
def test_who_sees_a_partnerships_matches(client, world, market, who, published, status):
    Partnership.objects.filter(pk=world.partnership.pk).update(published=published)
    user = getattr(market, who, None) or getattr(world, who, None)
    if user is not None:
        client.force_login(user)
    response = client.get(url("chamber_matches", world.partnership.pk))
    assert response.status_code == status
    if who == "pending":
        assert response["Location"] == url("status")
    if who == "anonymous":
        assert "/login/" in response["Location"]
    if who == "elsewhere_staff" and status == 200:
        assert response.context["rows"] == []
        assert "your members are in none of them" in response.content.decode()
    post = client.post(
        url("match_propose", world.partnership.pk),
        {"first": market.citrus.pk, "second": market.juice.pk},
    )
    # Its own chamber (or an admin) proposes; another city's chamber is told why not.
    assert post.status_code == {"staff": 302, "admin": 302}.get(who, status)
    if who not in ("staff", "admin"):
        assert not MatchProposal.objects.exists()


def test_archived_and_unknown_partnerships_are_404(client, world, market):
    client.force_login(market.staff)
    assert client.get(url("chamber_matches", LARGEST_ID)).status_code == 404
    Partnership.objects.filter(pk=world.partnership.pk).update(status=Partnership.Status.ARCHIVED)
    assert client.get(url("chamber_matches", world.partnership.pk)).status_code == 404
    assert client.get(url("match_propose", world.partnership.pk)).status_code == 405


def test_proposing_a_match_then_its_answer(client, world, market):
    response = propose(client, world, market, message="They met at the fruit fair.")
    assert response["Location"] == url("my_match_proposals")
    proposal = MatchProposal.objects.get()
    assert (proposal.association, proposal.message) == (market.home, "They met at the fruit fair.")

    page = client.get(url("chamber_matches", world.partnership.pk))
    assert page.context["rows"][0]["waiting"] is not None
    assert "Waiting for the officers" in page.content.decode()
    assert "Propose this match" not in page.content.decode()
    listing = client.get(url("my_match_proposals"))
    assert [r["p"] for r in listing.context["rows"]] == [proposal]
    assert "Waiting for the officers" in listing.content.decode()

    # The officers see it on their matchmaking page, and accept it.
    client.force_login(world.away_officer)
    matchmaking = client.get(url("matchmaking", world.partnership.pk))
    assert matchmaking.context["proposals"] == [proposal]
    assert url("match_decide", proposal.pk) in matchmaking.content.decode()
    decide = url("match_decide", proposal.pk)
    assert client.get(decide).status_code == 200
    response = client.post(decide, {"decision": "yes", "note": "Welcome", "form": "alliance"})
    sub_alliance = SubAlliance.objects.get()
    assert response["Location"] == reverse("alliances:sub_alliance_detail", args=[sub_alliance.pk])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.sub_alliance) == ("accepted", sub_alliance)

    client.force_login(market.staff)
    page = client.get(url("my_match_proposals")).content.decode()
    assert "Accepted into a sub-alliance" in page and "Welcome" in page
    # Decided: nothing more to decide, the page says so.
    client.force_login(world.home_officer)
    response = client.post(decide, {"decision": "no", "note": "x"}, follow=True)
    assert "decided already" in messages_of(response)[0]


def test_a_refused_proposal_keeps_the_message(client, world, market):
    propose(client, world, market)
    response = propose(client, world, market, message="Please look at this one")
    assert response.status_code == 200
    page = response.content.decode()
    assert "already proposed to the officers" in page
    assert "Please look at this one" in page
    assert MatchProposal.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"first": HUGE, "second": HUGE, "message": "hi"},
        {"first": "x", "second": "y"},
        {"first": 1},
    ],
)
def test_bad_pairs_are_refused_with_a_message(client, world, market, data):
    client.force_login(market.staff)
    response = client.post(url("match_propose", world.partnership.pk), data)
    assert response.status_code == 200
    assert "Choose one of the matches shown." in response.content.decode()
    assert not MatchProposal.objects.exists()


def test_another_chambers_business_cannot_be_proposed(client, world, market):
    client.force_login(market.staff)
    response = client.post(
        url("match_propose", world.partnership.pk),
        {"first": market.rival.pk, "second": market.juice.pk, "message": "Theirs"},
    )
    assert response.status_code == 200
    assert "Only approved staff of" in response.content.decode()
    assert not MatchProposal.objects.exists()


def test_withdrawing_a_pending_proposal(client, world, market):
    propose(client, world, market)
    proposal = MatchProposal.objects.get()
    for user in (market.away_staff, world.home_officer):
        client.force_login(user)
        assert client.post(url("match_withdraw", proposal.pk)).status_code == 404
    client.force_login(market.staff)
    response = client.post(url("match_withdraw", proposal.pk), follow=True)
    assert any("is withdrawn" in m for m in messages_of(response))
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"
    response = client.post(url("match_withdraw", proposal.pk), follow=True)
    assert any("already withdrawn" in m for m in messages_of(response))
    assert client.get(url("match_withdraw", proposal.pk)).status_code == 405
    assert client.post(url("match_withdraw", LARGEST_ID)).status_code == 404


def test_who_decides_a_proposal(client, world, market):
    propose(client, world, market)
    decide = url("match_decide", MatchProposal.objects.get().pk)
    for user, status in [
        (world.home_officer, 200),
        (world.away_officer, 200),
        (market.admin, 200),
        (world.stranger_officer, 404),
        (market.staff, 404),
        (market.away_staff, 404),
        (UserFactory(), 302),
    ]:
        client.force_login(user)
        assert client.get(decide).status_code == status
    client.logout()
    assert "/login/" in client.get(decide)["Location"]
    client.force_login(world.home_officer)
    assert client.get(url("match_decide", LARGEST_ID)).status_code == 404


def test_declining_needs_a_message_and_keeps_what_was_typed(client, world, market):
    propose(client, world, market)
    proposal = MatchProposal.objects.get()
    client.force_login(world.home_officer)
    response = client.post(url("match_decide", proposal.pk), {"decision": "no", "form": "alliance"})
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    assert response.context["form"]["form"].value() == "alliance"
    response = client.post(
        url("match_decide", proposal.pk), {"decision": "no", "note": "Not this season."}
    )
    assert response["Location"] == url("matchmaking", world.partnership.pk)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.officer_message) == ("declined", "Not this season.")
    assert not SubAlliance.objects.exists()


def test_my_proposals_is_for_chamber_staff(client, world, market):
    for user, status in [
        (market.staff, 200),
        (market.admin, 200),
        (world.home_officer, 404),
        (market.pending, 302),
    ]:
        client.force_login(user)
        assert client.get(url("my_match_proposals")).status_code == status
    client.force_login(market.staff)
    page = client.get(url("my_match_proposals"))
    assert page.context["partnerships"] == [world.partnership]


def test_the_chamber_matches_page_asks_the_same_queries_for_5_or_50_businesses(
    client, world, market
):
    def add(n):
        built = [
            BusinessProfileFactory.build(
                association=association,
                organisation__name=f"{prefix} {i} {n}",
                products_services=offers,
                products_sought=seeks,
            )
            for i in range(n)
            for association, prefix, offers, seeks in (
                (market.home, "Grower", "citrus", ""),
                (market.away, "Presser", "", "citrus"),
            )
        ]
        save_parents(built, "organisation", Organisation)
        save(BusinessProfile, built)
        save_links(Organisation.sectors, [(b.organisation, sectors("A")[0]) for b in built])
        save_links(BusinessProfile.seeks, [(b, needs("buyers")[0]) for b in built])

    client.force_login(market.staff)
    address = url("chamber_matches", world.partnership.pk)
    add(5)
    client.get(address)
    with CaptureQueriesContext(connection) as few:
        client.get(address)
    propose(client, world, market)
    add(45)
    with CaptureQueriesContext(connection) as many:
        response = client.get(address)
    assert len(response.context["rows"]) == 20
    assert len(few) == len(many) <= 12, [q["sql"][:100] for q in many.captured_queries]
    # The proposals page too.
    with CaptureQueriesContext(connection) as listing:
        client.get(url("my_match_proposals"))
    assert len(listing) <= 12


# --- The business form's new fields --------------------------------------------------------------


def test_a_business_says_what_it_seeks_its_stage_and_its_markets(client, world, market):
    client.force_login(market.staff)
    data = {
        "name": "Bay Marine",
        "sectors": [s.pk for s in sectors("C")],
        "size_band": "medium",
        "export_readiness": "ready",
        "products_services": "marine engine parts",
        "products_sought": "stainless steel",
        "chain_position": "processing",
        "markets_sought": ["SE", "CN"],
        "contact_email": "not an address",
    }
    # Refused (a bad e-mail address): everything typed is still there.
    response = client.post(url("business_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "contact_email" in form.errors
    assert form["products_sought"].value() == "stainless steel"
    assert form["chain_position"].value() == "processing"
    assert form["markets_sought"].value() == ["SE", "CN"]
    page = response.content.decode()
    assert 'value="CN" selected' in page and 'value="processing" selected' in page

    data["contact_email"] = "info@baymarine.example.org"
    response = client.post(url("business_create"), data)
    business = BusinessProfile.objects.get(organisation__name="Bay Marine")
    assert response["Location"] == url("business_detail", business.pk)
    assert (business.products_sought, business.chain_position) == ("stainless steel", "processing")
    assert sorted(c.code for c in business.markets_sought) == ["CN", "SE"]
    page = client.get(url("business_detail", business.pk)).content.decode()
    assert "stainless steel" in page and "Manufacturing and processing" in page
    assert "China" in page and "Sweden" in page

    # Editing shows them, and changes them.
    form = client.get(url("business_edit", business.pk)).context["form"]
    assert form.initial["markets_sought"] == ["CN", "SE"]
    data.update(markets_sought=["ZA"], chain_position="", products_sought="")
    client.post(url("business_edit", business.pk), data)
    business.refresh_from_db()
    assert ([c.code for c in business.markets_sought], business.chain_position) == (["ZA"], "")
    response = client.post(url("business_edit", business.pk), {**data, "markets_sought": ["XX"]})
    assert "markets_sought" in response.context["form"].errors


def test_forming_a_proposed_pair_from_the_matchmaking_accepts_the_proposal(client, world, market):
    propose(client, world, market)
    proposal = MatchProposal.objects.get()
    client.force_login(world.home_officer)
    rows = client.get(url("matchmaking", world.partnership.pk)).context["rows"]
    pair = {market.citrus, market.juice}
    assert [r["proposal"] for r in rows if {r["s"].first, r["s"].second} == pair] == [proposal]
    client.post(
        url("matchmaking_form", world.partnership.pk),
        {"first": market.juice.pk, "second": market.citrus.pk},
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.sub_alliance) == ("accepted", SubAlliance.objects.get())
    assert proposal.decided_by == world.home_officer
