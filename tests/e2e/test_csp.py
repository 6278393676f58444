"""The Content-Security-Policy in a real browser: the pages work under it and it refuses nothing.

Chromium reports every blocked inline script, style attribute or foreign resource in the console
("Refused to …" or "… violates the following Content Security Policy directive …"). The
opportunity list (with htmx filtering in place), a volunteer's dashboard and a coordinator's
pipeline board must report none, and htmx must still update the results.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.factories import ApplicationFactory, NeedFactory, PlacementFactory, SiteFactory

pytestmark = pytest.mark.browser


def is_csp_violation(text: str) -> bool:
    # Older Chromium says "Refused to apply inline style because it violates …"; newer ones say
    # "Applying inline style violates the following Content Security Policy directive …".
    return "Refused to" in text or "Content Security Policy" in text


def open_page(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response.ok, url
    # The policy is really there: zero violations would prove nothing without it.
    assert "script-src 'self'" in response.headers["content-security-policy"], url


def test_pages_work_under_the_content_security_policy(page: Page, live_server, volunteer, coordinator, organisation):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if is_csp_violation(message.text) else None)

    tanzania = NeedFactory(
        programme__lead_organisation=organisation,
        title="Obstetric ultrasound teaching",
        host_site=SiteFactory(country="TZ"),
    )
    NeedFactory(programme=tanzania.programme, title="Drainage workshop", host_site=SiteFactory(country="KE"))
    ApplicationFactory(volunteer=volunteer, need=tanzania)
    PlacementFactory(application__volunteer=volunteer, application__need__programme__lead_organisation=organisation)

    # The opportunity list: htmx replaces the results when a filter changes.
    open_page(page, "/opportunities/")
    results = page.locator("#opportunity-results")
    expect(results.get_by_role("link", name="Drainage workshop")).to_be_visible()
    page.get_by_label(re.compile(r"^\s*Country:?\s*$")).select_option(label="Tanzania")
    expect(page).to_have_url(re.compile(r"/opportunities/\?(.+&)?country=TZ(&|$)"))
    expect(results.get_by_role("link", name="Drainage workshop")).to_have_count(0)
    expect(results.get_by_role("link", name="Obstetric ultrasound teaching")).to_be_visible()

    sign_in(page, live_server, volunteer.user)
    open_page(page, "/me/")
    expect(page.get_by_text("Obstetric ultrasound teaching").first).to_be_visible()

    sign_in(page, live_server, coordinator)
    open_page(page, f"/coordinate/needs/{tanzania.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Obstetric ultrasound teaching")

    assert refused == []

    # The browser does report a refusal this way: an inline style attribute added now is refused.
    with page.expect_console_message(lambda message: is_csp_violation(message.text)):
        page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<p style="color: red">inline</p>')""")
