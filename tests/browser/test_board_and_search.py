"""The officer's day in Chromium (issue 20): the dashboard's board worked on by dragging cards
and with the keyboard only (static/js/board.js, through partnerships/views/moves.py); an
activity scheduled and completed; a saved view reopened; a partnership found by its partner
city's other name; a bulk action with one refused row.

The helpers at the top (signing in, a board column, a card) are meant for the other journeys
of the issue that will join this file."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from partnerships.models import Partnership, Step
from tests.browser.contexts import log_in
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CandidateFactory,
    CityMembershipFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)


def column(page: Page, step: int):
    """The board's column of a step."""
    return page.locator(f'.board-column[data-step="{int(step)}"]')


def card(page: Page, title: str, step: int | None = None):
    """A partnership's card on the board (in the column of `step` when given)."""
    where = column(page, step) if step else page.locator("[data-board]")
    return where.locator("[data-card]", has_text=title)


def count(page: Page, step: int) -> int:
    return int(column(page, step).locator("[data-count]").inner_text())


def step_of(title: str) -> int:
    return Partnership.objects.get(title=title).step


@pytest.fixture
def world(transactional_db):
    home = PartnerFactory(name="Springfield")
    harbour = PartnershipFactory(title="Harbour twinning", home=home, step=Step.SEARCH)
    PartnershipMemberFactory(partnership=harbour, partner=PartnerFactory(name="Durban"))
    ready = PartnershipFactory(title="Port of call", home=home, step=Step.SEARCH)
    CandidateFactory(partnership=ready)
    officer = UserFactory(username="olive")
    CityMembershipFactory(user=officer, partner=home)
    return {"harbour": harbour, "ready": ready}


def test_dragging_a_card_forward_is_refused_then_accepted(world, live_server, page, screenshot):
    log_in(page, live_server.url, "olive", heading="Dashboard")
    title = "Harbour twinning"
    status = page.locator("#board-status")
    assert (count(page, Step.SEARCH), count(page, Step.APPROACH)) == (2, 0)

    # Refused by the gate: the card stays in its column, the missing list is said.
    card(page, title).drag_to(column(page, Step.APPROACH))
    expect(status).to_contain_text("The partnership cannot leave")
    expect(status.locator("li")).to_have_text(
        ["Draw up at least one candidate city, with its rationale."]
    )
    expect(card(page, title, Step.SEARCH)).to_have_count(1)
    assert step_of(title) == Step.SEARCH
    screenshot(page, "board-refused")

    # Two steps ahead: refused in the browser, nothing sent.
    card(page, title).drag_to(column(page, Step.SELECTION))
    expect(status).to_contain_text("one step at a time")
    expect(card(page, title, Step.SEARCH)).to_have_count(1)

    CandidateFactory(partnership=world["harbour"])  # the gate's artefact
    card(page, title).drag_to(column(page, Step.APPROACH))
    expect(card(page, title, Step.APPROACH)).to_have_count(1)
    expect(status).to_contain_text("moved on to step 3")
    assert step_of(title) == Step.APPROACH
    assert (count(page, Step.SEARCH), count(page, Step.APPROACH)) == (1, 1)
    # Its button now offers the step after.
    expect(card(page, title).get_by_role("button")).to_have_text(
        f"Advance to 4. {Step.SELECTION.label}"
    )
    screenshot(page, "board-accepted")


def test_a_card_moves_with_the_keyboard_and_returns_with_a_reason(world, live_server, page):
    log_in(page, live_server.url, "olive", heading="Dashboard")
    title = "Port of call"
    advance = card(page, title).get_by_role("button", name=f"Advance to 3. {Step.APPROACH.label}")
    advance.focus()
    page.keyboard.press("Enter")
    expect(card(page, title, Step.APPROACH)).to_have_count(1)
    expect(page.locator("#board-status")).to_contain_text("moved on to step 3")
    assert step_of(title) == Step.APPROACH
    # The focus stays on the card's button, in its new column.
    expect(card(page, title).get_by_role("button")).to_be_focused()
    assert page.url.rstrip("/") == live_server.url  # no reload

    # Back to step 1 by dragging: the dialog asks why, and refuses no reason.
    card(page, title).drag_to(column(page, Step.STRATEGY))
    dialog = page.get_by_role("dialog", name="Return to an earlier step")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Return to step")).to_have_value(str(Step.STRATEGY.value))
    dialog.get_by_role("button", name="Return").click()
    expect(dialog.locator("li")).to_have_text(
        ["Say why the partnership returns to an earlier step."]
    )
    assert step_of(title) == Step.APPROACH
    dialog.get_by_label("Reason").fill("The strategy was rewritten.")
    dialog.get_by_role("button", name="Return").click()
    expect(dialog).to_be_hidden()
    expect(card(page, title, Step.STRATEGY)).to_have_count(1)
    expect(page.locator("#board-status")).to_contain_text("returned to step 1")
    assert step_of(title) == Step.STRATEGY
    expect(card(page, title).get_by_role("link", name="Return…")).to_be_hidden()


# --- Scheduled activities, saved views, the search box, bulk actions ---------------------


