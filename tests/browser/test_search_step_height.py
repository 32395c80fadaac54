"""Step 2's page on a laptop with a full portal (issue 19: it was 5,000 px tall): the strategy's
fit of each suggested city is explained behind a closed disclosure, the suggestions after the
first few are folded, and the search results come ten a page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from partnerships.models import StrategyCriterion
from tests.browser.contexts import log_in
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    NorthPartnerFactory,
    PartnerFactory,
    SectorFactory,
    StrategyCriterionFactory,
    TwinningStrategyFactory,
    walked_to,
)

# One laptop screen is 768 px; the page may take a few of them, not seven.
MOST_PX = 3200


@pytest.fixture
def world(transactional_db):
    sectors = [SectorFactory(name=name) for name in ("Ports", "Logistics", "Tourism", "Wine")]
    home = PartnerFactory(name="Nelson Mandela Bay")
    home.sectors.set(sectors[:2])
    strategy = TwinningStrategyFactory(partner=home)
    for measure, weight in [
        (StrategyCriterion.Measure.SHARED_SECTORS, 5),
        (StrategyCriterion.Measure.SIZE, 3),
        (StrategyCriterion.Measure.DISTANCE, 2),
        (StrategyCriterion.Measure.JUDGEMENT, 2),
    ]:
        StrategyCriterionFactory(strategy=strategy, measure=measure, weight=weight)
    for n in range(40):  # cities to suggest and to find, each with something in common
        city = NorthPartnerFactory(name=f"Hafenstadt {n:02}", population=200_000 + 10_000 * n)
        city.sectors.set(sectors[n % 3 : n % 3 + 2])
    officer = UserFactory(username="thandi")
    CityMembershipFactory(user=officer, partner=home)
    return {"partnership": walked_to(2, home=home, user=officer)}


def test_the_search_step_fits_a_few_screens_and_explains_each_fit(
    world, live_server, page: Page, screenshot
):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server.url, "thandi")
    page.goto(f"{live_server.url}/partnerships/{world['partnership'].pk}/search/?q=Hafenstadt")
    expect(page.get_by_text("Hafenstadt", exact=False).first).to_be_visible()

    height = page.evaluate("document.documentElement.scrollHeight")
    screenshot(page, "search-step-laptop")
    assert height <= MOST_PX, f"the search step is {height} px tall"

    # The working of a fit is there, closed until asked for.
    working = page.locator("details").filter(has_text="Fit =").first
    expect(working).to_be_attached()
    assert working.get_attribute("open") is None
    working.locator("summary").click()
    expect(working.get_by_text("Fit =")).to_be_visible()
