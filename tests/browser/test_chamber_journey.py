"""A chamber's journey, end to end in a real browser: sign-up → approval → add businesses →
register interest → the officer accepts → matchmaking → a business sub-alliance → an outcome.

The ORM sets up only the starting world: two twinned cities with a published partnership and
an officer each, Buffalo City's chamber (no staff yet) and Gävle's chamber with a fruit
importer among its members. Everything after that is done through the pages, by the chamber's
new staff member and by Buffalo City's officer. Screenshots of the key moments go to
tests/browser/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alliances.models import SubAlliance
from businesses.models import BusinessProfile, ChamberMembership, Need, Outcome
from businesses.reference_data import NEEDS
from partnerships.models import MOU, CityMembership
from tests.browser.contexts import PASSWORD, expect_message, log_in, log_out
from tests.factories.accounts import UserFactory
from tests.factories.businesses import BusinessAssociationFactory, BusinessProfileFactory
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

NEW_PASSWORD = "citrus season in the eastern cape"
TITLE = "Buffalo City – Gävle partnership"
CHAMBER = "Border-Kei Chamber of Business"


@pytest.fixture
def world(transactional_db):
    """The reference sectors and needs are created here (get-or-create by code) because a
    transactional test flushes the rows the data migrations loaded."""
    farming = SectorFactory(code="A", name="Agriculture, forestry and fishing")
    SectorFactory(code="C", name="Manufacturing")
    trade = SectorFactory(code="G", name="Wholesale and retail trade")
    for position, (code, sought, offered) in enumerate(NEEDS):
        Need.objects.get_or_create(
            code=code, defaults={"name": sought, "offer_name": offered, "position": position}
        )

    home = PartnerFactory(name="Buffalo City", province="Eastern Cape")
    away = NorthPartnerFactory(name="Gävle", province="Gävleborg", country="SE")
    partnership = PartnershipFactory(
        home=home, title=TITLE, published=True, summary="Two port cities trading and learning."
    )
    PartnershipMemberFactory(partnership=partnership, partner=away)
    MOUFactory(partnership=partnership, status=MOU.Status.SIGNED)
    ChampionFactory(
        partnership=partnership,
        partner=home,
        name="Cllr Thandi Mokoena",
        title="Portfolio Head: International Relations",
        email="thandi.mokoena@example.org",
    )
    ChampionFactory(partnership=partnership, partner=away, name="Karin Lindqvist", title="Mayor")
    # Buffalo City chose to publish its contacts in the registry; Gävle has not.
    partnership.members.filter(partner=home).update(publish_contacts=True)

    officer = UserFactory(username="nomvula", first_name="Nomvula", last_name="Dlamini")
    CityMembershipFactory(user=officer, partner=home, role=CityMembership.Role.OFFICER)
    CityMembershipFactory(partner=away)

    BusinessAssociationFactory(organisation__partner=home, organisation__name=CHAMBER)
    gavle = BusinessAssociationFactory(
        organisation__partner=away, organisation__name="Gävleborg Business Association"
    )
    BusinessProfileFactory(
        association=gavle,
        organisation__name="Nordic Fruit Import AB",
        products_services="Fruit wholesale for Nordic retailers",
        products_sought="citrus and juice concentrate",
        sectors=[trade],
        seeks=list(Need.objects.filter(code="suppliers")),
        offers=list(Need.objects.filter(code="buyers")),
        export_readiness="ready",
    )
    return {"partnership": partnership, "officer": officer, "farming": farming}


@pytest.mark.django_db(transaction=True)
def test_a_chamber_joins_registers_interest_and_a_sub_alliance_records_an_outcome(
    world, live_server, page, screenshot
):
    base = live_server.url
    partnership = world["partnership"]

    # --- A business finds the partnership in the public registry, no login ------------------
    page.goto(f"{base}/registry/")
    expect(page.get_by_role("heading", name="Partnership registry")).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=re.compile(TITLE))).to_be_visible()
    expect(page.get_by_role("heading", name="What was signed")).to_be_visible()
    contacts = page.get_by_role("region", name="Whom to talk to")
    expect(contacts).to_contain_text("Cllr Thandi Mokoena, Portfolio Head: International Relations")
    expect(contacts).not_to_contain_text("thandi.mokoena@example.org")  # not to anonymous users
    expect(contacts).not_to_contain_text("Karin Lindqvist")  # Gävle keeps its contacts
    screenshot(page, "chamber-01-registry")

    # --- Sign-up: a pending account, signed in, that sees only its status ------------------
    page.get_by_role("link", name="Sign up as chamber staff").click()
    expect(page.get_by_role("heading", name="Chamber staff sign-up")).to_be_visible()
    page.get_by_label("Business association").select_option(label=f"{CHAMBER} (Buffalo City)")
    page.get_by_label("First name").fill("Anele")
    page.get_by_label("Last name").fill("Jacobs")
    page.get_by_label("Work email address").fill("anele.jacobs@example.org")
    page.get_by_label("Job title").fill("Trade and investment officer")
    page.get_by_label("Username").fill("anele")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill("not the same at all")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("The two passwords differ.")).to_be_visible()
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Your chamber account")).to_be_visible()
    expect(page.get_by_text("Your account is waiting for approval.")).to_be_visible()
    screenshot(page, "chamber-02-pending")
    page.goto(f"{base}/partnerships/")  # anything else leads back to the status page
    expect(page).to_have_url(f"{base}/chamber/status/")
    log_out(page, "Anele Jacobs")

    # --- The officer of the chamber's city approves the request ------------------------------
    log_in(page, base, "nomvula", PASSWORD)
    page.goto(f"{base}/chamber/requests/")
    request = page.get_by_role("region", name=re.compile("Anele Jacobs"))
    expect(request).to_contain_text(CHAMBER)
    request.get_by_label("Approve").check()
    request.get_by_role("button", name="Decide").click()
    expect_message(page, f"Anele Jacobs's request to join {CHAMBER} is approved.")
    screenshot(page, "chamber-03-approved")
    log_out(page, "Nomvula Dlamini")

    # --- Staff add member businesses: one by hand, more from a CSV file ----------------------
    log_in(page, base, "anele", NEW_PASSWORD)
    page.get_by_role("link", name="My businesses").click()
    page.get_by_role("link", name="Add a business").click()
    page.get_by_label("Name").fill("Amathole Citrus Packers")
    page.get_by_label("A – Agriculture, forestry and fishing").check()
    page.get_by_label("C – Manufacturing").check()
    page.get_by_label("Size").select_option(label="Medium (50–249)")
    page.get_by_label("Export readiness").select_option(label="Export-ready")
    page.get_by_label("Products and services").fill("Packed citrus and juice concentrate")
    page.get_by_role("group", name="It seeks").get_by_label("Buyers for our products").check()
    page.get_by_role("group", name="It offers").get_by_label("Supply: we sell to other").check()
    page.get_by_role("button", name="Add business").click()
    expect_message(page, "Amathole Citrus Packers is added to your members.")
    expect(page.get_by_role("heading", name="Amathole Citrus Packers")).to_be_visible()

    page.get_by_role("link", name="Member businesses").click()
    page.get_by_role("link", name="Import from CSV").click()
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "members.csv",
                "mimeType": "text/csv",
                "buffer": (
                    b"name,sectors,size_band,seeks,offers\n"
                    b"Kei Pineapple Processors,A;C,small,buyers,suppliers\n"
                    b"Amathole Citrus Packers,A,small,,\n"
                    b"Border Timber,Z,small,,\n"
                ),
            }
        ]
    )
    page.get_by_role("button", name="Import").click()
    expect_message(page, f"Import into {CHAMBER}: 1 created; 1 already registered; 1 refused.")
    problems = page.get_by_role("table", name="Rows not imported")
    expect(problems.get_by_role("row", name=re.compile("Border Timber"))).to_contain_text(
        "Unknown sector code “Z”"
    )
    expect(problems.get_by_role("row", name=re.compile("Amathole"))).to_contain_text(
        "Already registered"
    )
    screenshot(page, "chamber-04-import-report")

    # --- Register interest in the published partnership --------------------------------------
    page.get_by_role("link", name="Registry").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Register interest").click()
    expect(page.get_by_label("Partnership")).to_have_value(str(partnership.pk))
    page.get_by_label("Amathole Citrus Packers").check()
    page.get_by_label("Objectives").fill("Ship Eastern Cape citrus to Nordic retailers.")
    page.get_by_label("Timeframe").select_option(label="Within 6 months")
    page.get_by_role("button", name="Register interest").click()
    expect_message(page, f"Interest registered in “{TITLE}”: its officers will answer here.")
    row = page.get_by_role("row", name=re.compile(TITLE))
    expect(row).to_contain_text("Waiting for the officers")
    screenshot(page, "chamber-05-interest-registered")
    log_out(page, "Anele Jacobs")

    # --- The officer accepts it, with a message -----------------------------------------------
    log_in(page, base, "nomvula", PASSWORD)
    page.goto(f"{base}/partnerships/{partnership.pk}/interest/")
    registration = page.get_by_role("article", name=re.compile(CHAMBER))
    registration.get_by_label("Accept").check()
    registration.get_by_label("Message to the chamber").fill(
        "Welcome: we will introduce you to Gävle's importers."
    )
    registration.get_by_role("button", name=re.compile("Send the decision")).click()
    expect_message(page, f"The interest of {CHAMBER} is accepted.")

    # --- Matchmaking: the citrus packhouse and the fruit importer, first -----------------------
    page.get_by_role("link", name="Matchmaking").click()
    pairs = page.get_by_role("list", name="Suggested pairs, best first")
    best = pairs.get_by_role("listitem").first
    expect(best).to_contain_text("Amathole Citrus Packers")
    expect(best).to_contain_text("Nordic Fruit Import AB")
    expect(best).to_contain_text(
        "Vertical (buyer–supplier): Nordic Fruit Import AB seeks ‘citrus and juice concentrate’"
    )
    expect(best).to_contain_text("Registered interest in this partnership: Amathole")
    screenshot(page, "chamber-06-matchmaking")
    best.get_by_role("button", name=re.compile("Form a sub-alliance")).click()
    expect_message(page, "with its five start-up tasks to work through.")
    name = "Amathole Citrus Packers – Nordic Fruit Import AB"
    expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()

    # --- The sub-alliance: a start-up task, its strength, an outcome ---------------------------
    tasks = page.locator("#tasks")
    tasks.get_by_text("Update “Analyse the history of the relationship”").click()
    tasks.get_by_label("Done", exact=True).first.check()
    tasks.get_by_role("button", name="Save task “Analyse the history of the relationship”").click()
    expect_message(page, "“Analyse the history of the relationship” is done.")
    expect(page.locator("#tasks")).to_contain_text("1 of 5 done")

    strength = page.locator("#strength")
    strength.get_by_label("Relationship strength").select_option(label="5 – Supplier: basic")
    strength.get_by_label("What changed").fill("A first trial shipment agreed.")
    strength.get_by_role("button", name="Save strength").click()
    expect_message(page, "Relationship strength set to 5 – Supplier: basic.")
    # Formed from a match, it was not assessed yet: the first assessment has no "before".
    history = page.locator("#strength").get_by_role("listitem")
    expect(history).to_have_count(1)
    expect(history).to_contain_text("5 – Supplier: basic")
    expect(history).not_to_contain_text("→")

    page.get_by_role("link", name="Record an outcome").click()
    page.get_by_label("Kind").select_option(label="Export value")
    page.get_by_label("Amount").fill("1250000")
    page.get_by_label("Currency").fill("zar")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("Date").fill(yesterday.isoformat())
    page.get_by_label("Side").select_option(label="Buffalo City (ZA)")
    page.get_by_role("button", name="Record outcome").click()
    expect_message(page, "Outcome recorded: Export value, ZAR\u00a01,250,000.00.")
    outcomes = page.get_by_role("table", name="Outcomes recorded")
    expect(outcomes).to_contain_text("ZAR\u00a01,250,000.00")
    screenshot(page, "chamber-07-outcome")
    log_out(page, "Nomvula Dlamini")

    # --- The chamber sees the officers' answer ---------------------------------------------
    log_in(page, base, "anele", NEW_PASSWORD)
    page.get_by_role("link", name="Interest").click()
    row = page.get_by_role("row", name=re.compile(TITLE))
    expect(row).to_contain_text("Accepted")
    expect(row).to_contain_text("we will introduce you to Gävle's importers")

    # What the pages did is what the database holds.
    membership = ChamberMembership.objects.get(user__username="anele")
    assert membership.status == "approved" and membership.decided_by == world["officer"]
    assert BusinessProfile.objects.filter(association=membership.association).count() == 2
    sub_alliance = SubAlliance.objects.get()
    assert sub_alliance.strength == 5 and sub_alliance.strength_records.count() == 1
    assert Outcome.objects.get().currency == "ZAR"


def assert_fits(page: Page) -> None:
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"{page.url} scrolls sideways at 375 px"


@pytest.mark.django_db(transaction=True)
def test_the_chamber_pages_fit_a_phone(world, live_server, phone, screenshot):
    base = live_server.url
    partnership = world["partnership"]
    for path in ("/registry/", f"/registry/{partnership.pk}/", "/chamber/signup/"):
        phone.goto(f"{base}{path}")
        expect(phone.locator("h1")).to_be_visible()
        assert_fits(phone)
    screenshot(phone, "chamber-phone-registry")

    log_in(phone, base, "nomvula", PASSWORD)
    for path in (
        f"/partnerships/{partnership.pk}/matchmaking/",
        f"/partnerships/{partnership.pk}/interest/",
        f"/alliances/partnerships/{partnership.pk}/",
        f"/alliances/partnerships/{partnership.pk}/new/",
        "/chamber/requests/",
        "/leads/",
    ):
        phone.goto(f"{base}{path}")
        expect(phone.locator("h1")).to_be_visible()
        assert_fits(phone)
    screenshot(phone, "chamber-phone-leads")