@pytest.fixture
def desk(transactional_db):
    """Springfield's officer Olive and her partnership with Durban (in the gazetteer, also
    called eThekwini), a second of hers with Gävle, and Gävle's partnership with Porto that she
    may see in the list (published) but not change."""
    from tests.factories.gazetteer import DURBAN, load_places

    load_places()
    home = PartnerFactory(name="Springfield", country="US")
    durban = PartnerFactory(name="Durban", country="ZA", geonameid=DURBAN["geonameid"])
    gavle = PartnerFactory(name="Gävle", country="SE")
    harbour = PartnershipFactory(title="Harbour twinning", home=home)
    PartnershipMemberFactory(partnership=harbour, partner=durban)
    timber = PartnershipFactory(title="Timber exchange", home=home)
    PartnershipMemberFactory(partnership=timber, partner=gavle)
    olive = UserFactory(username="olive", first_name="Olive", last_name="Ong")
    CityMembershipFactory(user=olive, partner=home)
    dumi = UserFactory(username="dumi", first_name="Dumi", last_name="Zulu")
    CityMembershipFactory(user=dumi, partner=durban)
    return {"harbour": harbour, "timber": timber, "olive": olive, "dumi": dumi}


def test_schedule_an_activity_then_complete_it_from_my_activities(desk, live_server, page: Page):
    from agenda.models import ScheduledActivity

    base = live_server.url
    log_in(page, base, "olive", heading="Dashboard")
    page.goto(f"{base}/partnerships/{desk['harbour'].pk}/")
    page.get_by_role("link", name="Scheduled activities").click()
    page.get_by_label("Type").select_option(label="Meeting")
    page.get_by_label("Summary").fill("Meet Durban's harbour office")
    page.get_by_label("Assigned to").select_option(label="Olive Ong")
    page.get_by_label("Due on").fill(dt.date.today().isoformat())
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Scheduled: Meet Durban's harbour office"
    )

    # The dashboard's panel (fetched once the page has loaded) and "My activities".
    page.goto(f"{base}/")
    panel = page.get_by_role("region", name="My activities")
    expect(panel).to_contain_text("Meet Durban's harbour office")
    page.get_by_role("navigation").get_by_role("link", name="My activities").first.click()
    expect(page.get_by_role("heading", name=re.compile("^Today"))).to_be_visible()
    page.get_by_label("Outcome of “Meet Durban's harbour office”").fill("Dates agreed for May.")
    page.get_by_role("button", name=re.compile("^Mark done")).click()
    expect(page.locator(".alert-success")).to_contain_text("Done: Meet Durban's harbour office")
    activity = ScheduledActivity.objects.get()
    assert activity.outcome == "Dates agreed for May." and activity.done_by == desk["olive"]
    page.goto(f"{base}/partnerships/{desk['harbour'].pk}/")
    expect(page.get_by_text("Done: Meeting “Meet Durban's harbour office”")).to_be_visible()


def test_save_a_view_and_reopen_it(desk, live_server, page: Page):
    base = live_server.url
    log_in(page, base, "olive", heading="Dashboard")
    page.goto(f"{base}/partnerships/?q=Timber&sort=title")
    page.get_by_text("Save the filters and sort shown as a view").click()
    page.get_by_label("Name").fill("Timber only")
    page.get_by_role("button", name="Save the view").click()
    page.goto(f"{base}/partnerships/?view=")  # the list unfiltered
    expect(page.get_by_role("link", name="Harbour twinning")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Timber only")).click()
    expect(page.get_by_role("link", name="Timber exchange")).to_be_visible()
    expect(page.get_by_role("link", name="Harbour twinning")).to_have_count(0)


def test_find_a_partnership_by_its_partner_citys_other_name(desk, live_server, page: Page):
    base = live_server.url
    log_in(page, base, "olive", heading="Dashboard")
    box = page.get_by_role("combobox", name="Search the portal")
    box.fill("eThekwini")
    box.press("Enter")
    expect(page.get_by_role("link", name="Harbour twinning")).to_be_visible()
    expect(page.get_by_role("link", name="Timber exchange")).to_have_count(0)


def test_a_bulk_action_with_one_refused_row(desk, live_server, page: Page):
    from agenda.models import ScheduledActivity

    base = live_server.url
    log_in(page, base, "olive", heading="Dashboard")
    page.goto(f"{base}/partnerships/?sort=title")
    page.get_by_label("Select Harbour twinning").check()
    page.get_by_label("Select Timber exchange").check()
    page.get_by_label("Bulk action").select_option(label="Assign an activity")
    page.get_by_role("button", name="Apply to selected").click()
    # Dumi works for Durban: he may see the harbour partnership, not Gävle's timber one.
    page.get_by_label("Type").select_option(label="Follow-up")
    page.get_by_label("Summary").fill("Send the annual report")
    page.get_by_label("Assigned to").select_option(label="Dumi Zulu")
    page.get_by_label("Due on").fill((dt.date.today() + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Done (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Refused (1)")).to_be_visible()
    expect(page.get_by_text("Dumi Zulu cannot see “Timber exchange”")).to_be_visible()
    activity = ScheduledActivity.objects.get()
    assert (activity.partnership, activity.assignee) == (desk["harbour"], desk["dumi"])
