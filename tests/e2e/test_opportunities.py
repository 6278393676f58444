"""/opportunities/ and a need's page in a real browser, at phone width (390 px).

A keyword search sends one request; the results come before the long filters, which fold away
under "More filters" (with and without JavaScript); a need's page opens with a link to its Apply
form; a filled or closed need keeps its page for the volunteer placed there and its coordinators.

Set E2E_STEP_SHOTS=<folder> to keep a screenshot of every page (to review the UI).
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from programmes.models import Need
from tests.e2e.conftest import ACTION_TIMEOUT_MS, DESKTOP, PHONE, field, sign_in, snapshot
from tests.factories import NeedFactory, OrganisationFactory, PlacementFactory, ProgrammeFactory, SiteFactory

pytestmark = pytest.mark.browser

SEARCH_REQUEST = re.compile(r"/opportunities/\?")


def result_count(page: Page):
    return page.locator("#opportunity-results .result-count")


def top_of(locator) -> float:
    """How far down the page `locator` starts, in CSS pixels."""
    return locator.evaluate("element => element.getBoundingClientRect().top + window.scrollY")


@pytest.fixture
def needs(transactional_db):
    organisation = OrganisationFactory(name="Lakeshore Imaging Partners", countries=["TZ", "KE"])
    programme = ProgrammeFactory(lead_organisation=organisation, title="East Africa rotation", countries=["TZ", "KE"])
    return {
        "drainage": NeedFactory(
            programme=programme,
            title="Image-guided drainage workshop",
            host_site=SiteFactory(name="Lakeside County Hospital", city="Kisumu", country="KE"),
            required_skills=["image-guided-drainage"],
        ),
        "ultrasound": NeedFactory(
            programme=programme,
            title="Obstetric ultrasound teaching",
            host_site=SiteFactory(name="Harbour View Referral Hospital", city="Dar es Salaam", country="TZ"),
            required_skills=["ultrasound"],
        ),
        "embolisation": NeedFactory(
            programme=programme,
            title="Uterine artery embolisation",
            host_site=SiteFactory(name="Kilimanjaro Christian Medical Centre", city="Moshi", country="TZ"),
            required_skills=["embolisation"],
        ),
    }


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_each_search_sends_one_request_and_logs_no_error(page: Page, needs):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/opportunities/")
    expect(result_count(page)).to_have_text("3 opportunities")
    page.evaluate("window.stillTheSamePage = true")
    searches, failed = [], []
    page.on("request", lambda request: searches.append(request.url) if SEARCH_REQUEST.search(request.url) else None)
    page.on("requestfailed", lambda request: failed.append(request.url))

    # Keywords, then Enter.
    field(page, "Keywords").fill("drainage")
    field(page, "Keywords").press("Enter")
    expect(result_count(page)).to_have_text("1 opportunity")
    # Keywords, then the button.
    field(page, "Keywords").fill("ultrasound")
    page.get_by_role("button", name="Show opportunities").click()
    results = page.locator("#opportunity-results")
    expect(results.get_by_role("link", name="Obstetric ultrasound teaching")).to_be_visible()
    # A menu: its change is the search.
    field(page, "Keywords").fill("")
    field(page, "Country").select_option(label="Tanzania")
    expect(result_count(page)).to_have_text("2 opportunities")
    # Anything the three searches sent late would have gone before the fourth's answer.
    field(page, "Country").select_option(label="Kenya")
    expect(result_count(page)).to_have_text("1 opportunity")

    assert len(searches) == 4, searches
    assert failed == []
    assert errors == []
    assert page.evaluate("window.stillTheSamePage === true"), "A search reloaded the whole page"
    assert "q=drainage" in searches[0]
    assert "q=ultrasound" in searches[1]
    assert "country=TZ" in searches[2]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_on_a_phone_the_results_come_before_the_long_filters(page: Page, needs):
    page.goto("/opportunities/")
    snapshot(page, "opportunities-01-list")

    first = page.locator("#opportunity-results .opportunity-card").first
    expect(first).to_be_visible()
    # The first result is in sight after scrolling a little (all the filters once took over two and a half screens).
    assert top_of(first) < 1.25 * PHONE["height"], top_of(first)
    filters = page.get_by_role("search")
    for label in ("Keywords", "Profession", "Country", "Mode"):
        expect(field(filters, label)).to_be_visible()
    more = filters.locator("details.more-filters")
    expect(more.locator("summary")).to_have_text("More filters")
    for label in ("Organisation", "Kind of programme", "Region", "Skill", "Language", "Sort by", "Available from"):
        expect(field(filters, label)).to_be_hidden()
    expect(page.locator("#active-filter-count")).to_have_text("")

    # Two filters, one under "More filters": both counted, in place.
    field(page, "Country").select_option(label="Tanzania")
    expect(result_count(page)).to_have_text("2 opportunities")
    more.locator("summary").click()
    field(page, "Skill").select_option(label="Ultrasound")
    expect(result_count(page)).to_have_text("1 opportunity")
    expect(page.locator("#active-filter-count")).to_have_text("2 filters in use")
    expect(more.locator("summary")).to_have_text("More filters (1 in use)")
    snapshot(page, "opportunities-02-more-filters")

    # The same address opened afresh: "More filters" is open, since one of its filters is in use.
    page.goto(page.url)
    expect(field(page, "Skill")).to_be_visible()
    expect(more.locator("summary")).to_have_text("More filters (1 in use)")
    expect(page.locator("#active-filter-count")).to_have_text("2 filters in use")

    page.get_by_role("link", name="Clear filters").click()
    expect(result_count(page)).to_have_text("3 opportunities")
    expect(field(page, "Skill")).to_be_hidden()


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_without_javascript_more_filters_opens_and_the_form_still_filters(
    browser, live_server, plain_http_site, viewport, needs
):
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, locale="en-GB", java_script_enabled=False
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("/opportunities/")
        expect(field(page, "Skill")).to_be_hidden()
        page.locator("details.more-filters summary").click()
        field(page, "Skill").select_option(label="Embolisation")
        page.get_by_role("button", name="Show opportunities").click()

        expect(page).to_have_url(re.compile(r"/opportunities/\?(.+&)?skill=embolisation(&|$)"))
        expect(result_count(page)).to_have_text("1 opportunity")
        expect(field(page, "Skill")).to_be_visible()
        expect(page.locator("#active-filter-count")).to_have_text("1 filter in use")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_a_need_page_leads_straight_to_its_apply_form(page: Page, live_server, volunteer, needs):
    need = needs["ultrasound"]
    sign_in(page, live_server, volunteer.user)

    page.goto(need.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(need.title)
    snapshot(page, "opportunities-03-need")
    message = field(page, "Your message to the coordinators")
    if page.viewport_size == PHONE:
        # The form is far down; the link to it is on the first screen.
        expect(message).not_to_be_in_viewport()
        jump = page.get_by_role("link", name="Apply", exact=True)
        expect(jump).to_be_in_viewport()
        jump.click()
        expect(page).to_have_url(re.compile(r"#apply$"))
    # On a wide screen the form sits beside the need, in sight from the start.
    expect(message).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Apply", exact=True)).to_be_in_viewport()

    message.fill("I teach obstetric ultrasound.")
    field(page, "You could start on").fill(need.window_start.isoformat())
    field(page, "You could finish on").fill(need.window_end.isoformat())
    page.get_by_role("button", name="Send my application").click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("region", name="Your applications")).to_contain_text(need.title)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_a_filled_or_closed_need_keeps_its_page_for_its_volunteer_and_coordinators(
    page: Page, live_server, volunteer, coordinator, organisation
):
    placement = PlacementFactory(
        application__volunteer=volunteer,
        application__need__title="Teach embolisation in Mwanza",
        application__need__programme__lead_organisation=organisation,
    )
    need = placement.need
    Need.objects.filter(pk=need.pk).update(status=Need.Status.FILLED, filled_at=timezone.now())
    closed = NeedFactory(
        title="Remote case reviews", programme=need.programme, status=Need.Status.CLOSED, host_site=need.host_site
    )

    # The volunteer follows their upcoming placement to its need.
    sign_in(page, live_server, volunteer.user)
    page.goto("/me/")
    page.get_by_role("region", name="Upcoming placements").get_by_role("link", name=need.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(need.title)
    expect(page.get_by_text("this need is no longer taking applications")).to_be_visible()
    expect(page.get_by_role("region", name="Apply")).to_contain_text("Status: Accepted")
    expect(page.get_by_role("button", name="Send my application")).to_have_count(0)
    snapshot(page, "opportunities-04-filled-need")

    # A closed need: its coordinator reaches its page from the pipeline board; the public does not.
    sign_in(page, live_server, coordinator)
    page.goto(f"/coordinate/needs/{closed.pk}/")
    page.get_by_role("link", name="See its public page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(closed.title)
    expect(page.get_by_text("This need is closed: it is no longer taking applications.")).to_be_visible()
    snapshot(page, "opportunities-05-closed-need")

    page.context.clear_cookies()
    response = page.goto(closed.get_absolute_url())
    assert response.status == 404
    assert page.goto(need.get_absolute_url()).status == 200
