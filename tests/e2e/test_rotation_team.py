"""A volunteer joins a team on rotations in a real browser: applies to their role in two rotations ranked,
accepts the offer on the first, and sees who else is confirmed on it. At a phone's and a desktop's width,
nothing scrolls sideways."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from placements import services
from placements.models import Application
from placements.team_applications import team_apply
from programmes import team_services
from tests.e2e.conftest import DESKTOP, PHONE, field, sign_in, snapshot
from tests.factories import MembershipFactory, ProgrammeFactory, SiteFactory, VolunteerProfileFactory, today
from volunteers.models import Profession

pytestmark = pytest.mark.browser

TEAM = "Road2IR interventional team"


def expect_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the {page.viewport_size['width']}px screen"


@pytest.fixture
def team(transactional_db):
    coordinator = MembershipFactory().user
    organisation = coordinator.memberships.get().organisation
    programme = ProgrammeFactory(lead_organisation=organisation, title="Road2IR")
    site = SiteFactory(organisation=organisation, name="Muhimbili National Hospital")
    team = team_services.team_create(programme=programme, data={"title": TEAM, "host_site": site}, by=coordinator)
    for profession in (Profession.IR_PHYSICIAN, Profession.IR_NURSE):
        team_services.team_role_add(team=team, data={"profession": profession, "places": 1}, by=coordinator)
    first = today() + datetime.timedelta(days=30)
    team_services.team_rotations_add(
        team=team,
        dates=[
            (first + datetime.timedelta(weeks=8 * n), first + datetime.timedelta(weeks=8 * n, days=13))
            for n in range(2)
        ],
        by=coordinator,
    )
    # The nurse is already confirmed on the first rotation.
    nurse = VolunteerProfileFactory(profession=Profession.IR_NURSE, name="Neema Mushi")
    rotation = team.rotations.order_by("start_date").first()
    (application,) = team_apply(
        volunteer=nurse, role=team.roles.get(profession=Profession.IR_NURSE), rotations=[rotation], message=""
    )
    services.application_offer(application=application, by=coordinator)
    application.refresh_from_db()
    services.offer_accept(application=application, by=nurse.user)
    team.coordinator = coordinator
    return team


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_volunteer_joins_a_rotation_team(page, live_server, team):
    volunteer = VolunteerProfileFactory(name="Amina Okafor", title="Dr", profession=Profession.IR_PHYSICIAN)
    first, second = team.rotations.order_by("start_date")
    sign_in(page, live_server, volunteer.user)

    page.goto(f"/teams/{team.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TEAM)
    expect(page.get_by_role("table")).to_contain_text("1 of 2 places filled")
    expect_fits_the_screen(page)
    snapshot(page, "team-01-page")

    apply = page.get_by_role("region", name="Join the team")
    apply.get_by_label("Role").select_option(label="Interventional radiologist")
    rotation_ranks = apply.get_by_role("group", name="Your preference for each rotation").get_by_role("combobox")
    rotation_ranks.nth(1).select_option("1")
    rotation_ranks.nth(0).select_option("2")
    field(apply, "Message to the coordinators").fill("Happy to teach embolisation.")
    apply.get_by_role("button", name="Apply to these rotations").click()
    expect(page.get_by_role("status").filter(has_text="in your order of preference")).to_be_visible()
    mine = page.get_by_role("region", name="Your applications to this team")
    expect(mine).to_contain_text("preference 1")
    expect(mine).to_contain_text("preference 2")
    expect_fits_the_screen(page)
    snapshot(page, "team-02-applied")

    # The coordinators offer the first rotation; the volunteer accepts it on their dashboard.
    application = Application.objects.get(volunteer=volunteer, need__team_slot__rotation=first)
    services.application_offer(application=application, by=team.coordinator)
    page.goto("/me/")
    page.get_by_role("button", name="Accept the offer").click()
    expect(page.get_by_role("status").first).to_be_visible()

    page.goto(f"/teams/{team.pk}/")
    expect(page.get_by_role("table").get_by_text("Ready")).to_be_visible()
    page.get_by_role("link", name="Your team from").click()
    teammates = page.get_by_role("region", name="Confirmed on this rotation")
    expect(teammates).to_contain_text("Neema Mushi")
    expect(teammates).to_contain_text("Dr Amina Okafor (you)")
    expect_fits_the_screen(page)
    snapshot(page, "team-03-rotation-team")
    assert Application.objects.get(pk=application.pk).status == Application.Status.ACCEPTED
    assert Application.objects.get(volunteer=volunteer, need__team_slot__rotation=second).status == "interested"
