"""A closed step of the partnership page is drawn as its summary line; opening it in a real
browser loads its body (the page's `?panel=N`, by htmx), and the step's records are one click
further, as before."""

import pytest
from playwright.sync_api import expect

from partnerships.models import CityMembership, Step
from tests.browser.contexts import log_in
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    ChampionFactory,
    CityMembershipFactory,
    PartnerFactory,
    walked_to,
)


@pytest.fixture
def world(transactional_db):
    home = PartnerFactory(name="Nelson Mandela Bay")
    user = UserFactory(username="thandi")
    CityMembershipFactory(user=user, partner=home, role=CityMembership.Role.OFFICER)
    partnership = walked_to(Step.SELECTION, home=home, user=user, title="Port cities")
    ChampionFactory(partnership=partnership, name="Thandi Champion")
    return partnership


@pytest.mark.django_db(transaction=True)
def test_opening_a_closed_step_loads_its_body(world, live_server, page):
    log_in(page, live_server.url, "thandi", heading="Dashboard")

    page.goto(f"{live_server.url}/partnerships/{world.pk}/")
    expect(page.locator("#step-4-body")).to_be_visible()  # the current step: drawn open
    expect(page.locator("#step-1-body")).to_have_count(0)
    page.locator("#step-1 > summary").click()
    body = page.locator("#step-1-body")
    expect(body).to_be_visible()
    expect(body).to_contain_text("Before leaving this step")
    expect(body).to_contain_text("active champion")  # the summary of its champions

    # Its records in full, as from any step drawn open but not shown.
    body.get_by_role("link", name="Show this step's records in full").click()
    expect(page.locator("#step-1-body")).to_contain_text("Thandi Champion")
    expect(page).to_have_url(f"{live_server.url}/partnerships/{world.pk}/?step=1")
