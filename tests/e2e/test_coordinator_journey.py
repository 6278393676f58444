"""The coordinator's journey in a real browser, with a volunteer in a second browser.

A coordinator logs in → opens Coordinate → the programme → posts a need through the need form
(first with a mistake, then corrected). A volunteer logs in in another browser, finds the need on
/opportunities/ and applies. The coordinator shortlists the application on the need's pipeline
board, offers a place and writes to the volunteer in the application's message thread; the volunteer
reads it, replies (the coordinator sees the reply and that their message was read) and accepts on
/me/. Both see the placement. The volunteer ticks their steps of the pre-departure checklist (with the
documents asked for), the coordinator ticks theirs; the coordinator marks the placement completed; the
volunteer downloads the certificate of service, and someone without an account confirms its code on
/verify/<code>/. The e-mails for the application, the offer, the messages and the acceptance are sent
(the live server runs in this process, with Celery eager: they land in the locmem outbox).

A second test opens the other coordinator pages (a board with applications in every status, the
application's review page, members, the organisation request form, a report with charts, e-mail
preferences) at phone and desktop widths, shortlists and offers on the board, and checks that no
page is wider than the screen.

Set E2E_STEP_SHOTS=<folder> to keep a screenshot of every page (to review the UI).
"""

import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from organisations.models import Membership
from placements.certificates import Certificate
from placements.models import Application, Placement
from programmes.checklist_templates import ChecklistTemplateItem, ChecklistWho
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
# The programme's own pre-departure checklist: (title, who acts, a document is needed).
CHECKLIST = [
    ("Temporary registration with the Medical Council of Tanganyika", ChecklistWho.VOLUNTEER, True),
    ("Travel insurance", ChecklistWho.VOLUNTEER, True),
    ("Vaccinations and malaria prophylaxis", ChecklistWho.VOLUNTEER, False),
    ("Invitation letter from the hospital", ChecklistWho.COORDINATOR, True),
    ("Accommodation arranged", ChecklistWho.COORDINATOR, False),
]
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
# A certificate is rendered by WeasyPrint when downloaded: slower than a page on a loaded machine.
PDF_TIMEOUT_MS = 30_000


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


