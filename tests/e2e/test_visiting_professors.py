"""A host and a visiting-professor candidate matched in a round, in a real browser.

A senior volunteer offers to be a visiting professor on /visiting-professors/; the programme's coordinator
opens a match round; the host's coordinator ranks the candidate on the host request's page and the candidate
ranks the host on the round's page; the programme's coordinator sees the preview, runs the round, and both
sides see the visit. At phone and desktop widths, no page is wider than the screen.
"""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from organisations.models import Membership, Organisation
from tests.e2e.conftest import DESKTOP, PHONE, field, sign_in, snapshot
from tests.factories import (
    HostRequestFactory,
    MembershipFactory,
    OrganisationFactory,
    VisitingProgrammeFactory,
    VolunteerProfileFactory,
)
from volunteers.models import CareerStage

pytestmark = pytest.mark.browser

REQUEST_TITLE = "Nairobi IR society annual meeting"


def expect_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the {page.viewport_size['width']}px screen"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_a_host_and_a_candidate_are_matched_in_a_round(page: Page, live_server):
    sir = OrganisationFactory(name="Society of Interventional Radiology", kind=Organisation.Kind.SOCIETY)
    sir_coordinator = MembershipFactory(user__email="sir@example.org", organisation=sir).user
    programme = VisitingProgrammeFactory(lead_organisation=sir, title="International Visiting Professor Program")
    society = OrganisationFactory(name="Kenya Society of IR", kind=Organisation.Kind.SOCIETY)
    host = MembershipFactory(
        user__email="host@example.org", organisation=society, role=Membership.Role.COORDINATOR
    ).user
    host_request = HostRequestFactory(programme=programme, host_organisation=society, title=REQUEST_TITLE)
    candidate = VolunteerProfileFactory(
        user__email="prof@example.org", name="Amina Okafor", title="Prof", career_stage=CareerStage.SENIOR
    )

    # The candidate offers to be a visiting professor.
    sign_in(page, live_server, candidate.user)
    page.goto("/visiting-professors/")
    expect(page.get_by_role("heading", name=REQUEST_TITLE)).to_be_visible()
    expect_fits_the_screen(page)
    page.get_by_role("link", name=re.compile("Offer to be a visiting professor")).click()
    page.get_by_role("checkbox", name="Embolisation", exact=True).check()
    field(page, "What you would bring").fill("Fifteen years of embolisation teaching.")
    snapshot(page, "visiting-candidacy")
    page.get_by_role("button", name="Offer to be a visiting professor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My visiting professorships")

    # The programme's coordinator opens a round.
    sign_in(page, live_server, sir_coordinator)
    page.goto(f"/coordinate/programmes/{programme.pk}/visiting/")
    expect(page.get_by_role("cell", name=re.compile("Amina Okafor"))).to_be_visible()
    deadline = timezone.localtime(timezone.now() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    field(page, "Ranking deadline").fill(deadline)
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Match round")
    assert any("host@example.org" in message.to for message in mail.outbox)

    # The host ranks the candidate.
    sign_in(page, live_server, host)
    page.goto(f"/coordinate/host-requests/{host_request.pk}/")
    page.get_by_label("Your rank for Prof Amina Okafor").fill("1")
    page.get_by_role("button", name="Save my ranking").click()
    expect(page.get_by_role("status").filter(has_text="Your ranking is saved")).to_be_visible()
    expect_fits_the_screen(page)

    # The candidate ranks the host.
    sign_in(page, live_server, candidate.user)
    page.goto("/me/visiting/")
    page.get_by_role("link", name="International Visiting Professor Program").click()
    page.get_by_label(f"Your rank for {REQUEST_TITLE}").fill("1")
    page.get_by_role("button", name="Save my ranking").click()
    expect(page.get_by_role("status").filter(has_text="Your ranking is saved")).to_be_visible()
    expect_fits_the_screen(page)

    # The programme's coordinator sees the preview and runs the round.
    sign_in(page, live_server, sir_coordinator)
    page.goto(f"/coordinate/programmes/{programme.pk}/visiting/")
    page.get_by_role("link", name=re.compile(r"\d")).first.click()
    expect(page.get_by_role("cell", name="Would be matched.")).to_be_visible()
    expect_fits_the_screen(page)
    page.get_by_role("button", name="Run the round now").click()
    expect(page.get_by_text("1 visit planned")).to_be_visible()
    snapshot(page, "visiting-round-done")

    # Both sides see the visit.
    sign_in(page, live_server, candidate.user)
    page.goto("/me/visiting/")
    page.get_by_role("link", name="International Visiting Professor Program").click()
    expect(page.get_by_text(f"You were matched to “{REQUEST_TITLE}”.")).to_be_visible()
    sign_in(page, live_server, host)
    page.goto(f"/coordinate/host-requests/{host_request.pk}/")
    expect(page.get_by_role("region", name="Your visiting professor")).to_contain_text("Prof Amina Okafor")
