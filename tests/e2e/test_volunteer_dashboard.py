"""A volunteer's dashboard and privacy page in a real browser with JavaScript switched off: an offer waits
first, declining it is confirmed with a reason, and consent to be shown to coordinators is withdrawn and
given again. At a phone's and a desktop's width, nothing scrolls sideways."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from placements.models import Application
from tests.e2e.conftest import ACTION_TIMEOUT_MS, DESKTOP, NAVIGATION_TIMEOUT_MS, PHONE
from tests.factories import PASSWORD, ApplicationFactory, NeedFactory, VolunteerProfileFactory
from volunteers.models import VolunteerProfile

pytestmark = pytest.mark.browser

STEP_SHOTS = os.environ.get("E2E_STEP_SHOTS")
EMAIL = "amara.okafor@example.org"
OFFERED = "Obstetric ultrasound teaching for post-partum haemorrhage"


def snapshot(page: Page, name: str) -> None:
    if STEP_SHOTS:
        width = page.viewport_size["width"]
        Path(STEP_SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(STEP_SHOTS) / f"{width}px-dashboard-{name}.png"), full_page=True)


def expect_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the {page.viewport_size['width']}px screen"


@pytest.fixture
def page_without_script(browser, live_server, plain_http_site, viewport):
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, locale="en-GB", java_script_enabled=False
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def amara(transactional_db):
    """A volunteer with an offer waiting and an application still in progress."""
    profile = VolunteerProfileFactory(name="Amara Okafor", title="Dr", user__email=EMAIL)
    ApplicationFactory(volunteer=profile, need=NeedFactory(title=OFFERED), status=Application.Status.OFFERED)
    ApplicationFactory(volunteer=profile, need=NeedFactory(title="Image-guided drainage workshop"))
    return profile


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_volunteer_declines_an_offer_and_withdraws_consent_without_javascript(page_without_script, amara):
    page = page_without_script
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/me/")

    # What waits for the volunteer comes first.
    headings = page.get_by_role("heading", level=2)
    expect(headings.first).to_have_text("Waiting for you")
    waiting = page.get_by_role("region", name="Waiting for you")
    expect(waiting).to_contain_text(OFFERED)
    expect(page.get_by_text("You have no applications in progress")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Decline the offer"))).to_be_hidden()
    expect_fits_the_screen(page)
    snapshot(page, "01-offer")

    # The same confirmation as a page of its own (a link from elsewhere), which changes nothing by itself.
    offer = Application.objects.get(volunteer=amara, status=Application.Status.OFFERED)
    page.goto(f"/me/applications/{offer.pk}/decline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decline the offer")
    expect_fits_the_screen(page)
    snapshot(page, "01b-decline-page")
    page.get_by_role("link", name="Keep the offer").click()

    # Declining unfolds a confirmation with a reason, without any script.
    waiting.locator("summary", has_text="Decline…").click()
    page.get_by_label("The dates no longer suit me").check()
    expect_fits_the_screen(page)
    snapshot(page, "02-decline-step")
    page.get_by_role("button", name="Decline the offer").click()
    expect(page.get_by_role("status").filter(has_text=f"You have declined the offer for “{OFFERED}”.")).to_be_visible()
    expect(page.get_by_role("region", name="Waiting for you")).to_have_count(0)
    expect(page.get_by_role("region", name="Closed applications")).to_contain_text("The dates no longer suit me")
    snapshot(page, "03-declined")

    # Consent, withdrawn from the profile's privacy page, which says what it changes first.
    page.goto("/me/profile/")
    snapshot(page, "04-profile")
    page.get_by_role("link", name="Withdraw your consent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who can see your profile")
    expect(page.get_by_role("region", name="After you withdraw your consent")).to_be_visible()
    expect_fits_the_screen(page)
    snapshot(page, "05-consent")
    page.get_by_role("button", name="Withdraw my consent").click()
    expect(page.get_by_role("status").filter(has_text="You have withdrawn your consent.")).to_be_visible()
    assert not VolunteerProfile.objects.get(pk=amara.pk).consent_to_share
    snapshot(page, "06-consent-withdrawn")
    page.goto(offer.need.get_absolute_url())
    expect(page.get_by_role("region", name="Apply")).to_contain_text("which you withdrew")
    snapshot(page, "07-need-without-consent")
    page.get_by_role("link", name="Give my consent again").click()

    # Given again: the box must be ticked.
    page.get_by_label(re.compile("^I agree that the coordinators")).check()
    page.get_by_role("button", name="Give my consent").click()
    expect(page.get_by_role("status").filter(has_text="can see you again")).to_be_visible()
    assert VolunteerProfile.objects.get(pk=amara.pk).consent_to_share
