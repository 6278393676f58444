"""In a real browser: a partner's page frames the organisation's listing only where the organisation allowed it,
and the map of open needs fits a phone and leads to a country's opportunities without JavaScript."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.factories import NeedFactory, OrganisationFactory, ProgrammeFactory, SiteFactory

pytestmark = pytest.mark.browser

PARTNER = "https://partner.example"
STRANGER = "https://stranger.example"
# The portal as partners' pages name it; the browser's requests to it are answered by the live server.
PORTAL = "https://portal.example"


def partner_page(context, origin: str, embed_path: str, live_server) -> Page:
    page = context.new_page()
    page.route(
        f"{origin}/",
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<!doctype html><html lang="en"><title>Partner</title><h1>Our partners</h1>'
            f'<iframe src="{PORTAL}{embed_path}" title="Open needs" width="100%" height="480"></iframe></html>',
        ),
    )
    page.route(
        f"{PORTAL}/**",
        lambda route: route.fulfill(response=route.fetch(url=route.request.url.replace(PORTAL, live_server.url))),
    )
    return page


def test_a_partner_site_frames_the_listing_and_another_site_cannot(browser, live_server):
    organisation = OrganisationFactory(name="Lakeshore Imaging Outreach", embed_origins=PARTNER)
    NeedFactory(title="Embolisation faculty", programme=ProgrammeFactory(lead_organisation=organisation))
    embed_path = f"/embed/{organisation.slug}/"
    context = browser.new_context(viewport=PHONE)
    refused = []

    partner = partner_page(context, PARTNER, embed_path, live_server)
    partner.goto(f"{PARTNER}/")
    listing = partner.frame_locator("iframe")
    expect(listing.get_by_role("heading", name="Volunteer with Lakeshore Imaging Outreach")).to_be_visible()
    link = listing.get_by_role("link", name="Embolisation faculty")
    expect(link).to_have_attribute("target", "_blank")

    stranger = partner_page(context, STRANGER, embed_path, live_server)
    stranger.on("console", lambda message: refused.append(message.text))
    stranger.goto(f"{STRANGER}/")
    stranger.wait_for_timeout(500)

    assert any("frame-ancestors" in text for text in refused), refused
    assert "Embolisation faculty" not in stranger.frames[-1].content()
    context.close()


@pytest.mark.parametrize("viewport", [PHONE], indirect=True)
def test_the_map_fits_a_phone_and_a_country_leads_to_its_opportunities(page: Page):
    NeedFactory(title="Obstetric ultrasound teaching", host_site=SiteFactory(country="MZ", city="Maputo"))
    NeedFactory(title="Drainage in Dar es Salaam", host_site=SiteFactory(country="TZ"))

    page.goto("/opportunities/map/")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("svg.world-map").bounding_box()
    assert box["width"] <= PHONE["width"]
    page.locator('svg.world-map a[href="/opportunities/?country=MZ"]').click()
    expect(page).to_have_url("/opportunities/?country=MZ")
    expect(page.get_by_role("link", name="Obstetric ultrasound teaching")).to_be_visible()
    expect(page.get_by_role("link", name="Drainage in Dar es Salaam")).to_have_count(0)
