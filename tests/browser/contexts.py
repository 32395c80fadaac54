"""Browser contexts as the tests open them."""


def new_context(browser, **options):
    """A browser context that asks for reduced motion, as many people do: Bootstrap then
    scrolls without animating, and Playwright need not wait for a button scrolling into view
    to come to rest (a second a click on a long page)."""
    return browser.new_context(reduced_motion="reduce", **options)
