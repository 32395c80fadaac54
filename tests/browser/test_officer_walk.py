"""An officer walks a new partnership from strategy to a signed MOU, in a real browser.

The ORM sets up only the starting world (the cities, their sectors and the officer). Every
step of the walk after that is done through the pages, as an officer would: log in, create
the partnership, meet the first gate's refusal, write and approve the home city's strategy,
then search, approach, select, plan and sign, advancing after each step, until the
partnership reaches Implementation. Screenshots of the key moments go to
tests/browser/screenshots/.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from partnerships.models import (
    MOU,
    CityMembership,
    OfflineConfirmation,
    Partner,
    Partnership,
    Step,
    StepTransition,
)
from tests.browser.contexts import PASSWORD, expect_message, settled
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    CooperationAreaFactory,
    NorthPartnerFactory,
    PartnerFactory,
    SectorFactory,
    signed_pdf_bytes,
)

TITLE = "Port cities trading and learning"
HOME = "Nelson Mandela Bay"
CANDIDATE = "Aachen"

# The KPI's target, not its target date.
TARGET = re.compile(r"\bTarget\b(?! date)")


@pytest.fixture
def world(transactional_db):
    """Home city A with sectors and a coordinator; candidate B with no officers; a third city.

    The reference sectors and areas are created here (get-or-create by code) because a
    transactional test flushes the rows the data migration loaded.
    """
    port = SectorFactory(code="H", name="Transportation and storage")
    manufacturing = SectorFactory(code="C", name="Manufacturing")
    education = SectorFactory(code="P", name="Education")
    CooperationAreaFactory(code="trade", name="Trade and export promotion")
    CooperationAreaFactory(code="education", name="Education and youth exchange")

    home = PartnerFactory(name=HOME, province="Eastern Cape", population=1_200_000)
    home.sectors.set([port, manufacturing])
    candidate = NorthPartnerFactory(name=CANDIDATE, province="North Rhine-Westphalia")
    candidate.sectors.set([manufacturing, education])
    other = PartnerFactory(name="Buffalo City", province="Eastern Cape", population=800_000)
    other.sectors.set([port])

    user = UserFactory(username="thandi", first_name="Thandi", last_name="Mokoena")
    CityMembershipFactory(user=user, partner=home, role=CityMembership.Role.COORDINATOR)
    return {"home": home, "candidate": candidate, "other": other, "user": user}


def expect_at_step(page: Page, number: int, label: str) -> None:
    """The partnership's page shows `number` as the current step: heading and stepper."""
    expect(page.get_by_role("heading", name=f"Step {number}: {label}")).to_be_visible()
    current = page.get_by_role("list", name="The eight steps").locator("[aria-current=step]")
    expect(current).to_have_count(1)
    expect(current).to_contain_text(label)
    expect(current).to_contain_text("(current step)")


def sign_off(page: Page, step: str, evidence: str, on: dt.date) -> None:
    """The joint sign-off: the officer confirms for the home city; Aachen has no officer in
    the portal, so its confirmation given on paper is recorded with the signed PDF."""
    box = page.locator("#sign-off")
    expect(box).to_contain_text(f"{CANDIDATE}: awaited (no officer in the portal yet)")
    box.get_by_role("button", name="Confirm for my city").click()
    expect_message(page, f"You confirmed leaving “{step}” for {HOME}.")
    page.get_by_role("link", name="Record a confirmation given outside the portal").click()
    expect(page.get_by_label("The city that confirmed")).to_have_value(
        str(Partner.objects.get(name=CANDIDATE).pk)
    )
    page.get_by_label("Who confirmed for it").fill("Sibylle Keupen")
    page.get_by_label("Their role").fill("Lord Mayor")
    page.get_by_label("When they confirmed").fill(on.isoformat())
    page.get_by_label(evidence).check()
    page.get_by_label("The signed letter or MOU (PDF)").set_input_files(
        {"name": "signed.pdf", "mimeType": "application/pdf", "buffer": signed_pdf_bytes()}
    )
    page.get_by_role("button", name="Record the confirmation").click()
    shown = f"confirmed outside the portal by Sibylle Keupen, Lord Mayor, on {on:%-d %b %Y}"
    expect_message(page, f"{CANDIDATE}: {shown}.")
    expect(page.locator("#sign-off")).to_contain_text(f"{CANDIDATE}: {shown}")