def tick_steps(page: Page, steps: list[tuple[str, bool]]) -> None:
    """Tick each (title, needs a document) step on a pre-departure checklist, with a PDF where one is needed."""
    for title, document in steps:
        step = page.locator(".checklist-item", has=page.get_by_role("heading", name=title))
        if document:
            step.get_by_label("Document (PDF, JPEG or PNG, at most 5 MB)").set_input_files(
                files=[{"name": "document.pdf", "mimeType": "application/pdf", "buffer": PDF}]
            )
        step.get_by_role("button", name="Mark as done").click()
        expect(page.get_by_text(f"“{title}” is ticked.")).to_be_visible()
        step = page.locator(".checklist-item", has=page.get_by_role("heading", name=title))
        expect(step.get_by_role("button", name="Mark as done")).to_have_count(0)
        if document:
            expect(step.get_by_role("link", name="Download the document")).to_be_visible()


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
    """A verified organisation with a published programme (with its own short pre-departure checklist), a host
    site and a coordinator; and a volunteer."""
    organisation = OrganisationFactory(name="Kilimanjaro Imaging Partnership", countries=["TZ"])
    programme = ProgrammeFactory(
        lead_organisation=organisation, title="Obstetric IR outreach, northern Tanzania", countries=["TZ"]
    )
    site = SiteFactory(organisation=organisation, name="Mawenzi Regional Referral Hospital", city="Moshi")
    programme.sites.add(site)
    for position, (title, who, document) in enumerate(CHECKLIST):
        ChecklistTemplateItem.objects.create(
            programme=programme, title=title, who_acts=who, needs_document=document, position=position
        )
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
def test_coordinator_posts_a_need_and_takes_a_volunteer_to_a_completed_placement_and_its_certificate(
    page: Page, second_page: Page, partner, browser, live_server
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
    board_url = coordinator.url

    # The coordinator writes to the volunteer in the application's message thread.
    column(coordinator, "Offered").get_by_role("link", name="Jonas Berg").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Jonas Berg")
    coordinator.get_by_role("link", name="Write to the volunteer").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(f"Messages: {NEED_TITLE}")
    expect(coordinator.get_by_text("No messages yet. Write the first one below.")).to_be_visible()
    field(coordinator, "Your message").fill("Karibu! Our visa guide for visiting doctors: https://example.org/visa")
    coordinator.get_by_role("button", name="Send").click()
    written = coordinator.locator(".chat-message").filter(has_text="Our visa guide")
    expect(written.get_by_role("link", name="https://example.org/visa")).to_be_visible()
    expect(written).to_contain_text("Not read yet")
    snapshot(coordinator, "09-coordinator-writes")
    assert subjects_to(VOLUNTEER_EMAIL)[1:] == [f"New message: “{NEED_TITLE}”"], mail.outbox

    # The volunteer sees the offer and the unread message on the dashboard, reads it and replies.
    volunteer.reload()
    offers = volunteer.get_by_role("region", name="Waiting for you")
    expect(offers).to_contain_text(NEED_TITLE)
    expect(offers).to_contain_text(f"From {shown(start)} to {shown(end)}")
    expect(offers).to_contain_text("1 unread")
    snapshot(volunteer, "10-volunteer-offer")
    offers.get_by_role("link", name="Messages").click()
    expect(volunteer.get_by_role("heading", level=1)).to_have_text(f"Messages: {NEED_TITLE}")
    received = volunteer.locator(".chat-message").filter(has_text="Our visa guide")
    expect(received).to_contain_text("Neema Mushi")
    field(volunteer, "Your message").fill("Asante! I have applied for the visa and will send the receipt.")
    volunteer.get_by_role("button", name="Send").click()
    expect(volunteer.locator(".chat-message-mine")).to_contain_text("I have applied for the visa")
    snapshot(volunteer, "11-volunteer-replies")
    assert subjects_to(COORDINATOR_EMAIL)[1:] == [f"New message: “{NEED_TITLE}”"], mail.outbox

    # The coordinator sees the reply, and that their message was read.
    coordinator.reload()
    expect(coordinator.locator(".chat-message").filter(has_text="I have applied for the visa")).to_contain_text(
        "Jonas Berg"
    )
    expect(written).to_contain_text("Read by Jonas Berg")
    snapshot(coordinator, "12-coordinator-reads-the-reply")

    # The volunteer accepts the offer on the dashboard.
    volunteer.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="My volunteering").click()
    offers = volunteer.get_by_role("region", name="Waiting for you")
    expect(offers).not_to_contain_text("unread")
    offers.get_by_role("button", name="Accept the offer").click()
    expect(status_message(volunteer, f"You have accepted the offer for “{NEED_TITLE}”.")).to_be_visible()
    expect(volunteer.get_by_role("region", name="Waiting for you")).to_have_count(0)
    upcoming = volunteer.get_by_role("region", name="Upcoming placements")
    expect(upcoming.get_by_role("listitem").filter(has_text=NEED_TITLE)).to_contain_text(
        f"From {shown(start)} to {shown(end)}"
    )
    expect(upcoming).to_contain_text("Moshi, Tanzania")
    snapshot(volunteer, "13-volunteer-placement")
    assert subjects_to(COORDINATOR_EMAIL)[2:] == [f"Jonas Berg accepted the offer for “{NEED_TITLE}”"], mail.outbox

    # The coordinator sees the accepted placement on the board.
    coordinator.goto(board_url)
    accepted = column(coordinator, "Accepted")
    expect(accepted).to_contain_text("Jonas Berg")
    expect(accepted).to_contain_text(f"Placement {shown(start)} to {shown(end)}")
    summary = coordinator.locator(".pipeline-summary")
    expect(summary).to_contain_text("Filled")
    snapshot(coordinator, "14-board-accepted")

    # Before going, the volunteer ticks their steps of the programme's checklist, with the documents it asks for.
    steps = len(CHECKLIST)
    theirs = [(title, document) for title, who, document in CHECKLIST if who == ChecklistWho.VOLUNTEER]
    ours = [(title, document) for title, who, document in CHECKLIST if who == ChecklistWho.COORDINATOR]
    expect(upcoming).to_contain_text(f"Before you go: 0 of {steps} steps done")
    upcoming.get_by_role("link", name="Open your pre-departure checklist").click()
    expect(volunteer.get_by_role("heading", level=1)).to_have_text("Pre-departure checklist")
    tick_steps(volunteer, theirs)
    expect(volunteer.get_by_text(f"{len(theirs)} of {steps} steps done")).to_be_visible()
    snapshot(volunteer, "15-volunteer-checklist")

    # The coordinator sees the volunteer's progress for the need, then ticks the organisation's steps.
    coordinator.get_by_role("link", name="Pre-departure checklists").click()
    row = coordinator.get_by_role("row", name="Jonas Berg")
    expect(row).to_contain_text(f"{len(theirs)} of {steps}")
    snapshot(coordinator, "16-need-checklists")
    row.get_by_role("link", name="Jonas Berg").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Pre-departure checklist")
    tick_steps(coordinator, ours)
    expect(coordinator.get_by_text(f"{steps} of {steps} steps done")).to_be_visible()
    snapshot(coordinator, "17-coordinator-checklist")

    volunteer.goto("/me/")
    upcoming = volunteer.get_by_role("region", name="Upcoming placements")
    expect(upcoming).to_contain_text("Ready to go")
    expect(upcoming).to_contain_text(f"All {steps} pre-departure steps are done.")

    # A placement can be marked completed only once it has started: rather than wait for its dates, the test
    # moves them into the past, as if the stay had gone by.
    served_from, served_to = in_days(-21), in_days(-1)
    assert Placement.objects.filter(volunteer__user__email=VOLUNTEER_EMAIL).update(
        start_date=served_from, end_date=served_to
    )

    # The coordinator marks the placement completed on the board.
    coordinator.goto(board_url)
    card = column(coordinator, "Accepted").get_by_role("listitem").filter(has_text="Jonas Berg")
    expect(card).to_contain_text(f"Placement {shown(served_from)} to {shown(served_to)}")
    card.get_by_role("button", name=re.compile(r"^Mark completed")).click()
    expect(
        status_message(
            coordinator,
            f"The placement of Jonas Berg on “{NEED_TITLE}” is completed. Both sides can now give feedback.",
        )
    ).to_be_visible()
    expect(column(coordinator, "Completed")).to_contain_text("Jonas Berg")
    expect(column(coordinator, "Accepted")).to_contain_text("None.")
    snapshot(coordinator, "18-board-completed")

    # The volunteer downloads the certificate of service from the dashboard.
    volunteer.reload()
    past = volunteer.get_by_role("region", name="Past placements")
    expect(past).to_contain_text(NEED_TITLE)
    expect(past).to_contain_text(f"{shown(served_from)} to {shown(served_to)}")
    snapshot(volunteer, "19-volunteer-past-placement")
    with volunteer.expect_download(timeout=PDF_TIMEOUT_MS) as download:
        past.get_by_role("link", name="Download certificate").click()
    certificate = download.value
    assert Path(certificate.path()).read_bytes().startswith(b"%PDF")
    name = re.fullmatch(r"globalir-certificate-(\w{4}-\w{4}-\w{4})\.pdf", certificate.suggested_filename)
    assert name, certificate.suggested_filename
    code = name[1]
    # The PDF prints the snapshot taken when it was issued (its text is read in tests/placements/test_certificates.py):
    # here, that the pages recorded who marked the placement completed, and the dates served.
    issued = Certificate.objects.get(code=code.replace("-", ""))
    assert (issued.holder_name, issued.coordinator_name) == ("Jonas Berg", "Neema Mushi")
    assert (issued.start_date, issued.end_date, issued.days_on_site) == (served_from, served_to, 21)

    # Anyone holding the code, without an account, confirms the certificate: nothing more than it says.
    anonymous = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="en-GB")
    anonymous.set_default_timeout(ACTION_TIMEOUT_MS)
    anonymous.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    try:
        checker = anonymous.new_page()
        checker.goto(f"/verify/{code}/")
        expect(checker.get_by_role("heading", level=1)).to_have_text("Certificate of service")
        expect(checker.get_by_role("button", name="Log out")).to_have_count(0)
        facts = checker.locator("main")
        expect(facts).to_contain_text("Valid")
        expect(facts).to_contain_text(f"The code {code} belongs to a certificate issued by GlobalIR")
        expect(facts).to_contain_text("Jonas Berg")
        expect(facts).to_contain_text("Kilimanjaro Imaging Partnership")
        expect(facts).to_contain_text(f"{shown(served_from)} to {shown(served_to)}")
        expect(facts).not_to_contain_text(VOLUNTEER_EMAIL)
        snapshot(checker, "20-certificate-verified")
    finally:
        anonymous.close()

    # Each e-mail went once, to the right person.
    assert sorted(message.subject.removeprefix("[GlobalIR] ") for message in mail.outbox) == sorted(
        [
            f"New application for “{NEED_TITLE}”",
            f"You are offered a place: “{NEED_TITLE}”",
            f"New message: “{NEED_TITLE}”",
            f"New message: “{NEED_TITLE}”",
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
