"""The pre-departure checklist in a real browser: the volunteer opens it from their dashboard and ticks a
step with its document; the coordinator sees the progress on the need's checklists page. At a phone's
width, nothing scrolls sideways."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from placements import services
from placements.models import Application
from tests.e2e.conftest import PHONE, sign_in, snapshot
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    NeedFactory,
    ProgrammeFactory,
    SiteFactory,
    VolunteerProfileFactory,
    today,
)

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def expect_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the {page.viewport_size['width']}px screen"


@pytest.fixture
def placement(transactional_db):
    coordinator = MembershipFactory().user
    organisation = coordinator.memberships.get().organisation
    start = today() + datetime.timedelta(days=60)
    need = NeedFactory(
        programme=ProgrammeFactory(lead_organisation=organisation),
        host_site=SiteFactory(organisation=organisation),
        title="PPH embolisation teaching, Moshi",
        window_start=start,
        window_end=start + datetime.timedelta(days=30),
    )
    volunteer = VolunteerProfileFactory(name="Amara Okafor")
    application = ApplicationFactory(
        need=need,
        volunteer=volunteer,
        status=Application.Status.OFFERED,
        proposed_start=start,
        proposed_end=start + datetime.timedelta(days=20),
    )
    placement = services.offer_accept(application=application, by=volunteer.user)
    placement.coordinator = coordinator
    return placement


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_volunteer_ticks_a_step_with_a_document_and_the_coordinator_sees_progress(page, live_server, placement):
    sign_in(page, live_server, placement.volunteer.user)
    page.goto("/me/")
    expect(page.get_by_text("Before you go: 0 of 10 steps done")).to_be_visible()
    page.get_by_role("link", name="Open your pre-departure checklist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pre-departure checklist")
    expect_fits_the_screen(page)

    step = page.locator(".checklist-item", has=page.get_by_role("heading", name="Travel insurance"))
    step.get_by_label("Document (PDF, JPEG or PNG, at most 5 MB)").set_input_files(
        files=[{"name": "insurance.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    step.get_by_role("button", name="Mark as done").click()

    expect(page.get_by_text("“Travel insurance” is ticked.")).to_be_visible()
    expect(page.get_by_text("1 of 10 steps done")).to_be_visible()
    step = page.locator(".checklist-item", has=page.get_by_role("heading", name="Travel insurance"))
    expect(step.get_by_text("Ticked by the volunteer")).to_be_visible()
    expect(step.get_by_role("link", name="Download the document")).to_be_visible()
    snapshot(page, "checklist-volunteer")

    sign_in(page, live_server, placement.coordinator)
    page.goto(f"/coordinate/needs/{placement.need_id}/checklists/")
    row = page.get_by_role("row", name="Amara Okafor")
    expect(row).to_contain_text("1 of 10")
    expect_fits_the_screen(page)
    row.get_by_role("link", name="Amara Okafor").click()
    step = page.locator(".checklist-item", has=page.get_by_role("heading", name="Travel insurance"))
    with page.expect_download() as download:
        step.get_by_role("link", name="Download the document").click()
    assert download.value.suggested_filename.endswith(".pdf")
    snapshot(page, "checklist-coordinator")