def advance(page: Page, number: int, label: str) -> None:
    """Press the enabled Advance button and land on the next step."""
    button = page.get_by_role("button", name=f"Advance to step {number}: {label}")
    expect(button).to_be_enabled()
    button.click()
    expect_message(page, f"The partnership moved on to step {number}: {label}.")
    expect_at_step(page, number, label)


@pytest.mark.django_db(transaction=True)
def test_officer_walks_a_partnership_from_strategy_to_a_signed_mou(
    world, live_server, page, screenshot
):
    today = timezone.localdate()
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)  # the data-confirm questions of irreversible submits

    # --- Log in ------------------------------------------------------------------------------
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill("thandi")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "walk-01-login")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    settled(page)

    # --- Create the partnership from the portal ----------------------------------------------
    page.get_by_role("link", name="New partnership").click()
    expect(page.get_by_role("heading", name="New partnership")).to_be_visible()
    expect(page.get_by_label("Home city")).to_have_value(str(world["home"].pk))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Category").select_option(label="Sister city / twinning")
    page.get_by_role("button", name="Create partnership").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect_message(page, f"“{TITLE}” is created, in step 1: Strategy.")
    expect_at_step(page, 1, "Strategy")
    detail_url = page.url

    # --- The first gate refuses, with its reason ---------------------------------------------
    refused = page.get_by_role("button", name="Advance to step 2: Search")
    expect(refused).to_be_disabled()
    reason = "Put a twinning strategy in force for the home city."
    expect(refused).to_have_accessible_description(re.compile(re.escape(reason)))
    expect(page.locator("#advance-blockers").get_by_text(reason)).to_be_visible()
    screenshot(page, "walk-02-gate-refused")

    # --- Step 1: write the home city's strategy and approve it -------------------------------
    page.get_by_role("link", name="The home city's strategy").click()
    expect(page.get_by_role("heading", name=f"Twinning strategy of {HOME}")).to_be_visible()
    expect(page.get_by_role("heading", name="Write the first strategy")).to_be_visible()
    page.get_by_label("Vision").fill("A port city open to the world, trading and learning.")
    page.get_by_label("Goals").fill("Grow exports; exchange port management skills.")
    page.get_by_label("Champion").fill("Executive Mayor")
    criteria = [
        ("Complementary economy", "3", "5"),
        ("Port and logistics experience", "2", "5"),
    ]
    # Each criterion says what it measures (step 2 scores exactly that; issue 19).
    measures = ["Complementary sectors", "Sectors in common"]
    for number, (name, weight, max_score) in enumerate(criteria, start=1):
        row = page.get_by_role("group", name=f"Criterion {number}")
        row.get_by_label("Name").fill(name)
        row.get_by_label("What it measures").select_option(label=measures[number - 1])
        row.get_by_label("Weight").fill(weight)
        row.get_by_label("Max score").fill(max_score)
    page.get_by_role("button", name="Save draft").click()
    expect_message(page, "Draft version 1 saved.")
    expect(page.get_by_role("heading", name="Draft version 1")).to_be_visible()

    page.get_by_role("button", name="Approve and put in force").click()
    # The first version supersedes nothing, and the message does not pretend it does.
    expect(page.locator(".messages")).to_have_text(
        re.compile(r"^\s*Version 1 is now in force\.\s*$")
    )
    assert len(dialogs) == 1 and "Put version 1 in force" in dialogs[0]
    version = page.get_by_role("article")
    expect(version.get_by_text("In force")).to_be_visible()
    for name, weight, _ in criteria:
        expect(version.get_by_role("row", name=name)).to_contain_text(f"×{weight}")
    screenshot(page, "walk-03-strategy")

    # --- Back to the partnership: the gate opens; advance to Search --------------------------
    page.goto(detail_url)
    expect(page.locator("#advance-blockers")).to_have_count(0)
    met = page.locator("#step-1 li.met").filter(has_text=reason)
    expect(met).to_contain_text(f"Met: {reason}")
    advance(page, 2, "Search")

    # --- Step 2: add the candidate from the search page --------------------------------------
    page.get_by_role("link", name="Search for candidates").click()
    expect(page.get_by_role("heading", name="Search for partner cities")).to_be_visible()
    find = page.get_by_role("region", name="Find cities")
    find.get_by_label("Name contains").fill(CANDIDATE)
    find.get_by_role("button", name="Search", exact=True).click()
    found = page.get_by_role("region", name="Find cities")
    expect(found.get_by_role("link", name=CANDIDATE, exact=True)).to_be_visible()
    found.get_by_text("Add as candidate").click()
    found.get_by_label(f"Why {CANDIDATE} fits the strategy").fill(
        "A manufacturing city with a complementary automotive cluster and strong universities."
    )
    found.get_by_role("button", name=f"Add {CANDIDATE}").click()
    expect_message(page, f"{CANDIDATE} is now a candidate.")
    so_far = page.get_by_role("region", name="Candidates so far")
    expect(so_far.get_by_role("link", name=re.compile(CANDIDATE))).to_be_visible()

    page.goto(detail_url)
    advance(page, 3, "Approach and evaluation")

    # --- Step 3: approach, due diligence and feasibility on the candidate's page -------------
    page.locator("#step-3").get_by_role("link", name=CANDIDATE, exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(f"^{CANDIDATE}"))).to_be_visible()

    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs).to_contain_text("Approach and evaluation")
    expect(crumbs.get_by_text("Search", exact=True)).to_have_count(0)
    contact = page.locator("#contact")
    # No contact yet: the form is open, its channel not yet chosen.
    expect(contact.locator("details")).to_have_attribute("open", "")
    expect(contact.get_by_label("Channel")).to_have_value("")
    contact.get_by_label("Date").fill((today - dt.timedelta(days=20)).isoformat())
    contact.get_by_label("Channel").select_option(label="Meeting")
    contact.get_by_label("Contact name").fill("Dr. Anna Schmidt")
    contact.get_by_label("Role").fill("Head of international relations")
    contact.get_by_label("Summary").fill("Met at the city network's annual conference.")
    contact.get_by_label("Response").select_option(label="Interested")
    contact.get_by_role("button", name="Record contact").click()
    expect_message(page, f"Contact with {CANDIDATE} recorded.")
    expect(page.locator("#contact").get_by_role("cell", name="Dr. Anna Schmidt")).to_be_visible()

    dd = page.locator("#dd")
    dd.get_by_label("Alliance history").fill("Four partnerships, one ended for lack of funds.")
    dd.get_by_label("Existing partnerships").fill("3")
    dd.get_by_label("Failed or ended partnerships").fill("1")
    dd.get_by_label("Capability gaps").fill("No dedicated Africa desk.")
    dd.get_by_role("button", name="Save due diligence").click()
    expect_message(page, f"Due diligence on {CANDIDATE} saved.")

    feasibility = page.locator("#feasibility")
    feasibility.get_by_label("Summary").fill("Direct flights, shared sectors, a willing council.")
    feasibility.get_by_label("Conclusion").select_option(label="Feasible")
    feasibility.get_by_role("button", name="Save feasibility study").click()
    expect_message(page, f"Feasibility study of {CANDIDATE} saved.")
    expect(page.locator("#feasibility")).to_contain_text("Concluded “Feasible”")

    page.goto(detail_url)
    advance(page, 4, "Selection")

    # --- Step 4: score on each criterion, compare, decide -----------------------------------
    page.get_by_role("link", name="Scores and selection").click()
    expect(page.get_by_role("heading", name="Selection", exact=True)).to_be_visible()
    page.get_by_label(f"Score of {CANDIDATE} on Complementary economy").fill("4")
    page.get_by_label(f"Score of {CANDIDATE} on Port and logistics experience").fill("3")
    page.get_by_role("button", name="Save scores").click()
    expect_message(page, "Scores saved (2 changed).")
    comparison = page.get_by_role("region", name="Comparison")
    standing = comparison.get_by_role("row", name=re.compile(CANDIDATE))
    expect(standing).to_contain_text("18 / 25")  # 4×3 + 3×2 of 5×3 + 5×2
    expect(standing).to_contain_text("2 of 2")

    page.get_by_label("Selected partner city").select_option(label=f"{CANDIDATE} (DE)")
    page.get_by_label("Reasons for the selection").fill(
        "Best weighted score, a positive approach and a feasible study."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect_message(page, f"{CANDIDATE} is selected and joins the partnership as counterpart.")
    decision = page.get_by_role("region", name="Decision")
    expect(decision.get_by_text(f"{CANDIDATE} was selected")).to_be_visible()
    screenshot(page, "walk-04-selection")

    page.goto(detail_url)
    sign_off(page, "Selection", "A signed letter", today - dt.timedelta(days=2))
    screenshot(page, "walk-04-sign-off")
    advance(page, 5, "Planning")

    # --- Step 5: letter of intent, business plan, a KPI -------------------------------------
    page.get_by_role("link", name="Letter of intent", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Letter of intent"))).to_be_visible()
    page.get_by_label("Signed on").fill((today - dt.timedelta(days=10)).isoformat())
    page.get_by_label("Signed by").fill("Both executive mayors")
    page.get_by_label("Summary").fill("Both cities intend to cooperate on trade and skills.")
    page.get_by_role("button", name="Save the letter of intent").click()
    expect_message(page, "Letter of intent saved.")

    page.get_by_role("link", name="Business plan", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Business plan"))).to_be_visible()
    page.get_by_label("Vision").fill("Two port cities trading and learning together.")
    page.get_by_label("Goals").fill("Raise two-way trade; train municipal engineers.")
    page.get_by_label("Objectives").fill("Two trade missions a year; ten engineers trained.")
    page.get_by_label("Scope").fill("Trade, ports, skills.")
    page.get_by_role("button", name="Save the business plan").click()
    expect_message(page, "Business plan saved.")

    in_three_years = timezone.localdate() + dt.timedelta(days=3 * 365)  # the KPIs' due date
    page.get_by_role("link", name="Add a KPI", exact=True).click()
    expect(page.get_by_role("heading", name="Agree a KPI")).to_be_visible()
    page.get_by_label("Name").fill("Trade missions a year")
    page.get_by_label("Unit").fill("missions")
    page.get_by_label("Baseline").fill("0")
    page.get_by_label(TARGET).fill("2")
    page.get_by_label("Target date").fill(in_three_years.isoformat())
    page.get_by_role("button", name="Add the KPI and another").click()
    expect_message(page, "KPI agreed.")
    expect(page.get_by_role("heading", name="Agree a KPI")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("")
    page.get_by_label("Name").fill("Engineers trained")
    page.get_by_label("Unit").fill("engineers")
    page.get_by_label("Baseline").fill("0")
    page.get_by_label(TARGET).fill("10")
    page.get_by_label("Target date").fill(in_three_years.isoformat())
    page.get_by_role("button", name="Add the KPI", exact=True).click()
    expect_message(page, "KPI agreed.")
    planning = page.locator("#step-5")
    expect(planning.get_by_role("cell", name="Trade missions a year")).to_be_visible()
    expect(planning.get_by_text("Business plan: Two port cities")).to_be_visible()
    screenshot(page, "walk-05-planning")

    advance(page, 6, "Agreement / MOU")

    # --- Step 6: draft the MOU and sign it ---------------------------------------------------
    page.get_by_role("link", name="The MOU").click()
    expect(page.get_by_role("heading", name="Start the draft MOU")).to_be_visible()
    page.get_by_label("Trade and export promotion").check()
    page.get_by_label("Education and youth exchange").check()
    effective = today + dt.timedelta(days=30)
    expires = effective.replace(year=effective.year + 5) - dt.timedelta(days=1)
    page.get_by_label("Effective from").fill(effective.isoformat())
    # A mistyped expiry, with the PDF chosen: the refused form keeps the PDF (issue 19).
    page.get_by_label("Expires on").fill((effective - dt.timedelta(days=1)).isoformat())
    page.get_by_label("The agreement (PDF)").set_input_files(
        {"name": "signed-mou.pdf", "mimeType": "application/pdf", "buffer": signed_pdf_bytes()}
    )
    page.get_by_label("Termination conditions").fill(
        "Either side may end it with six months' written notice."
    )
    signatories = page.get_by_role("group", name="Signatories")
    for row, (city, name) in enumerate([(HOME, "Gary van Niekerk"), (CANDIDATE, "Sibylle Keupen")]):
        signatories.get_by_label("Side").nth(row).select_option(label=city)
        signatories.get_by_label("Name", exact=True).nth(row).fill(name)
        signatories.get_by_label("Title", exact=True).nth(row).fill("Mayor")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("The expiry date must be after the effective date.")).to_be_visible()
    expect(page.get_by_text("Kept: signed-mou.pdf")).to_be_visible()
    page.get_by_label("Expires on").fill(expires.isoformat())  # the file is not chosen again
    page.get_by_role("button", name="Save the draft").click()
    expect_message(page, "Draft MOU saved.")

    page.get_by_role("link", name="The MOU").click()
    expect(page.get_by_role("heading", name="Draft MOU")).to_be_visible()
    page.get_by_role("button", name="Mark as signed").click()
    expect_message(page, "The MOU is signed.")
    assert len(dialogs) == 2 and "Mark this MOU as signed" in dialogs[1]
    agreement = page.locator("#step-6")
    # It takes effect in 30 days: the record says so rather than "runs from" (issue 19).
    expect(agreement).to_contain_text("A signed MOU takes effect on")
    expect(agreement).to_contain_text("it is not in force yet")
    expect(agreement).to_contain_text("Gary van Niekerk, Mayor")
    expect(agreement).to_contain_text("Sibylle Keupen, Mayor")
    screenshot(page, "walk-06-mou-signed")

    sign_off(page, "Agreement / MOU", "The signed MOU", today)
    advance(page, 7, "Implementation")
    expect(page.get_by_role("button", name="Advance to step 8: Measurement")).to_be_disabled()
    # Just entered implementation: in its grace period, not yet "no activity".
    expect(page.get_by_text("No activity logged since implementation began.")).to_have_count(0)
    screenshot(page, "walk-07-implementation")

    # --- What the walk left in the database --------------------------------------------------
    partnership = Partnership.objects.get(title=TITLE)
    assert partnership.step == Step.IMPLEMENTATION
    moves = list(StepTransition.objects.filter(partnership=partnership).order_by("pk"))
    assert [(m.from_step, m.to_step) for m in moves] == [(s, s + 1) for s in range(1, 7)]
    assert all(m.kind == StepTransition.Kind.ADVANCE and m.by == world["user"] for m in moves)
    mou = MOU.objects.get(partnership=partnership)
    assert mou.status == MOU.Status.SIGNED
    assert (mou.effective_on, mou.expires_on, mou.signed_on) == (effective, expires, today)
    assert mou.signatories.count() == 2
    with mou.document.open("rb") as stored:
        assert stored.read() == signed_pdf_bytes()  # the PDF held across the refusal
    offline = OfflineConfirmation.objects.filter(partnership=partnership).order_by("step")
    assert [(c.step, c.evidence, c.recorded_by) for c in offline] == [
        (Step.SELECTION, "letter", world["user"]),
        (Step.AGREEMENT, "mou", world["user"]),
    ]
    assert partnership.strategy is not None and partnership.strategy.partner == world["home"]
