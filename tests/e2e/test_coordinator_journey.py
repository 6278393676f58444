"""The coordinator's journey in a real browser, with a volunteer in a second browser.

A coordinator logs in → opens Coordinate → the programme → posts a need through the need form
(first with a mistake, then corrected). A volunteer logs in in another browser, finds the need on
/opportunities/ and applies. The coordinator shortlists the application on the need's pipeline
board, then offers a place; the volunteer accepts on /me/. Both see the placement. The e-mails for
the application, the offer and the acceptance are sent (the live server runs in this process, with
Celery eager: they land in the locmem outbox).

A second test opens the other coordinator pages (a board with applications in every status, the
application's review page, members, the organisation request form, a report with charts, e-mail
preferences) at phone and desktop widths, shortlists and offers on the board, and checks that no
page is wider than the screen.

Set E2E_STEP_SHOTS=<folder> to keep a screenshot of every page (to review the UI).
"""

import datetime
import re

import pytest
from django.core import mail
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from organisations.models import Membership
from placements.models import Application
from programmes.models import Need
from tests.e2e.conftest import (
    ACTION_TIMEOUT_MS,
    DESKTOP,
    NAVIGATION_TIMEOUT_MS,
    PHONE,
    SCREENSHOT_DIR,
    field,
    snapshot,
)
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AvailabilityWindowFactory,
    CredentialFactory,
    InvitationFactory,
    MembershipFactory,
    NeedFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    SiteFactory,
    VolunteerProfileFactory,
    fresh_totp_code,
)
from volunteers.models import Profession

pytestmark = pytest.mark.browser

COORDINATOR_EMAIL = "neema.mushi@example.org"
VOLUNTEER_EMAIL = "jonas.berg@example.org"
NEED_TITLE = "Uterine artery embolisation for post-partum haemorrhage"


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def shown(day: datetime.date) -> str:
    """A date as the pages show it (English, Django's DATE_FORMAT)."""
    with translation.override("en"):
        return formats.date_format(day)


def status_message(page: Page, text: str):
    return page.get_by_role("status").filter(has_text=text)


def log_in(page: Page, email: str, *, with_code: bool = False) -> None:
    """Log in through the form; `with_code` for coordinators, whose authenticator app (the factories'
    TOTP_SECRET) gives the code allauth asks for next."""
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    field(page, "E-mail address").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if with_code:
        expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
        # Long enough for a slow machine to type and submit it within the code's 30 s step.
        field(page, "Code").fill(fresh_totp_code(seconds_needed=8))
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def expect_fits_the_screen(page: Page) -> None:
    """Nothing makes the page scroll sideways (wide tables scroll inside their own box, if at all)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the {page.viewport_size['width']}px screen"


def column(page: Page, label: str):
    """One status column of the pipeline board (a region named by its heading, e.g. "Offered 1")."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(label)}\b"))


def subjects_to(address: str) -> list[str]:
    """The subjects of the e-mails sent to `address`, in order, without the site's "[GlobalIR] " prefix."""
    return [message.subject.removeprefix("[GlobalIR] ") for message in mail.outbox if address in message.to]


@pytest.fixture
def second_page(request, browser, live_server, plain_http_site, viewport):
    """A second person's browser: its own context, so its own cookies and session."""
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])[:140]
            path = SCREENSHOT_DIR / f"{name}-second.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as error:  # a failed screenshot must not hide the test's own failure
                print(f"Could not save a screenshot of the second browser: {error}")
            else:
                print(f"Screenshot of the second browser: {path} (page: {page.url})")
        context.close()


