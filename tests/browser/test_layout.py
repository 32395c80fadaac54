"""The portal on a phone (375 px wide): no page scrolls sideways, and the main navigation
collapses behind a toggler that opens with the keyboard. Screenshots go to
tests/browser/screenshots/.
"""

import pytest
from playwright.sync_api import Page, expect

from partnerships.models import CityMembership, Step
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    ChampionFactory,
    CityMembershipFactory,
    PartnerFactory,
    walked_to,
)

PASSWORD = "correct horse battery staple"
LONG_TITLE = "Nelson Mandela Bay and its partner: port logistics, automotive skills and youth"

# What sticks out past the right edge of the viewport, to say why a page scrolls sideways.
OFFENDERS = """() => {
  const width = window.innerWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .filter((el) => !el.closest(".table-responsive") || el.matches(".table-responsive"))
    .slice(0, 10)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList]
      .join(".")} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`);
}"""


def assert_no_horizontal_overflow(page: Page) -> None:
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"{page.url} scrolls sideways at 375 px: {page.evaluate(OFFENDERS)}"


@pytest.fixture
def officer(transactional_db):
    """An officer of a home city with partnerships at several steps, one walked to the end."""
    home = PartnerFactory(name="Nelson Mandela Bay")
    user = UserFactory(username="sipho", first_name="Sipho", last_name="Dlamini")
    CityMembershipFactory(user=user, partner=home, role=CityMembership.Role.OFFICER)
    for step in (Step.STRATEGY, Step.SEARCH, Step.SELECTION, Step.AGREEMENT):
        walked_to(step, home=home, user=user)
    long_one = walked_to(Step.MEASUREMENT, home=home, user=user, title=LONG_TITLE)
    ChampionFactory(
        partnership=long_one,
        partner=home,
        name="Nomvula Mkhize-Vanderbijlpark",
        email="nomvula.mkhize-vanderbijlpark@international-relations.example.org",
    )
    return {"user": user, "partnership": long_one}


@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_phone_and_the_navigation_opens_with_the_keyboard(
    officer, live_server, phone, screenshot
):
    phone.goto(f"{live_server.url}/accounts/login/")
    assert_no_horizontal_overflow(phone)
    phone.get_by_label("Username").fill("sipho")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_role("heading", name="Dashboard")).to_be_visible()

    pages = [
        ("phone-dashboard", "/", "Dashboard"),
        ("phone-list", "/partnerships/", "Partnerships"),
        ("phone-detail", f"/partnerships/{officer['partnership'].pk}/", LONG_TITLE),
    ]
    for name, path, heading in pages:
        phone.goto(f"{live_server.url}{path}")
        expect(phone.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert_no_horizontal_overflow(phone)
        screenshot(phone, name)

    # The main navigation is collapsed behind a toggler, which opens with Enter.
    nav = phone.get_by_role("navigation", name="Main")
    toggler = nav.get_by_role("button", name="Toggle navigation")
    dashboard_link = nav.get_by_role("link", name="Dashboard", exact=True)
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(dashboard_link).to_be_hidden()

    toggler.focus()
    expect(toggler).to_be_focused()
    phone.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    for label in ("Dashboard", "Partnerships", "Partner cities"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(nav.locator("#main-nav")).to_have_class("navbar-collapse collapse show")
    assert_no_horizontal_overflow(phone)
    screenshot(phone, "phone-nav-open")

    # The opened links are next in the keyboard order, and Enter follows them.
    phone.keyboard.press("Tab")
    expect(dashboard_link).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
