"""A new volunteer's whole journey in a real browser.

Sign up → open the verification link from the e-mail → confirm → fill in the five-step profile
wizard → filter /opportunities/ (htmx updates the results in place) → open a need → apply with a
message and proposed dates → see the application on the dashboard, /me/.
"""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, field, snapshot
from tests.factories import NeedFactory, OrganisationFactory, ProgrammeFactory, SiteFactory
from volunteers.models import Profession

pytestmark = pytest.mark.browser

EMAIL = "amara.okafor@example.org"
PASSWORD = "Sonography-in-Lagos-2026"
STEP_COUNT = 5


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def opportunities(transactional_db):
    """Two open needs of a published programme: one in Tanzania that fits the new volunteer, one in Kenya."""
    organisation = OrganisationFactory(name="Lakeshore Imaging Partners", countries=["TZ", "KE"])
    programme = ProgrammeFactory(
        lead_organisation=organisation, title="East Africa IR training rotation", countries=["TZ", "KE"]
    )
    tanzania = NeedFactory(
        programme=programme,
        title="Obstetric ultrasound teaching for post-partum haemorrhage",
        profession=Profession.SONOGRAPHER,
        host_site=SiteFactory(name="Harbour View Referral Hospital", city="Dar es Salaam", country="TZ"),
        required_skills=["ultrasound"],
        required_languages=["en"],
    )
    kenya = NeedFactory(
        programme=programme,
        title="Image-guided drainage workshop",
        host_site=SiteFactory(name="Lakeside County Hospital", city="Kisumu", country="KE"),
    )
    return {"tanzania": tanzania, "kenya": kenya}


def expect_wizard_step(page: Page, number: int, title: str) -> None:
    expect(page).to_have_url(re.compile(r"/me/welcome/[a-z-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    progress = page.get_by_role("navigation", name=f"Step {number} of {STEP_COUNT}")
    expect(progress).to_be_visible()
    expect(progress.locator("[aria-current=step]")).to_have_text(title)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_new_volunteer_signs_up_completes_profile_finds_a_need_and_applies(
    page: Page, live_server, opportunities, settings
):
    tanzania, kenya = opportunities["tanzania"], opportunities["kenya"]
    # E-mails link to SITE_URL: here, the live server.
    settings.SITE_URL = live_server.url

    # Sign up.
    page.goto("/accounts/signup/")
    snapshot(page, "01-signup")
    field(page, "E-mail address").fill(EMAIL)
    field(page, "Password").fill(PASSWORD)
    field(page, "Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    # Open the link of the verification e-mail (the live server runs in this process: locmem outbox).
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    assert mail.outbox[0].to == [EMAIL]
    links = re.findall(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body)
    assert len(links) == 1, mail.outbox[0].body
    assert links[0].startswith(live_server.url), links[0]
    page.goto(links[0])
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()

    # The profile wizard, step by step.
    expect_wizard_step(page, 1, "You and your work")
    field(page, "Your name").fill("Amara Okafor")
    field(page, "Title").fill("Dr")
    snapshot(page, "02-wizard-about")
    field(page, "Profession").select_option(label="Sonographer")
    field(page, "Career stage").select_option(label="Established (5–15 years)")
    field(page, "Years of experience in your profession").fill("9")
    field(page, "Country where you live and work").select_option(label="Nigeria")
    field(page, "Hospital, university or employer").fill("Lagoon Teaching Hospital")
    page.get_by_role("button", name="Save and continue").click()

    expect_wizard_step(page, 2, "Languages")
    snapshot(page, "03-wizard-languages")
    first = page.get_by_role("group", name="Language 1")
    field(first, "Language").select_option(label="English")
    field(first, "Level").select_option(label="Native")
    second = page.get_by_role("group", name="Language 2")
    field(second, "Language").select_option(label="French")
    field(second, "Level").select_option(label="Working")
    page.get_by_role("button", name="Save and continue").click()

    expect_wizard_step(page, 3, "Skills")
    # The skill filter box itself is covered by test_skill_filter.py.
    field(page, "Ultrasound").check()
    field(page, "Teaching").check()
    snapshot(page, "04-wizard-skills")
    page.get_by_role("button", name="Save and continue").click()

    expect_wizard_step(page, 4, "How and when you can help")
    page.get_by_label("On site: I can travel").check()
    page.get_by_label("Remotely: teaching, reporting").check()
    period = page.get_by_role("group", name="Period 1")
    field(period, "From").fill(in_days(30).isoformat())
    field(period, "Until").fill(in_days(150).isoformat())
    field(period, "Hours per week for remote work").fill("6")
    snapshot(page, "05-wizard-availability")
    page.get_by_role("button", name="Save and continue").click()

    expect_wizard_step(page, 5, "Preferences and consent")
    field(page, "Sub-Saharan Africa").check()
    field(page, "Short bio").fill("Sonographer teaching point-of-care ultrasound in West Africa.")
    page.get_by_label("I agree that the coordinators of needs I apply to").check()
    snapshot(page, "06-wizard-preferences")
    page.get_by_role("button", name="Finish").click()

    # Finishing the wizard leads to the dashboard, with a welcome and the need that fits.
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("status").filter(has_text="Welcome to GlobalIR!")).to_be_visible()
    expect(page.get_by_role("region", name="Suggested for you")).to_contain_text(tanzania.title)
    snapshot(page, "07-dashboard-new")

    # Browse and filter the opportunities: the results change in place, without a page load.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Opportunities").click()
    expect(page).to_have_url(re.compile(r"/opportunities/$"))
    # htmx is a deferred script: it listens to the filters once the page has loaded, not when its address shows.
    page.wait_for_load_state()
    results = page.locator("#opportunity-results")
    expect(results.locator(".result-count")).to_have_text("2 opportunities")
    expect(results.get_by_role("link", name=kenya.title)).to_be_visible()
    snapshot(page, "08-opportunities")
    page.evaluate("window.stillTheSamePage = true")
    field(page, "Country").select_option(label="Tanzania")
    expect(results.locator(".result-count")).to_have_text("1 opportunity")
    expect(results.get_by_role("link", name=kenya.title)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/opportunities/\?(.+&)?country=TZ(&|$)"))
    assert page.evaluate("window.stillTheSamePage === true"), "Filtering reloaded the whole page"
    snapshot(page, "09-opportunities-filtered")

    # Open the need, see why it fits, and apply with a message and dates inside its window.
    results.get_by_role("link", name=tanzania.title).click()
    expect(page).to_have_url(re.compile(rf"/opportunities/{tanzania.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tanzania.title)
    expect(page.get_by_role("heading", name=re.compile(r"^Why it fits you"))).to_be_visible()
    snapshot(page, "10-opportunity")
    message = "I teach obstetric ultrasound and can train your sonographers."
    field(page, "Your message to the coordinators").fill(message)
    field(page, "You could start on").fill(in_days(45).isoformat())
    field(page, "You could finish on").fill(in_days(65).isoformat())
    page.get_by_role("button", name="Send my application").click()

    # The dashboard lists the application with its status.
    expect(page).to_have_url(re.compile(r"/me/$"))
    applications = page.get_by_role("region", name="Your applications")
    expect(applications).to_contain_text(tanzania.title)
    expect(applications).to_contain_text("Interested")
    snapshot(page, "11-dashboard-applied")