@pytest.fixture
def partner(transactional_db):
    """A verified organisation with a published programme, a host site and a coordinator; and a volunteer."""
    organisation = OrganisationFactory(name="Kilimanjaro Imaging Partnership", countries=["TZ"])
    programme = ProgrammeFactory(
        lead_organisation=organisation, title="Obstetric IR outreach, northern Tanzania", countries=["TZ"]
    )
    site = SiteFactory(organisation=organisation, name="Mawenzi Regional Referral Hospital", city="Moshi")
    programme.sites.add(site)
    coordinator = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.COORDINATOR,
        user__email=COORDINATOR_EMAIL,
        user__first_name="Neema",
        user__last_name="Mushi",
    ).user
    volunteer = VolunteerProfileFactory(
        user__email=VOLUNTEER_EMAIL,
        user__first_name="Jonas",
        user__last_name="Berg",
        profession=Profession.IR_PHYSICIAN,
        years_experience=11,
        home_country="SE",
        languages=[("en", 4), ("sw", 2)],
        skills=["embolisation"],
    )
    AvailabilityWindowFactory(profile=volunteer, start_date=in_days(20), end_date=in_days(150))
    return {"organisation": organisation, "programme": programme, "site": site, "coordinator": coordinator}


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"], indirect=True)
def test_coordinator_posts_a_need_and_takes_a_volunteer_to_an_accepted_placement(
    page: Page, second_page: Page, partner
):
    programme, site = partner["programme"], partner["site"]
    coordinator, volunteer = page, second_page
    start, end = in_days(45), in_days(66)

    # The coordinator logs in and opens the workspace.
    log_in(coordinator, COORDINATOR_EMAIL, with_code=True)
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Coordinate").click()
    expect(coordinator).to_have_url(re.compile(r"/coordinate/$"))
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Coordinate")
    organisation = coordinator.get_by_role("region", name="Kilimanjaro Imaging Partnership")
    expect(organisation).to_contain_text("Published programme (1)")
    snapshot(coordinator, "01-workspace")

    # The programme's page.
    organisation.get_by_role("link", name=programme.title, exact=True).click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(programme.title)
    expect(coordinator.get_by_role("region", name="Needs")).to_contain_text("No needs yet.")
    snapshot(coordinator, "02-programme")

    # Post a need: first with a window that ends before it starts, which the form refuses clearly.
    coordinator.get_by_role("link", name="Post a need").first.click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Post a need")
    snapshot(coordinator, "03-need-form")
    field(coordinator, "Title").fill(NEED_TITLE)
    field(coordinator, "Description").fill(
        "Our fellows ask for hands-on teaching of uterine artery embolisation, with case reviews."
    )
    field(coordinator, "Profession wanted").select_option(label="Interventional radiologist")
    field(coordinator, "Number of places").fill("1")
    coordinator.get_by_label("On-site", exact=True).check()
    field(coordinator, "Host site").select_option(label=str(site))
    field(coordinator, "Earliest start").fill(in_days(100).isoformat())
    field(coordinator, "Latest end").fill(in_days(40).isoformat())
    field(coordinator, "Application deadline").fill(in_days(30).isoformat())
    field(coordinator, "Minimum duration (days)").fill("14")
    field(coordinator, "Minimum years of experience").fill("5")
    coordinator.get_by_label("English", exact=True).check()
    coordinator.get_by_label("Accommodation", exact=True).check()
    coordinator.get_by_role("button", name="Post the need").click()

    expect(coordinator.get_by_role("alert")).to_contain_text("Some answers need your attention")
    expect(coordinator.get_by_text("The latest end cannot be before the earliest start.")).to_be_visible()
    expect(field(coordinator, "Title")).to_have_value(NEED_TITLE)
    snapshot(coordinator, "04-need-form-errors")

    field(coordinator, "Earliest start").fill(in_days(40).isoformat())
    field(coordinator, "Latest end").fill(in_days(100).isoformat())
    coordinator.get_by_role("button", name="Post the need").click()

    expect(coordinator.get_by_role("heading", level=1)).to_have_text(programme.title)
    expect(status_message(coordinator, f"“{NEED_TITLE}” is posted. Volunteers can apply now.")).to_be_visible()
    needs = coordinator.get_by_role("region", name="Needs")
    expect(needs.get_by_role("link", name=NEED_TITLE, exact=True)).to_be_visible()
    expect(needs.get_by_role("row").filter(has_text=NEED_TITLE)).to_contain_text("1 of 1")
    snapshot(coordinator, "05-need-posted")

    # The volunteer, in another browser, finds the need and applies.
    log_in(volunteer, VOLUNTEER_EMAIL)
    volunteer.get_by_role("navigation", name="Main").get_by_role("link", name="Opportunities").click()
    results = volunteer.locator("#opportunity-results")
    results.get_by_role("link", name=NEED_TITLE, exact=True).click()
    expect(volunteer.get_by_role("heading", level=1)).to_have_text(NEED_TITLE)
    field(volunteer, "Your message to the coordinators").fill("I have taught UAE for PPH in Uppsala and Mwanza.")
    field(volunteer, "You could start on").fill(start.isoformat())
    field(volunteer, "You could finish on").fill(end.isoformat())
    snapshot(volunteer, "06-volunteer-applies")
    volunteer.get_by_role("button", name="Send my application").click()
    expect(volunteer).to_have_url(re.compile(r"/me/$"))
    expect(status_message(volunteer, "has been sent to the coordinators")).to_be_visible()
    expect(volunteer.get_by_role("region", name="Your applications")).to_contain_text("Interested")
    assert subjects_to(COORDINATOR_EMAIL) == [f"New application for “{NEED_TITLE}”"], mail.outbox

    # The coordinator sees the new application in the workspace and opens the need's pipeline.
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Coordinate").click()
    row = coordinator.get_by_role("row").filter(has_text=NEED_TITLE)
    expect(row.locator("td[data-label=New]")).to_have_text("1")
    row.get_by_role("link", name=NEED_TITLE, exact=True).click()
    expect(coordinator).to_have_url(re.compile(r"/coordinate/needs/\d+/$"))
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(NEED_TITLE)
    expect(coordinator.get_by_role("heading", name="1 application")).to_be_visible()
    card = column(coordinator, "Interested").get_by_role("listitem").filter(has_text="Jonas Berg")
    expect(card).to_contain_text("Interventional radiologist")
    expect(card).to_contain_text(f"Proposes {shown(start)} to {shown(end)}")
    snapshot(coordinator, "07-board-new")

    # Shortlist, then offer the place.
    card.get_by_role("button", name=re.compile(r"^Shortlist")).click()
    expect(status_message(coordinator, f"Jonas Berg is on the shortlist for “{NEED_TITLE}”.")).to_be_visible()
    card = column(coordinator, "Shortlisted").get_by_role("listitem").filter(has_text="Jonas Berg")
    card.get_by_role("button", name=re.compile(r"^Offer a place")).click()
    expect(status_message(coordinator, f"A place on “{NEED_TITLE}” was offered to Jonas Berg.")).to_be_visible()
    expect(column(coordinator, "Offered")).to_contain_text("Jonas Berg")
    expect(column(coordinator, "Shortlisted")).to_contain_text("None.")
    snapshot(coordinator, "08-board-offered")
    assert subjects_to(VOLUNTEER_EMAIL) == [f"You are offered a place: “{NEED_TITLE}”"], mail.outbox

    # The volunteer sees the offer on the dashboard and accepts it.
    volunteer.reload()
    offers = volunteer.get_by_role("region", name="Waiting for you")
    expect(offers).to_contain_text(NEED_TITLE)
    expect(offers).to_contain_text(f"From {shown(start)} to {shown(end)}")
    snapshot(volunteer, "09-volunteer-offer")
    offers.get_by_role("button", name="Accept the offer").click()
    expect(status_message(volunteer, f"You have accepted the offer for “{NEED_TITLE}”.")).to_be_visible()
    expect(volunteer.get_by_role("region", name="Waiting for you")).to_have_count(0)
    upcoming = volunteer.get_by_role("region", name="Upcoming placements")
    expect(upcoming.get_by_role("listitem").filter(has_text=NEED_TITLE)).to_contain_text(
        f"From {shown(start)} to {shown(end)}"
    )
    expect(upcoming).to_contain_text("Moshi, Tanzania")
    snapshot(volunteer, "10-volunteer-placement")
    assert subjects_to(COORDINATOR_EMAIL)[1:] == [f"Jonas Berg accepted the offer for “{NEED_TITLE}”"], mail.outbox

    # The coordinator sees the accepted placement on the board.
    coordinator.reload()
    accepted = column(coordinator, "Accepted")
    expect(accepted).to_contain_text("Jonas Berg")
    expect(accepted).to_contain_text(f"Placement {shown(start)} to {shown(end)}")
    summary = coordinator.locator(".pipeline-summary")
    expect(summary).to_contain_text("Filled")
    snapshot(coordinator, "11-board-accepted")

    # Each e-mail went once, to the right person.
    assert sorted(message.subject.removeprefix("[GlobalIR] ") for message in mail.outbox) == sorted(
        [
            f"New application for “{NEED_TITLE}”",
            f"You are offered a place: “{NEED_TITLE}”",
            f"Jonas Berg accepted the offer for “{NEED_TITLE}”",
        ]
    )


