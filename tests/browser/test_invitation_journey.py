"""Both cities on one record, in a real browser: an officer of Guangzhou adds Los Angeles from
the gazetteer, walks a partnership with it to Selection, invites Los Angeles's officer by
e-mail; the invitee accepts from the e-mail's link and lands on the partnership; both sides
confirm at Selection and at the MOU, each seeing the other's confirmation and being notified;
they exchange comments with @mentions.

The ORM sets up only the starting world: the gazetteer's places, Guangzhou with its officer and
its strategy in force, the cooperation areas. Los Angeles and its officer are created through
the pages (the gazetteer's "Add", the invitation's accept page). Two browser contexts, one per
person. The live server runs in this process: the invitation is read from the mail outbox.
"""

import datetime as dt
import re
import time

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from partnerships.models import (
    MOU,
    CityMembership,
    MoveConfirmation,
    OfflineConfirmation,
    Partner,
    Partnership,
    Step,
)
from tests.browser.contexts import expect_message, log_in, new_context
from tests.browser.test_layout import assert_no_horizontal_overflow
from tests.factories.accounts import UserFactory
from tests.factories.gazetteer import GUANGZHOU, LOS_ANGELES, load_places
from tests.factories.partnerships import (
    CityMembershipFactory,
    CooperationAreaFactory,
    PartnerFactory,
    StrategyCriterionFactory,
    TwinningStrategyFactory,
)

NEW_PASSWORD = "sunset boulevard 1781 pueblo"
TITLE = "Pacific gateways"
HOME, AWAY = "Guangzhou", "Los Angeles"
INVITEE = "sam.rivera@lacity.example"
CRITERIA = ("Port and trade", "Universities")

# The KPI's target, not its target date.
TARGET = re.compile(r"\bTarget\b(?! date)")


@pytest.fixture
def world(transactional_db):
    load_places()
    home = PartnerFactory(
        name=HOME,
        province="Guangdong",
        country="CN",
        geonameid=GUANGZHOU["geonameid"],
        population=GUANGZHOU["population"],
        latitude=GUANGZHOU["latitude"],
        longitude=GUANGZHOU["longitude"],
    )
    user = UserFactory(
        username="mei", first_name="Mei", last_name="Chen", email="mei.chen@gz.example"
    )
    CityMembershipFactory(user=user, partner=home, role=CityMembership.Role.COORDINATOR)
    strategy = TwinningStrategyFactory(partner=home)
    for name in CRITERIA:
        StrategyCriterionFactory(strategy=strategy, name=name, weight=2, max_score=5)
    CooperationAreaFactory(code="trade", name="Trade and export promotion")
    CooperationAreaFactory(code="education", name="Education and youth exchange")
    return {"home": home, "user": user}


def expect_at_step(page: Page, number: int, label: str) -> None:
    expect(page.get_by_role("heading", name=f"Step {number}: {label}")).to_be_visible()


def advance(page: Page, number: int, label: str) -> None:
    button = page.get_by_role("button", name=f"Advance to step {number}: {label}")
    expect(button).to_be_enabled()
    button.click()
    expect_message(page, f"The partnership moved on to step {number}: {label}.")
    expect_at_step(page, number, label)


def confirm(page: Page, step: str, city: str) -> None:
    page.locator("#sign-off").get_by_role("button", name="Confirm for my city").click()
    expect_message(page, f"You confirmed leaving “{step}” for {city}.")


def expect_notified(page: Page, text: str) -> None:
    """After a reload, the bell shows something unread; the notifications list has `text`."""
    page.reload()
    bell = page.get_by_role("link", name=re.compile("Notifications"))
    expect(bell.first).to_contain_text("unread")
    bell.first.click()
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=text).first).to_be_visible()


