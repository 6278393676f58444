"""The contrast check of the browser tests (tests/e2e/conftest.py, contrast.js) does catch faint text.

These tests make text too faint on purpose (a rule added to site.css on its way to the browser) and
look at what the check found, then leave the page and forget it: left there, it would fail the test.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.factories import NeedFactory

pytestmark = pytest.mark.browser


def forget(watch, page: Page) -> None:
    """Leave the faint page and forget what was found: left there, it would fail the test."""
    page.goto("about:blank")
    watch.clear()


def add_css(page_or_context, rules: str) -> None:
    """Serve site.css with `rules` appended."""

    def extended(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + "\n" + rules + "\n")

    page_or_context.route("**/css/site.css", extended)


def test_white_on_white_text_fails_the_check_with_each_offender_listed(page: Page, contrast_watches):
    NeedFactory(title="Teach embolisation")
    # What once happened to the account menu: the header's white link colour on the white page.
    add_css(page, "main a { color: #ffffff; }")

    page.goto("/opportunities/")
    expect(page.get_by_role("link", name="Teach embolisation")).to_be_visible()

    [watch] = contrast_watches
    assert "/opportunities/: <a> “Teach embolisation” 1:1 (#ffffff on #ffffff, needs 4.5:1)" in watch.failures
    assert "/opportunities/: <a> “Clear filters” 1.1:1 (#ffffff on #eef5f6, needs 4.5:1)" in watch.failures
    assert all(": <a> " in failure for failure in watch.failures), watch.failures
    forget(watch, page)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_large_text_needs_three_to_one_and_normal_text_four_and_a_half(page: Page, contrast_watches):
    # #8a8a8a on white is 3.45:1: enough for the 25.6 px heading, not for the 17.6 px lead paragraph.
    add_css(page, "h1, .lead { color: #8a8a8a; }")

    page.goto("/opportunities/")

    [watch] = contrast_watches
    assert [failure.split(" “")[0] for failure in watch.failures] == ["/opportunities/: <p.lead>"]
    assert "3.45:1 (#8a8a8a on #ffffff, needs 4.5:1)" in watch.failures[0]
    forget(watch, page)


def test_text_on_a_coloured_background_is_judged_against_that_background(page: Page, contrast_watches):
    # The header's links (white on its teal) are fine; the same teal for the brand's text is not.
    add_css(page, ".site-header .brand { color: #0b5c6b; }")

    page.goto("/")

    [watch] = contrast_watches
    assert [failure.split(" “")[0] for failure in watch.failures] == ["/: <a.brand>", "/: <strong>"]
    assert "1:1 (#0b5c6b on #0b5c6b, needs" in watch.failures[0]
    forget(watch, page)


def test_results_swapped_in_by_htmx_are_checked_too(page: Page, contrast_watches):
    NeedFactory(title="Teach embolisation", host_site__country="KE")
    NeedFactory(title="Remote reporting", host_site__country="TZ")
    add_css(page, ".faint-results .opportunity-card h3 a { color: #f0f0f0; }")
    page.goto("/opportunities/")
    [watch] = contrast_watches
    # Faint from now on, but nothing looks again until the page changes.
    page.evaluate("document.querySelector('#opportunity-results').classList.add('faint-results')")
    assert watch.failures == []

    page.get_by_label("Country").select_option("TZ")
    expect(page.locator("#opportunity-results .result-count")).to_have_text("1 opportunity")
    page.wait_for_function("() => window.__globalirContrast.reports === 2")  # on load, then after the swap

    [failure] = watch.failures
    address, offender = failure.split(": ", 1)
    assert address.startswith("/opportunities/?") and "country=TZ" in address
    assert offender == "<a> “Remote reporting” 1.13:1 (#f0f0f0 on #ffffff, needs 4.5:1)"
    forget(watch, page)


def test_without_javascript_every_page_visited_is_checked(browser, live_server, plain_http_site, contrast_watches):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    add_css(context, "footer p { color: #fafafa; }")
    page = context.new_page()
    page.goto("/")
    page.goto("/organisations/")
    page.goto("/opportunities/")

    [watch] = contrast_watches
    watch.finish()
    context.close()

    assert sorted({failure.split(":")[0] for failure in watch.failures}) == ["/", "/opportunities/", "/organisations/"]
    watch.clear()