@pytest.fixture
def busy_programme(transactional_db):
    """An organisation admin's programme with a need that has applications in every status, and a history."""
    organisation = OrganisationFactory(name="Lake Zone Interventional Radiology Network", countries=["TZ", "KE"])
    admin = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.ADMIN,
        user__email=COORDINATOR_EMAIL,
        user__first_name="Neema",
        user__last_name="Mushi",
    ).user
    MembershipFactory(organisation=organisation, user__first_name="Baraka", user__last_name="Mwakyusa")
    InvitationFactory(organisation=organisation, email="new.coordinator@example.org", invited_by=admin)
    programme = ProgrammeFactory(
        lead_organisation=organisation, title="Image-guided drainage teaching, Mwanza and Kisumu"
    )
    site = SiteFactory(organisation=organisation, name="Bugando Medical Centre", city="Mwanza")
    need = NeedFactory(
        programme=programme,
        title="Drainage of abscesses and empyema",
        host_site=site,
        places=3,
        required_languages=["en"],
    )
    people = [
        ("Amara", "Okafor", Profession.IR_PHYSICIAN, "NG", Application.Status.INTERESTED),
        ("Lucía", "Fernández-Villanueva", Profession.IR_PHYSICIAN, "ES", Application.Status.INTERESTED),
        ("Priya", "Raman", Profession.RADIOLOGIST, "IN", Application.Status.SHORTLISTED),
        ("Tomasz", "Nowak", Profession.IR_PHYSICIAN, "PL", Application.Status.OFFERED),
        ("Chidi", "Eze", Profession.IR_PHYSICIAN, "NG", Application.Status.DECLINED),
        ("Sarah", "Whitfield", Profession.IR_PHYSICIAN, "GB", Application.Status.WITHDRAWN),
    ]
    applications = {}
    for first, last, profession, country, status in people:
        profile = VolunteerProfileFactory(
            user__first_name=first,
            user__last_name=last,
            profession=profession,
            home_country=country,
            skills=["embolisation", "image-guided-drainage"],
        )
        CredentialFactory(profile=profile)
        extra = {"decline_reason": "We need someone for a longer stay."} if status == "declined" else {}
        applications[first] = ApplicationFactory(
            need=need, volunteer=profile, status=status, message="I have run drainage courses before.", **extra
        )
    accepted = PlacementFactory(
        application__need=need,
        application__status=Application.Status.ACCEPTED,
        application__volunteer=VolunteerProfileFactory(
            user__first_name="Kwame", user__last_name="Mensah", home_country="GH"
        ),
    )
    # Past placements, completed, so that the report has figures to chart.
    past = NeedFactory(
        programme=programme,
        title="Ultrasound-guided biopsy teaching",
        profession=Profession.RADIOLOGIST,
        host_site=SiteFactory(
            organisation=organisation, name="Jaramogi Oginga Odinga Hospital", city="Kisumu", country="KE"
        ),
    )
    remote = RemoteNeedFactory(programme=programme, title="Remote case reviews", profession=Profession.IR_NURSE)
    for first, country, profession, target in [
        ("Anna", "DE", Profession.RADIOLOGIST, past),
        ("Ben", "US", Profession.RADIOLOGIST, past),
        ("Chloé", "FR", Profession.IR_NURSE, remote),
        ("Dan", "CA", Profession.IR_NURSE, remote),
    ]:
        placement = PlacementFactory(
            application__need=target,
            application__status=Application.Status.COMPLETED,
            application__volunteer=VolunteerProfileFactory(
                user__first_name=first, home_country=country, profession=profession
            ),
            mode=target.mode,
            hours_per_week=target.hours_per_week,
        )
        placement.completed_at = timezone.now()
        placement.save(update_fields=["completed_at"])
    Need.objects.filter(pk__in=[past.pk, remote.pk]).update(status=Need.Status.FILLED, filled_at=timezone.now())
    return {
        "organisation": organisation,
        "programme": programme,
        "need": need,
        "applications": applications,
        "accepted": accepted,
    }


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_coordinator_pages_fit_the_screen_and_the_board_works_at_every_width(page: Page, busy_programme):
    organisation, programme, need = busy_programme["organisation"], busy_programme["programme"], busy_programme["need"]
    log_in(page, COORDINATOR_EMAIL, with_code=True)

    page.goto("/coordinate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coordinate")
    expect(page.get_by_role("row").filter(has_text=need.title).locator("td[data-label=New]")).to_have_text("2")
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-01-workspace")

    page.goto(f"/coordinate/programmes/{programme.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(programme.title)
    expect(page.get_by_role("region", name="Needs").get_by_role("link", name=need.title, exact=True)).to_be_visible()
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-02-programme")

    page.get_by_role("link", name="Post a need").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Post a need")
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-03-need-form")
    # A remote need without its hours per week: the browser lets it through, the server explains.
    field(page, "Title").fill("Remote reporting of CT angiograms")
    field(page, "Profession wanted").select_option(label="Interventional radiologist")
    page.get_by_label("Remote", exact=True).check()
    field(page, "Earliest start").fill(in_days(20).isoformat())
    field(page, "Latest end").fill(in_days(200).isoformat())
    page.get_by_role("button", name="Post the need").click()
    expect(page.get_by_role("alert")).to_contain_text("Some answers need your attention")
    expect(page.get_by_text("Say how many hours per week the remote work takes.")).to_be_visible()
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-04-need-form-errors")

    # The board: a column per status, closed applications folded away, actions on each card.
    page.goto(f"/coordinate/needs/{need.pk}/")
    expect(page.get_by_role("heading", name="7 applications")).to_be_visible()
    expect(column(page, "Interested")).to_contain_text("Lucía Fernández-Villanueva")
    expect(column(page, "Shortlisted")).to_contain_text("Priya Raman")
    expect(column(page, "Offered")).to_contain_text("Tomasz Nowak")
    expect(column(page, "Accepted")).to_contain_text("Kwame Mensah")
    expect(page.get_by_text("2 declined or withdrawn")).to_be_visible()
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-05-board")
    card = column(page, "Interested").get_by_role("listitem").filter(has_text="Amara Okafor")
    card.get_by_role("button", name=re.compile(r"^Shortlist")).click()
    expect(status_message(page, "Amara Okafor is on the shortlist")).to_be_visible()
    card = column(page, "Shortlisted").get_by_role("listitem").filter(has_text="Priya Raman")
    card.get_by_role("button", name=re.compile(r"^Offer a place")).click()
    expect(status_message(page, "was offered to Priya Raman")).to_be_visible()
    expect(column(page, "Offered")).to_contain_text("Priya Raman")
    # Three places: one accepted and two offers waiting: nothing more can be offered.
    expect(page.locator(".pipeline-summary")).to_contain_text("Places left to offer")
    expect(page.get_by_role("button", name=re.compile(r"^Offer a place"))).to_have_count(0)
    page.get_by_text("2 declined or withdrawn").click()
    expect(page.get_by_text("We need someone for a longer stay.")).to_be_visible()
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-06-board-after-actions")

    # The application's review page.
    column(page, "Shortlisted").get_by_role("link", name="Amara Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amara Okafor")
    expect(page.get_by_role("region", name="The application", exact=True)).to_contain_text("Shortlisted")
    expect(page.get_by_role("region", name="The volunteer", exact=True)).to_contain_text("Nigeria")
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-07-application")

    page.goto(f"/organisations/{organisation.slug}/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Members of {organisation.name}")
    expect(page.get_by_role("region", name="Members", exact=True)).to_contain_text("Baraka Mwakyusa")
    expect(page.get_by_role("region", name="Invitations waiting for an answer")).to_contain_text(
        "new.coordinator@example.org"
    )
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-08-members")

    page.goto("/organisations/request/")
    expect(page.get_by_role("heading", level=1)).to_have_text("List an organisation")
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-09-organisation-request")

    page.goto(f"/coordinate/programmes/{programme.pk}/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report: {programme.title}")
    charts = page.get_by_role("region", name="Charts")
    expect(charts.get_by_role("img").first).to_be_visible()
    expect(page.get_by_role("region", name="In numbers")).to_contain_text("Placements completed")
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-10-report")

    page.goto("/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail preferences")
    expect_fits_the_screen(page)
    snapshot(page, "coordinator-tour-11-preferences")


def test_a_programme_further_down_the_workspace_shows_its_needs_when_opened(page: Page, busy_programme):
    organisation = busy_programme["organisation"]
    later = ProgrammeFactory(lead_organisation=organisation, title="Venous access course, Kisumu")
    NeedFactory(programme=later, title="PICC line teaching faculty")
    log_in(page, COORDINATOR_EMAIL, with_code=True)

    page.goto("/coordinate/")
    card = page.locator("article.workspace-programme").filter(has_text=later.title)
    expect(card.get_by_role("row").filter(has_text="PICC line teaching faculty")).to_have_count(0)
    card.get_by_text("Open and filled needs").click()

    row = card.get_by_role("row").filter(has_text="PICC line teaching faculty")
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name="Pipeline")).to_be_visible()
    # The programme shown with the page keeps its needs open.
    expect(page.get_by_role("row").filter(has_text=busy_programme["need"].title)).to_be_visible()
