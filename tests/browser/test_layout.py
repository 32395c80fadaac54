"""The portal on a phone (375 px wide): no page scrolls sideways, and the main navigation
collapses behind a toggler that opens with the keyboard. Screenshots go to
tests/browser/screenshots/.
"""

import pytest
from playwright.sync_api import Page, expect

from partnerships.models import CityMembership, Step
from tests.browser.contexts import PASSWORD, log_in, new_context, settled
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    ChampionFactory,
    CityMembershipFactory,
    PartnerFactory,
    walked_to,
)

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


# Tables wider than their .table-responsive box (scrolling sideways inside it).
TABLES_SCROLL = """() => [...document.querySelectorAll(".table-responsive")]
  .filter((box) => box.scrollWidth > box.clientWidth + 0.5)
  .map((box) => (box.querySelector("table") || box).id || box.className)"""


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
    settled(phone)

    pages = [
        ("phone-dashboard", "/", "Dashboard"),
        ("phone-list", "/partnerships/", "Partnerships"),
        ("phone-detail", f"/partnerships/{officer['partnership'].pk}/", LONG_TITLE),
    ]
    for name, path, heading in pages:
        phone.goto(f"{live_server.url}{path}")
        expect(phone.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert_no_horizontal_overflow(phone)
        if path == "/":
            # The dashboard's tables wrap their text to the phone's width rather than scroll
            # sideways (issue 19: the health table did). Lists of many columns may scroll.
            assert phone.evaluate(TABLES_SCROLL) == [], path
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


# Content a box cuts off with no way to reach it: an element whose right edge lies past its
# clipping ancestor's, where that ancestor does not scroll sideways (overflow hidden/clip), or
# a scrolling box (a .table-responsive) on a desktop screen, where a table has room to fit.
CUT_OFF = """(selector) => {
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    const right = el.getBoundingClientRect().right;
    for (let box = el.parentElement; box; box = box.parentElement) {
      const style = getComputedStyle(box);
      const edge = box.getBoundingClientRect().right;
      if (["auto", "scroll"].includes(style.overflowX)) {
        if (right > edge + 0.5) out.push(`${el.textContent.trim().slice(0, 30)} (scrolled)`);
        break;
      }
      if (["hidden", "clip"].includes(style.overflowX) && right > edge + 0.5) {
        out.push(`${el.textContent.trim().slice(0, 30)} (clipped)`);
        break;
      }
    }
    const name = el.textContent.trim().slice(0, 30);
    if (right > window.innerWidth + 0.5) out.push(`${name} (off screen)`);
  }
  return out;
}"""


@pytest.mark.django_db(transaction=True)
def test_nothing_is_cut_off_on_a_laptop_screen(officer, live_server, browser, screenshot):
    """Issue 19: at 1,366 px the step board showed seven columns of eight, and the report's
    funnel table hid its last column behind a scroll bar. Every board column and every table
    cell on the dashboard and the report is in view, and nothing scrolls sideways."""
    context = new_context(browser, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server.url, "sipho", heading="Dashboard")
        expect(page.locator(".board-column")).to_have_count(8)
        sticking_out = """() => [...document.querySelectorAll(".board-column *")]
          .filter((el) => el.getBoundingClientRect().right
                          > el.closest(".board-column").getBoundingClientRect().right + 0.5)
          .map((el) => el.textContent.trim().slice(0, 30))"""
        pages = [("/", ".board-column, table th, table td"), ("/reports/", "th, td")]
        for width in (1366, 1440, 1920):  # a laptop, and wider (Bootstrap's xxl columns)
            page.set_viewport_size({"width": width, "height": 768})
            for path, selector in pages:
                page.goto(f"{live_server.url}{path}")
                assert page.evaluate(CUT_OFF, selector) == [], (path, width)
                if path == "/":  # nothing in a column runs over into the next
                    assert page.evaluate(sticking_out) == [], width
                assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"{live_server.url}/")
        screenshot(page, "laptop-dashboard")
    finally:
        context.close()
