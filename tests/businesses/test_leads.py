"""A chamber proposes a partnership with a city its own city has none with; the officers of its
own city take the proposal up as a candidate in their search step, or decline it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from businesses import permissions, selectors, services
from businesses.models import PartnershipLead
from core.errors import DomainError
from partnerships.models import Candidate, Step
from tests.factories.businesses import BusinessAssociationFactory, chamber_staff
from tests.factories.partnerships import (
    CityMembershipFactory,
    NorthPartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    walked_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chamber(world):
    return BusinessAssociationFactory(
        organisation__partner=world.home, organisation__name="NMB Business Chamber"
    )


@pytest.fixture
def staff(chamber):
    return chamber_staff(chamber)


@pytest.fixture
def rotterdam(db):
    return NorthPartnerFactory(name="Rotterdam", country="NL")


def propose(chamber, staff, target):
    return services.lead_propose(
        association=chamber,
        user=staff,
        target=target,
        rationale="Europe's largest port; our citrus enters Europe there.",
    )


def test_staff_propose_a_new_partner_city_for_their_own_city(world, chamber, staff, rotterdam):
    lead = propose(chamber, staff, rotterdam)
    assert (lead.home, lead.target, lead.status, lead.created_by) == (
        world.home,
        rotterdam,
        "new",
        staff,
    )


def test_not_a_city_their_city_already_partners_with(world, chamber, staff):
    with pytest.raises(DomainError) as refused:
        propose(chamber, staff, world.away)
    assert refused.value.message == (
        "Gqeberha already has a partnership with Gävle: register your businesses' interest in "
        "it instead."
    )


def test_the_target_city_s_other_partnerships_do_not_hide_ours(world, chamber, staff):
    ended_elsewhere = PartnershipFactory(home=world.third, status="ended")
    PartnershipMemberFactory(partnership=ended_elsewhere, partner=world.away)
    with pytest.raises(DomainError, match="already has a partnership with Gävle"):
        propose(chamber, staff, world.away)


def test_an_ended_partnership_does_not_count(world, chamber, staff):
    world.partnership.status = "ended"
    world.partnership.save()
    propose(chamber, staff, world.away)


def test_not_their_own_city(world, chamber, staff):
    with pytest.raises(DomainError, match="Gqeberha is your own city"):
        propose(chamber, staff, world.home)


def test_one_waiting_proposal_per_city(world, chamber, staff, rotterdam):
    propose(chamber, staff, rotterdam)
    other = BusinessAssociationFactory(organisation__partner=world.home)
    with pytest.raises(DomainError) as refused:
        propose(other, chamber_staff(other), rotterdam)
    assert refused.value.message == (
        "A proposal of Rotterdam is already waiting for the officers of Gqeberha."
    )


def test_only_approved_staff_propose(world, chamber, rotterdam):
    with pytest.raises(DomainError, match="Only approved staff"):
        propose(chamber, world.home_officer, rotterdam)


def test_the_proposal_reaches_the_officers_of_the_chambers_own_city(
    world, chamber, staff, rotterdam
):
    lead = propose(chamber, staff, rotterdam)
    rotterdam_officer = CityMembershipFactory(partner=rotterdam).user
    assert list(selectors.leads_for_officer(world.home_officer)) == [lead]
    assert list(selectors.leads_for_officer(world.away_officer)) == []
    assert list(selectors.leads_for_officer(rotterdam_officer)) == []
    assert list(selectors.leads_for_chamber(staff)) == [lead]
    assert permissions.can_see_lead(staff, lead)
    assert not permissions.can_see_lead(rotterdam_officer, lead)
    assert not permissions.can_decide_lead(staff, lead)


def test_an_officer_takes_it_up_as_a_candidate_in_the_search_step(world, chamber, staff, rotterdam):
    lead = propose(chamber, staff, rotterdam)
    searching = walked_to(Step.SEARCH, home=world.home)
    candidate = services.lead_take_up(lead=lead, partnership=searching, user=world.home_officer)
    assert candidate.partner == rotterdam
    assert candidate.source == Candidate.Source.CHAMBER
    assert candidate.added_by == world.home_officer
    assert candidate.rationale.startswith("Proposed by NMB Business Chamber: Europe's largest")
    lead.refresh_from_db()
    assert (lead.status, lead.candidate, lead.decided_by) == (
        "taken_up",
        candidate,
        world.home_officer,
    )
    with pytest.raises(DomainError, match="already taken up as a candidate"):
        services.lead_take_up(lead=lead, partnership=searching, user=world.home_officer)


def test_only_into_a_partnership_at_the_search_step(world, chamber, staff, rotterdam):
    lead = propose(chamber, staff, rotterdam)
    with pytest.raises(DomainError) as refused:
        services.lead_take_up(lead=lead, partnership=world.partnership, user=world.home_officer)
    assert refused.value.message == (
        "“Gqeberha – Gävle” is at the step “Strategy”: a proposal becomes a candidate in the "
        "search step."
    )


def test_only_into_a_partnership_of_the_home_city(world, chamber, staff, rotterdam):
    lead = propose(chamber, staff, rotterdam)
    elsewhere = PartnershipFactory(home=world.away)
    with pytest.raises(DomainError, match="Choose a partnership of Gqeberha"):
        services.lead_take_up(lead=lead, partnership=elsewhere, user=None)


def test_only_officers_of_the_home_city_act_on_it(world, chamber, staff, rotterdam):
    lead = propose(chamber, staff, rotterdam)
    searching = walked_to(Step.SEARCH, home=world.home)
    for user in (world.away_officer, staff):
        with pytest.raises(DomainError, match="Only officers of Gqeberha"):
            services.lead_take_up(lead=lead, partnership=searching, user=user)
    assert not Candidate.objects.filter(partner=rotterdam).exists()


def test_a_city_that_is_already_a_candidate_is_refused_clearly(world, chamber, staff, rotterdam):
    lead = propose(chamber, staff, rotterdam)
    searching = walked_to(Step.SEARCH, home=world.home)
    Candidate.objects.create(partnership=searching, partner=rotterdam, rationale="Known.")
    with pytest.raises(DomainError, match="already a candidate"):
        services.lead_take_up(lead=lead, partnership=searching, user=world.home_officer)
    lead.refresh_from_db()
    assert lead.status == "new"


def test_declining_tells_the_chamber_why(world, chamber, staff, rotterdam):
    lead = propose(chamber, staff, rotterdam)
    with pytest.raises(ValidationError):
        services.lead_decline(lead=lead, user=world.home_officer, message=" ")
    declined = services.lead_decline(
        lead=lead, user=world.home_officer, message="Our strategy looks east this term."
    )
    assert declined.status == PartnershipLead.Status.DECLINED
    assert declined.officer_message == "Our strategy looks east this term."
    assert [x.status for x in selectors.leads_for_chamber(staff)] == ["declined"]


def test_a_proposal_names_the_businesses_behind_it_and_the_trade(client, world, chamber, staff):
    from tests.factories.businesses import BusinessProfileFactory

    rotterdam = NorthPartnerFactory(name="Rotterdam", country="NL")
    citrus = BusinessProfileFactory(association=chamber, organisation__name="Citrus Co")
    stranger = BusinessProfileFactory(organisation__name="Not Ours Ltd")
    client.force_login(staff)
    page = client.get(reverse("businesses:lead_propose"))
    assert "Citrus Co" in page.content.decode() and "Not Ours" not in page.content.decode()
    response = client.post(
        reverse("businesses:lead_propose"),
        {
            "target": rotterdam.pk,
            "rationale": "Europe's largest port.",
            "trade": "Forty containers of citrus a season.",
            "businesses": [citrus.pk],
        },
    )
    assert response.status_code == 302
    lead = PartnershipLead.objects.get()
    assert lead.trade == "Forty containers of citrus a season."
    assert list(lead.businesses.all()) == [citrus]
    # Another chamber's business is refused by the service, whatever the form offered.
    with pytest.raises(ValidationError):
        services.lead_propose(
            association=chamber,
            user=staff,
            target=NorthPartnerFactory(),
            rationale="x",
            businesses=[stranger],
        )
    assert PartnershipLead.objects.count() == 1


def test_the_home_city_s_search_step_shows_its_chambers_leads(client, world, chamber, staff):
    from tests.factories.businesses import BusinessProfileFactory

    rotterdam = NorthPartnerFactory(name="Rotterdam", country="NL")
    lead = services.lead_propose(
        association=chamber,
        user=staff,
        target=rotterdam,
        rationale="Europe's largest port.",
        trade="Citrus by the container.",
        businesses=[BusinessProfileFactory(association=chamber, organisation__name="Citrus Co")],
    )
    searching = walked_to(Step.SEARCH, home=world.home)
    client.force_login(world.home_officer)
    html = client.get(reverse("partnerships:search", args=[searching.pk])).content.decode()
    assert "Proposed by Gqeberha's chambers" in html
    assert "Rotterdam" in html and "Citrus by the container." in html and "Citrus Co" in html
    assert reverse("businesses:lead_decide", args=[lead.pk]) in html
    # Another city's search step does not show it.
    other = walked_to(Step.SEARCH, home=world.away)
    client.force_login(world.away_officer)
    html = client.get(reverse("partnerships:search", args=[other.pk])).content.decode()
    assert "Citrus by the container." not in html
