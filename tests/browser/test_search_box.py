"""The search box of the navigation bar, in Chromium, with the keyboard only: an officer types
the partner city's other name ("eThekwini" for Durban), the list box offers the partnership,
the arrow keys move through it (aria-activedescendant), Escape closes it, Enter opens the
chosen result; with nothing chosen, Enter opens the results page (the plain form)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.contexts import log_in
from tests.factories.accounts import UserFactory
from tests.factories.gazetteer import DURBAN, load_places
from tests.factories.partnerships import (
    CityMembershipFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)


@pytest.fixture
def world(transactional_db):
    load_places()
    home = PartnerFactory(name="Springfield", country="US")
    durban = PartnerFactory(name="Durban", country="ZA", geonameid=DURBAN["geonameid"])
    partnership = PartnershipFactory(title="Harbour twinning", home=home)
    PartnershipMemberFactory(partnership=partnership, partner=durban)
    officer = UserFactory(username="olive")
    CityMembershipFactory(user=officer, partner=home)
    return {"partnership": partnership}


def test_typing_another_name_then_arrows_and_enter_open_the_partnership(
    world, live_server, page: Page, screenshot
):
    base = live_server.url
    log_in(page, base, "olive")

    box = page.get_by_role("combobox", name="Search the portal")
    box.focus()
    page.keyboard.type("eThekwini")
    listbox = page.get_by_role("listbox", name="Search results")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("Harbour twinning")
    screenshot(page, "search-box")

    page.keyboard.press("ArrowDown")
    first_id = options.first.get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first_id)
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")  # the city, then back up to the partnership
    expect(box).not_to_have_attribute("aria-activedescendant", first_id)
    page.keyboard.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", first_id)

    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")  # opens again on the first option
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-activedescendant", first_id)

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/partnerships/{world['partnership'].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Harbour twinning")

    # Nothing chosen: Enter submits the form, the results page groups what was found.
    box = page.get_by_role("combobox", name="Search the portal")
    box.fill("durban")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=durban$"))
    expect(page.get_by_role("heading", name=re.compile("^Partnerships"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Cities"))).to_be_visible()
