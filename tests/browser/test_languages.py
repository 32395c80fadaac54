"""The portal in Arabic (right to left) and Chinese on a phone (375 px): the pages an officer
works on read in the language chosen, mirror where Arabic asks it (the stepper runs from the
right, the timeline's line is on the right, a table's first column is on the right, arrows
point the other way), and none scrolls sideways. Screenshots go to tests/browser/screenshots/.
"""

import pytest
from playwright.sync_api import Page, expect

from partnerships.models import CityMembership, Step
from tests.browser.contexts import PASSWORD
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import CityMembershipFactory, PartnerFactory, walked_to

# What sticks out past either edge of the viewport, to say why a page scrolls sideways.
OFFENDERS = """() => {
  const width = window.innerWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => { const r = el.getBoundingClientRect();
                      return r.right > width + 0.5 || r.left < -0.5; })
    .filter((el) => !el.closest(".table-responsive, .table-responsive-sm, .board")
                    || el.matches(".table-responsive, .table-responsive-sm, .board"))
    .slice(0, 10)
    .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`);
}"""


def assert_fits(page: Page) -> None:
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"{page.url} scrolls sideways at 375 px: {page.evaluate(OFFENDERS)}"


@pytest.fixture
def officers(transactional_db):
    home = PartnerFactory(name="Nelson Mandela Bay")
    users = {}
    for language in ("ar", "zh-hans"):
        user = UserFactory(username=f"officer-{language}", language=language)
        CityMembershipFactory(user=user, partner=home, role=CityMembership.Role.OFFICER)
        users[language] = user
    walked_to(Step.SEARCH, home=home, user=users["ar"])
    done = walked_to(Step.MEASUREMENT, home=home, user=users["ar"], title="Bay and Harbour")
    return {"users": users, "partnership": done}


def sign_in(phone: Page, base: str, language: str, username: str) -> None:
    # A visitor's switcher link first, so that the sign-in page is in the language too.
    phone.goto(f"{base}/language/?language={language}&next=/accounts/login/")
    expect(phone.locator("html")).to_have_attribute("lang", language)
    assert_fits(phone)
    phone.locator("input[name=username]").fill(username)
    phone.locator("input[name=password]").fill(PASSWORD)
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(f"{base}/")


def pages(officers) -> list[tuple[str, str]]:
    pk = officers["partnership"].pk
    return [
        ("dashboard", "/"),
        ("list", "/partnerships/"),
        ("detail", f"/partnerships/{pk}/"),
        ("planning", f"/partnerships/{pk}/?step=5"),
        ("reports", "/reports/"),
        ("notifications", "/notifications/"),
        ("account", "/account/"),
    ]


@pytest.mark.django_db(transaction=True)
def test_arabic_reads_right_to_left_and_fits_a_phone(officers, live_server, phone, screenshot):
    sign_in(phone, live_server.url, "ar", "officer-ar")
    for name, path in pages(officers):
        phone.goto(f"{live_server.url}{path}")
        expect(phone.locator("html")).to_have_attribute("dir", "rtl")
        assert_fits(phone)
        screenshot(phone, f"ar-{name}")

    phone.goto(f"{live_server.url}/partnerships/{officers['partnership'].pk}/")
    # The stepper starts at the right: step 1 right of step 2.
    steps = phone.locator(".stepper li")
    first, second = steps.nth(0).bounding_box(), steps.nth(1).bounding_box()
    assert first["x"] > second["x"]
    # The timeline's line runs down its right side.
    timeline = phone.locator(".timeline").first
    if timeline.count():
        widths = timeline.evaluate(
            "(el) => [getComputedStyle(el).borderRightWidth, getComputedStyle(el).borderLeftWidth]"
        )
        assert widths == ["2px", "0px"]
    # Arrows point along the reading direction: mirrored.
    arrow = phone.locator(".bi-arrow-left").first
    if arrow.count():
        assert "matrix(-1" in arrow.evaluate("(el) => getComputedStyle(el).transform")
    # A table reads from the right: its first column is right of its second.
    phone.goto(f"{live_server.url}/partnerships/")
    headers = phone.locator("table th")
    if headers.count() >= 2:
        assert headers.nth(0).bounding_box()["x"] > headers.nth(1).bounding_box()["x"]


@pytest.mark.django_db(transaction=True)
def test_chinese_reads_left_to_right_and_fits_a_phone(officers, live_server, phone, screenshot):
    sign_in(phone, live_server.url, "zh-hans", "officer-zh-hans")
    for name, path in pages(officers):
        phone.goto(f"{live_server.url}{path}")
        expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(phone.locator("html")).to_have_attribute("dir", "ltr")
        assert_fits(phone)
        screenshot(phone, f"zh-{name}")
    # The navigation reads Chinese: its toggler's name is not the English one.
    toggler = phone.locator("nav .navbar-toggler")
    assert toggler.get_attribute("aria-label") != "Toggle navigation"
