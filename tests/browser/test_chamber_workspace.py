"""The chamber's own workspace, end to end in Chromium (issue 15), with no Django admin and no
shell: a Durban chamber that is not on the list signs up; the eThekwini officer approves it from
the e-mail's link; the chamber adds three businesses (one by hand, two from a spreadsheet),
finds the eThekwini – Guangzhou partnership by searching "Durban", reads the contacts of both
sides and downloads the signed agreement, registers interest, sees its businesses' matches and
proposes one; the officer accepts it into a sub-alliance; the chamber records an export deal
and sees it on its home page.

The ORM sets up only the starting world: the gazetteer's places, the two cities in a published
partnership with a signed MOU whose document is published, an officer of each, and Guangzhou's
chamber with two member businesses. Screenshots go to tests/browser/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from alliances.models import SubAlliance
from businesses.models import BusinessAssociation, MatchProposal, Need, Outcome
from businesses.reference_data import NEEDS
from partnerships.models import MOU, CityMembership
from tests.browser.contexts import PASSWORD, expect_message, log_in, log_out
from tests.factories.accounts import UserFactory
from tests.factories.businesses import BusinessAssociationFactory, BusinessProfileFactory
from tests.factories.gazetteer import load_places
from tests.factories.partnerships import (
    ChampionFactory,
    CityMembershipFactory,
    MOUFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    SectorFactory,
)
from tests.pdfs import PDF

NEW_PASSWORD = "sardine run along the kwazulu coast"
TITLE = "eThekwini – Guangzhou partnership"
CHAMBER = "Durban Chamber of Commerce and Industry"


@pytest.fixture
def world(transactional_db):
    """Reference rows the data migrations load are made here: a transactional test flushes
    them."""
    SectorFactory(code="C", name="Manufacturing")
    SectorFactory(code="H", name="Transportation and storage")
    SectorFactory(code="A", name="Agriculture, forestry and fishing")
    for position, (code, sought, offered) in enumerate(NEEDS):
        Need.objects.get_or_create(
            code=code, defaults={"name": sought, "offer_name": offered, "position": position}
        )
    load_places()
    ethekwini = PartnerFactory(name="eThekwini", province="KwaZulu-Natal", geonameid=1007311)
    guangzhou = NorthPartnerFactory(
        name="Guangzhou", province="Guangdong", country="CN", geonameid=1809858
    )
    partnership = PartnershipFactory(
        home=ethekwini,
        title=TITLE,
        published=True,
        publish_mou_document=True,
        summary="Two port cities: ship repair, logistics and trade.",
    )
    PartnershipMemberFactory(partnership=partnership, partner=guangzhou)
    partnership.members.update(publish_contacts=True)
    MOUFactory(
        partnership=partnership,
        status=MOU.Status.SIGNED,
        document=ContentFile(PDF, name="mou.pdf"),
    )
    ChampionFactory(
        partnership=partnership,
        partner=ethekwini,
        name="Thulani Nxumalo",
        title="Head: International Governance and Relations",
        email="thulani.nxumalo@example.org",
    )
    ChampionFactory(
        partnership=partnership,
        partner=guangzhou,
        name="Chen Wei",
        title="Foreign Affairs Office",
        email="chen.wei@example.org",
    )
    officer = UserFactory(
        username="zanele", first_name="Zanele", last_name="Mkhize", email="zanele@example.org"
    )
    CityMembershipFactory(user=officer, partner=ethekwini, role=CityMembership.Role.OFFICER)
    CityMembershipFactory(partner=guangzhou)
    canton = BusinessAssociationFactory(
        organisation__partner=guangzhou, organisation__name="Guangzhou Chamber of Commerce"
    )
    BusinessProfileFactory(
        association=canton,
        organisation__name="Canton Marine Engines Co",
        products_services="Marine engine parts and propeller shafts",
        products_sought="Ship repair yards on the Indian Ocean",
        chain_position="processing",
        markets_sought=["ZA"],
        export_readiness="exporting",
    )
    BusinessProfileFactory(
        association=canton,
        organisation__name="Pearl River Toys Ltd",
        products_services="Plastic toys",
        export_readiness="exporting",
    )
    return {"partnership": partnership, "officer": officer}


def link_in(message, path_pattern: str) -> str:
    """The path of the first link of the e-mail that matches."""
    url = re.search(rf"https?://\S+?({path_pattern})", message.body)
    assert url, message.body
    return url.group(1)


@pytest.mark.django_db(transaction=True)
def test_a_chamber_not_listed_goes_from_sign_up_to_a_measured_deal(
    world, live_server, page, screenshot
):
    base = live_server.url
    partnership = world["partnership"]

    # --- Sign-up for a chamber that is not on the list; the city by another of its names -----
    page.goto(f"{base}/chamber/signup/")
    page.get_by_text("My chamber is not listed").first.click()  # opens the <details>
    page.get_by_label("My chamber is not listed").check()
    page.get_by_label("Your chamber's name").fill(CHAMBER)
    page.get_by_label("First name").fill("Ayanda")
    page.get_by_label("Last name").fill("Ngcobo")
    page.get_by_label("Work email address").fill("ayanda@durbanchamber.example.org")
    page.get_by_label("Username").fill("ayanda")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_label("Its city").fill("Durban")
    page.get_by_role("button", name="Find the city").click()
    durban = page.get_by_role("radio", name=re.compile(r"^Durban"))
    expect(durban).to_be_visible()
    durban.check()
    page.get_by_label("Contact person").fill("Palesa Dlamini")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Your chamber account")).to_be_visible()
    expect(page.get_by_text(re.compile("Who decides: the officers of eThekwini"))).to_be_visible()
    screenshot(page, "workspace-01-pending")
    page.goto(f"{base}/partnerships/")  # anything but its status and the public pages: back
    expect(page).to_have_url(f"{base}/chamber/status/")
    log_out(page, "Ayanda Ngcobo")

    # --- The eThekwini officer approves from the e-mail's link --------------------------------
    [request_mail] = mail.outbox
    assert request_mail.to == ["zanele@example.org"]
    decide = link_in(request_mail, r"/chamber/requests/\d+/")
    log_in(page, base, "zanele", PASSWORD)
    page.goto(f"{base}{decide}")
    expect(page.get_by_text(CHAMBER).first).to_be_visible()
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Decide").click()
    expect_message(page, "is approved")
    log_out(page, "Zanele Mkhize")
    association = BusinessAssociation.objects.get(organisation__name=CHAMBER)
    assert association.status == BusinessAssociation.Status.LISTED
    assert association.organisation.partner.name == "eThekwini"
    decision_mail = mail.outbox[-1]
    assert decision_mail.to == ["ayanda@durbanchamber.example.org"]
    assert "approved" in decision_mail.subject.lower()

    # --- The chamber's own home, then three member businesses ---------------------------------
    log_in(page, base, "ayanda", NEW_PASSWORD)
    expect(page).to_have_url(f"{base}/chamber/")
    expect(page.get_by_role("heading", name=CHAMBER)).to_be_visible()
    expect(page.get_by_role("heading", name="Member businesses")).to_be_visible()
    page.get_by_role("link", name="Add a business").click()
    page.get_by_label("Name").fill("Bluff Ship Repair")
    page.get_by_label("C – Manufacturing").check()
    page.get_by_label("H – Transportation and storage").check()
    page.get_by_label("Size").select_option(label="Medium (50–249)")
    page.get_by_label("Export readiness").select_option(label="Export-ready")
    page.get_by_label("Products and services").fill("Ship repair and hull maintenance")
    page.get_by_label("What it buys or wants to find").fill("Marine engine parts")
    page.get_by_label("Position in the value chain").select_option(
        label="Services to other businesses"
    )
    page.get_by_label("Export markets sought").select_option(label="China")
    page.get_by_role("button", name="Add business").click()
    expect_message(page, "Bluff Ship Repair is added to your members.")

    page.get_by_role("link", name="Member businesses").click()
    page.get_by_role("link", name="Import from CSV").click()
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "members.csv",
                "mimeType": "text/csv",
                "buffer": (
                    b"name,sectors,size_band,products_services,products_sought,markets_sought\n"
                    b"Umgeni Citrus Growers,A,small,Fresh citrus,Cold storage,CN\n"
                    b"Berea Freight Forwarders,H,small,Freight forwarding,,CN;HK\n"
                ),
            }
        ]
    )
    page.get_by_role("button", name="Import").click()
    expect_message(page, f"Import into {CHAMBER}: 2 created")
    assert association.businesses.count() == 3

    # --- The registry: "Durban" finds eThekwini's partnership; contacts and the agreement -----
    page.get_by_role("link", name="Registry").first.click()
    page.get_by_label("City (any of its names) or title").fill("Durban")
    page.get_by_role("button", name=re.compile("Search|Filter")).click()
    page.get_by_role("link", name=TITLE).click()
    contacts = page.get_by_role("region", name="Whom to talk to")
    expect(contacts).to_contain_text("Thulani Nxumalo")
    expect(contacts).to_contain_text("thulani.nxumalo@example.org")  # chamber staff see e-mails
    expect(contacts).to_contain_text("Chen Wei")
    agreement = page.get_by_role("link", name="Download the signed MOU (PDF)")
    response = page.request.get(f"{base}{agreement.get_attribute('href')}")
    assert response.ok and response.body().startswith(b"%PDF-")
    screenshot(page, "workspace-02-registry")

    # --- Register interest, right there --------------------------------------------------------
    page.get_by_role("link", name="Register interest").click()
    page.get_by_label("Bluff Ship Repair").check()
    page.get_by_label("Objectives").fill("Repair Guangzhou-built vessels calling at Durban.")
    page.get_by_role("button", name="Register interest").click()
    expect_message(page, f"Interest registered in “{TITLE}”")

    # --- Its businesses' matches: the reasons name the facts; propose the best -----------------
    page.goto(f"{base}/registry/{partnership.pk}/")
    page.get_by_role("link", name="Matches for your businesses").click()
    best = page.get_by_role("list", name="Matches, best first").get_by_role("listitem").first
    expect(best).to_contain_text("Bluff Ship Repair")
    expect(best).to_contain_text("Canton Marine Engines Co")
    expect(best).to_contain_text("matched: marine, engine, parts")
    screenshot(page, "workspace-03-matches")
    best.get_by_label("Message to the officers").fill("Their parts, our yard: one repair offer.")
    best.get_by_role("button", name=re.compile("Propose this match")).click()
    expect(page.locator(".messages")).to_contain_text("proposed")
    log_out(page, "Ayanda Ngcobo")

    # --- The officer accepts it into a sub-alliance (the proposal reached them by e-mail) ------
    proposed_mail = next(
        m for m in mail.outbox if "zanele@example.org" in m.to and "match" in m.subject
    )
    matchmaking = link_in(proposed_mail, rf"/partnerships/{partnership.pk}/matchmaking/")
    log_in(page, base, "zanele", PASSWORD)
    page.goto(f"{base}{matchmaking}")
    proposals = page.get_by_role("region", name=re.compile("Matches proposed by chambers"))
    proposals.get_by_role("link", name=re.compile("Accept or decline")).click()
    expect(page.get_by_text("Their parts, our yard: one repair offer.")).to_be_visible()
    page.get_by_label("Accept: form a business sub-alliance").check()
    page.get_by_role("button", name="Decide").click()
    expect(page.locator(".messages")).to_contain_text("Sub-alliance")
    log_out(page, "Zanele Mkhize")
    proposal = MatchProposal.objects.get()
    assert proposal.status == MatchProposal.Status.ACCEPTED
    sub_alliance = SubAlliance.objects.get()
    assert proposal.sub_alliance == sub_alliance

    # --- The chamber records an export deal and sees it on its home ----------------------------
    log_in(page, base, "ayanda", NEW_PASSWORD)
    expect(page.get_by_role("region", name="Matches you proposed")).to_contain_text(
        "Accepted into a sub-alliance"
    )
    page.get_by_role("region", name="Sub-alliances your businesses take part in").get_by_role(
        "link", name=sub_alliance.name
    ).click()
    expect(page.get_by_role("heading", name=re.compile("Start-up tasks"))).to_be_visible()
    page.get_by_role("link", name="Record an outcome").click()
    page.get_by_label("Kind").select_option(label="Export value")
    page.get_by_label("Amount").fill("480000")
    page.get_by_label("Currency").fill("zar")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("Date").fill(yesterday.isoformat())
    page.get_by_role("button", name="Record outcome").click()
    expect_message(page, "Outcome recorded: Export value, ZAR\u00a0480,000.00.")
    page.get_by_role("link", name="Your chamber").first.click()
    outcomes = page.get_by_role("region", name="Outcomes reported")
    expect(outcomes).to_contain_text("ZAR\u00a0480,000.00")
    screenshot(page, "workspace-04-home")
    assert Outcome.objects.get().recorded_by.username == "ayanda"