def invitation_link() -> str:
    """The accept link's path, from the invitation e-mail (the live server shares this
    process's outbox)."""
    for _ in range(50):  # sent on commit, by the server's thread
        sent = [m for m in mail.outbox if INVITEE in m.to]
        if sent:
            break
        time.sleep(0.1)
    [message] = sent
    assert message.subject.endswith(f"You are invited to work for {AWAY}")
    url = re.search(r"https?://\S+/invitations/accept/\S+/", message.body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def thread(page: Page):
    """The discussion panel, loaded by htmx once the page is in."""
    panel = page.locator("#discussion")
    expect(panel.get_by_role("button", name="Post the comment")).to_be_visible()
    return panel


@pytest.mark.django_db(transaction=True)
def test_two_cities_run_one_record_from_invitation_to_a_signed_mou(
    world, live_server, browser, screenshot
):
    today = timezone.localdate()
    contexts = [new_context(browser, viewport={"width": 1280, "height": 900}) for _ in range(2)]
    mei, sam = (c.new_page() for c in contexts)
    for page in (mei, sam):
        page.set_default_timeout(15_000)
        page.on("dialog", lambda dialog: dialog.accept())
    base = live_server.url
    try:
        _journey(mei, sam, base, today, screenshot)
        # On a phone, the newcomer signs in with the password they chose; the record with its
        # timeline and thread, and the notifications, fit the screen.
        phone = new_context(browser, viewport={"width": 375, "height": 812}, is_mobile=True)
        contexts.append(phone)
        small = phone.new_page()
        small.set_default_timeout(15_000)
        log_in(small, base, "sam.rivera", NEW_PASSWORD, heading="Dashboard")
        small.goto(f"{base}/partnerships/{Partnership.objects.get(title=TITLE).pk}/")
        thread(small)
        timeline = small.locator(".timeline")
        expect(timeline).to_contain_text(f"{AWAY} confirmed leaving “Agreement / MOU”")
        assert_no_horizontal_overflow(small)
        screenshot(small, "journey-07-phone")
        small.goto(f"{base}/notifications/")
        assert_no_horizontal_overflow(small)
    finally:
        for context in contexts:
            context.close()

    # --- What the journey left in the database ----------------------------------------------
    partnership = Partnership.objects.get(title=TITLE)
    away = Partner.objects.get(name=AWAY)
    assert away.geonameid == LOS_ANGELES["geonameid"] and away.country == "US"
    assert partnership.step == Step.IMPLEMENTATION
    invitee = CityMembership.objects.get(partner=away)
    assert invitee.user.email == INVITEE
    assert invitee.role == CityMembership.Role.COORDINATOR  # the city's first officer
    confirmed = MoveConfirmation.objects.filter(partnership=partnership)
    assert {(c.step, c.partner.name) for c in confirmed} == {
        (Step.SELECTION, HOME),
        (Step.SELECTION, AWAY),
        (Step.AGREEMENT, HOME),
        (Step.AGREEMENT, AWAY),
    }
    assert not OfflineConfirmation.objects.exists()
    assert MOU.objects.get(partnership=partnership).status == MOU.Status.SIGNED


def _journey(mei: Page, sam: Page, base: str, today: dt.date, screenshot) -> None:
    # --- Guangzhou's officer adds Los Angeles from the gazetteer -----------------------------
    log_in(mei, base, "mei", heading="Dashboard")
    mei.get_by_role("link", name="Partner cities").first.click()
    mei.get_by_role("link", name="Add a partner city").click()
    expect(mei.get_by_role("heading", name="Add a partner city")).to_be_visible()
    mei.get_by_role("search").get_by_role("searchbox").fill("Los")
    mei.get_by_role("search").get_by_role("button", name="Search").click()
    row = mei.get_by_role("row").filter(has_text=AWAY)
    expect(row).to_contain_text("United States")
    screenshot(mei, "journey-01-gazetteer")
    row.get_by_role("button", name=re.compile(f"^Add {AWAY}")).click()
    expect_message(mei, f"{AWAY} is now a partner city in the portal.")

    # --- The partnership, walked to Selection through the pages ------------------------------
    mei.goto(f"{base}/")
    mei.get_by_role("link", name="New partnership").click()
    mei.get_by_label("Title").fill(TITLE)
    mei.get_by_label("Category").select_option(label="Sister city / twinning")
    mei.get_by_role("button", name="Create partnership").click()
    expect_message(mei, f"“{TITLE}” is created, in step 1: Strategy.")
    detail = mei.url
    advance(mei, 2, "Search")

    mei.get_by_role("link", name="Search for candidates").click()
    find = mei.get_by_role("region", name="Find cities")
    find.get_by_label("Name contains").fill(AWAY)
    find.get_by_role("button", name="Search", exact=True).click()
    found = mei.get_by_role("region", name="Find cities")
    expect(found.get_by_role("link", name=AWAY, exact=True)).to_be_visible()
    found.get_by_text("Add as candidate").click()
    found.get_by_label(f"Why {AWAY} fits the strategy").fill(
        "Both are Pacific gateway ports with large universities and a film industry."
    )
    found.get_by_role("button", name=f"Add {AWAY}").click()
    expect_message(mei, f"{AWAY} is now a candidate.")
    mei.goto(detail)
    advance(mei, 3, "Approach and evaluation")

    mei.locator("#step-3").get_by_role("link", name=AWAY, exact=True).click()
    contact = mei.locator("#contact")  # open: no contact recorded yet
    contact.get_by_label("Date").fill((today - dt.timedelta(days=20)).isoformat())
    contact.get_by_label("Channel").select_option(label="Meeting")
    contact.get_by_label("Contact name").fill("Sam Rivera")
    contact.get_by_label("Role").fill("International affairs")
    contact.get_by_label("Summary").fill("Met at the ports' forum; keen on a sister-city tie.")
    contact.get_by_label("Response").select_option(label="Interested")
    contact.get_by_role("button", name="Record contact").click()
    expect_message(mei, f"Contact with {AWAY} recorded.")
    dd = mei.locator("#dd")
    dd.get_by_label("Alliance history").fill("Many sister cities, all active.")
    dd.get_by_label("Existing partnerships").fill("25")
    dd.get_by_label("Failed or ended partnerships").fill("0")
    dd.get_by_label("Capability gaps").fill("None found.")
    dd.get_by_role("button", name="Save due diligence").click()
    expect_message(mei, f"Due diligence on {AWAY} saved.")
    feasibility = mei.locator("#feasibility")
    feasibility.get_by_label("Summary").fill("Direct flights, shared sectors, a willing council.")
    feasibility.get_by_label("Conclusion").select_option(label="Feasible")
    feasibility.get_by_role("button", name="Save feasibility study").click()
    expect_message(mei, f"Feasibility study of {AWAY} saved.")
    mei.goto(detail)
    advance(mei, 4, "Selection")

    mei.get_by_role("link", name="Scores and selection").click()
    for name in CRITERIA:
        mei.get_by_label(f"Score of {AWAY} on {name}").fill("4")
    mei.get_by_role("button", name="Save scores").click()
    expect_message(mei, "Scores saved (2 changed).")
    mei.get_by_label("Selected partner city").select_option(label=f"{AWAY} (US)")
    mei.get_by_label("Reasons for the selection").fill("The best score and a willing council.")
    mei.get_by_role("button", name="Record the decision").click()
    expect_message(mei, f"{AWAY} is selected and joins the partnership as counterpart.")

    # --- Los Angeles has no officer yet: invite one by e-mail --------------------------------
    mei.goto(detail)
    expect(mei.locator("#sign-off")).to_contain_text(
        f"{AWAY}: awaited (no officer in the portal yet)"
    )
    mei.get_by_role("link", name="Invite officers").click()
    mei.get_by_label("To work for").select_option(label=AWAY)
    mei.get_by_label("Their e-mail address").fill(INVITEE)
    mei.get_by_role("button", name="Send the invitation").click()
    expect_message(mei, f"Invitation to work for {AWAY} sent to {INVITEE}.")
    screenshot(mei, "journey-02-invited")

    # --- The invitee accepts from the e-mail's link, sets a password, lands on the record ----
    sam.goto(base + invitation_link())
    heading = sam.get_by_role("heading", name=f"Work for {AWAY} on the Twinning portal")
    expect(heading).to_be_visible()
    sam.get_by_label("First name").fill("Sam")
    sam.get_by_label("Last name").fill("Rivera")
    sam.get_by_label("Password*", exact=True).fill(NEW_PASSWORD)  # crispy marks it required
    sam.get_by_label("Password again").fill(NEW_PASSWORD)
    screenshot(sam, "journey-03-accept")
    sam.get_by_role("button", name="Create my account and accept").click()
    expect_message(sam, f"Welcome: you now work for {AWAY} as coordinator.")
    expect(sam.get_by_role("heading", name=TITLE)).to_be_visible()
    expect_at_step(sam, 4, "Selection")
    expect(sam.locator("#sign-off")).to_contain_text(f"{AWAY}: awaited")
    expect(sam.locator("#sign-off-sides")).not_to_contain_text("no officer in the portal")
    expect_notified(mei, "Sam Rivera accepted your invitation")
    # The newcomer's dashboard says what awaits their city's confirmation.
    sam.goto(f"{base}/")
    expect(sam.locator("#awaiting-mine")).to_contain_text(TITLE)
    expect(sam.locator("#awaiting-mine")).to_contain_text(
        f"leaving step 4: Selection · from {AWAY}"
    )

    # --- Both confirm at Selection; each sees the other's and is told ------------------------
    mei.goto(detail)
    confirm(mei, "Selection", HOME)
    expect(mei.get_by_role("button", name="Advance to step 5: Planning")).to_be_disabled()
    expect_notified(sam, f"{HOME} confirmed at “Selection”")
    sam.goto(detail)
    expect(sam.locator("#sign-off")).to_contain_text(f"{HOME}: confirmed by Mei Chen")
    confirm(sam, "Selection", AWAY)
    screenshot(sam, "journey-04-both-confirmed")
    expect_notified(mei, f"{AWAY} confirmed at “Selection”")
    mei.goto(detail)
    expect(mei.locator("#sign-off")).to_contain_text(f"{AWAY}: confirmed by Sam Rivera")
    advance(mei, 5, "Planning")
    expect_notified(sam, "moved the partnership on to “Planning”")

    # --- Planning through the pages ----------------------------------------------------------
    mei.goto(detail)
    mei.get_by_role("link", name="Letter of intent", exact=True).click()
    mei.get_by_label("Signed on").fill((today - dt.timedelta(days=10)).isoformat())
    mei.get_by_label("Signed by").fill("Both mayors")
    mei.get_by_label("Summary").fill("Both cities intend to cooperate on ports and education.")
    mei.get_by_role("button", name="Save the letter of intent").click()
    expect_message(mei, "Letter of intent saved.")
    mei.get_by_role("link", name="Business plan", exact=True).click()
    mei.get_by_label("Vision").fill("Two Pacific gateways trading and learning together.")
    mei.get_by_label("Goals").fill("Raise two-way trade; student exchanges.")
    mei.get_by_label("Objectives").fill("Two trade missions a year; fifty students exchanged.")
    mei.get_by_label("Scope").fill("Ports, trade, universities.")
    mei.get_by_role("button", name="Save the business plan").click()
    expect_message(mei, "Business plan saved.")
    mei.get_by_role("link", name="Add a KPI", exact=True).click()
    mei.get_by_label("Name").fill("Students exchanged a year")
    mei.get_by_label("Unit").fill("students")
    mei.get_by_label("Baseline").fill("0")
    mei.get_by_label(TARGET).fill("50")
    mei.get_by_label("Target date").fill(
        (timezone.localdate() + dt.timedelta(days=1095)).isoformat()
    )
    mei.get_by_role("button", name="Add the KPI", exact=True).click()
    expect_message(mei, "KPI agreed.")
    advance(mei, 6, "Agreement / MOU")

    # --- The MOU, drafted and signed ---------------------------------------------------------
    mei.get_by_role("link", name="The MOU").click()
    mei.get_by_label("Trade and export promotion").check()
    mei.get_by_label("Education and youth exchange").check()
    effective = today + dt.timedelta(days=30)
    mei.get_by_label("Effective from").fill(effective.isoformat())
    mei.get_by_label("Expires on").fill((effective + dt.timedelta(days=5 * 365)).isoformat())
    mei.get_by_label("Termination conditions").fill("Six months' written notice.")
    signatories = mei.get_by_role("group", name="Signatories")
    for row, (city, name) in enumerate([(HOME, "Sun Zhiyang"), (AWAY, "Karen Bass")]):
        signatories.get_by_label("Side").nth(row).select_option(label=city)
        signatories.get_by_label("Name", exact=True).nth(row).fill(name)
        signatories.get_by_label("Title", exact=True).nth(row).fill("Mayor")
    mei.get_by_role("button", name="Save the draft").click()
    expect_message(mei, "Draft MOU saved.")
    mei.get_by_role("link", name="The MOU").click()
    mei.get_by_role("button", name="Mark as signed").click()
    expect_message(mei, "The MOU is signed.")

    # --- Both confirm at the MOU -------------------------------------------------------------
    expect_notified(sam, "Your city’s confirmation is awaited at “Agreement / MOU”")
    confirm(mei, "Agreement / MOU", HOME)
    expect_notified(sam, f"{HOME} confirmed at “Agreement / MOU”")
    sam.goto(detail)
    expect(sam.locator("#sign-off")).to_contain_text(f"{HOME}: confirmed by Mei Chen")
    confirm(sam, "Agreement / MOU", AWAY)
    expect_notified(mei, f"{AWAY} confirmed at “Agreement / MOU”")
    mei.goto(detail)
    expect(mei.locator("#sign-off")).to_contain_text(f"{AWAY}: confirmed by Sam Rivera")
    screenshot(mei, "journey-05-mou-confirmed")
    advance(mei, 7, "Implementation")

    # --- A comment each, with a mention; the one mentioned is told ---------------------------
    sam_name = "sam.rivera"  # the invitee's username: their address before the @
    panel = thread(mei)
    panel.get_by_label("Comment").fill(f"@{sam_name} shall we plan the first trade mission?")
    panel.get_by_role("button", name="Post the comment").click()
    expect(mei.locator("#discussion")).to_contain_text("shall we plan the first trade mission")
    expect(mei.locator("#discussion")).to_contain_text(f"Told: @{sam_name}")
    expect_notified(sam, "Mei Chen mentioned you")
    sam.goto(detail)
    panel = thread(sam)
    expect(panel).to_contain_text("shall we plan the first trade mission")
    panel.get_by_label("Comment").fill("@mei yes: in March, at the Port of Los Angeles.")
    panel.get_by_role("button", name="Post the comment").click()
    expect(sam.locator("#discussion")).to_contain_text("Told: @mei")
    screenshot(sam, "journey-06-discussion")
    expect_notified(mei, "Sam Rivera mentioned you")
