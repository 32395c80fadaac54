"""Browser contexts as the tests open them, and waiting for a page to come to rest."""

from playwright.sync_api import Page, expect


def new_context(browser, **options):
    """A browser context that asks for reduced motion, as many people do: Bootstrap then
    scrolls without animating, and Playwright need not wait for a button scrolling into view
    to come to rest (a second a click on a long page)."""
    return browser.new_context(reduced_motion="reduce", **options)


def settled(page: Page) -> None:
    """The page's deferred panels (htmx, `hx-trigger="load"`: the activities, the discussion)
    are in and no htmx request is under way. A panel arriving moves what is below it, so a
    click aimed just before could land on something else, and the test would wait for a page
    that never comes (seen once in CI: "Record an outcome" on a sub-alliance's page)."""
    expect(page.locator('[hx-trigger="load"]')).to_have_count(0)
    expect(page.locator(".htmx-request")).to_have_count(0)


def expect_message(page: Page, text: str) -> None:
    """A flash message after a POST/redirect/GET, on a page come to rest."""
    expect(page.locator(".messages").get_by_text(text)).to_be_visible()
    settled(page)
