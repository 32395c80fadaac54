"""Browser contexts as the tests open them, signing in, and waiting for a page to come to
rest."""

import re

from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery staple"  # the user factory's


def new_context(browser, **options):
    """A browser context that asks for reduced motion, as many people do: Bootstrap then
    scrolls without animating, and Playwright need not wait for a button scrolling into view
    to come to rest (a second a click on a long page)."""
    return browser.new_context(reduced_motion="reduce", **options)


def settled(page: Page) -> None:
    """The page has loaded (its scripts have run), its deferred panels (htmx,
    `hx-trigger="load"`: the activities, the discussion) are in and no htmx request is under
    way. A key pressed before a page's script is attached does what it does without
    JavaScript (seen in CI: a board card advanced by a form post, so the board's status line
    stayed empty); a panel arriving moves what is below it, so a click aimed just before could
    land on something else ("Record an outcome" on a sub-alliance's page)."""
    page.wait_for_load_state("load")
    expect(page.locator('[hx-trigger="load"]')).to_have_count(0)
    expect(page.locator(".htmx-request")).to_have_count(0)


def expect_message(page: Page, text: str) -> None:
    """A flash message after a POST/redirect/GET, on a page come to rest."""
    expect(page.locator(".messages").get_by_text(text)).to_be_visible()
    settled(page)


def log_in(
    page: Page, base: str, username: str, password: str = PASSWORD, heading: str | None = None
) -> None:
    """Sign in through the form, then wait for the page it leads to (`heading`, when given)
    to come to rest."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if heading:
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    settled(page)


def log_out(page: Page, name: str) -> None:
    """Sign out through the account menu (the button named after the person)."""
    page.get_by_role("button", name=re.compile(name)).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
