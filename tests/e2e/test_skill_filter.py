"""The searchable skill list of the profile wizard (static/js/skill-filter.js) in a real browser.

The list is plain checkboxes; the script only adds a filter box. Without JavaScript the box
stays hidden and every skill can be ticked.
"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.conftest import ACTION_TIMEOUT_MS, DESKTOP
from tests.factories import VolunteerProfileFactory
from volunteers.models import Skill

# The live server needs a transactional database; tests/e2e/conftest.py (seeded_data) seeds the skills again.
pytestmark = pytest.mark.browser

SKILLS_STEP = "/me/welcome/skills/"


@pytest.fixture
def volunteer_at_skills_step(transactional_db):
    return VolunteerProfileFactory(onboarding_step=2, onboarding_completed_at=None, user__email="amina@example.org")


def signed_in_context(browser, live_server, user, **options):
    """A browser context already logged in as `user` (the session is made by Django's test client)."""
    django_client = Client()
    django_client.force_login(user)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="en-GB", **options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": django_client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def test_typing_narrows_the_skills_but_never_hides_a_ticked_one(
    browser, live_server, plain_http_site, volunteer_at_skills_step
):
    context = signed_in_context(browser, live_server, volunteer_at_skills_step.user)
    page = context.new_page()
    try:
        page.goto(SKILLS_STEP)
        search = page.get_by_label("Filter the list")
        expect(search).to_be_visible()

        page.get_by_label("Mentoring", exact=True).check()
        # Accents and case are ignored: "EMBOLIS" finds both embolisation skills.
        search.fill("EMBOLIS")
        expect(page.get_by_label("Embolisation", exact=True)).to_be_visible()
        expect(page.get_by_label("Post-partum haemorrhage embolisation")).to_be_visible()
        expect(page.get_by_label("Ultrasound")).to_be_hidden()
        expect(page.get_by_label("Mentoring", exact=True)).to_be_visible()  # ticked, so still shown
        expect(page.get_by_role("group", name="Imaging modality")).to_be_hidden()
        shown = Skill.objects.filter(name__icontains="embolis").count() + 1
        expect(page.locator("#skill-filter-status")).to_have_text(f"Skills shown: {shown}")

        search.fill("zzz")
        expect(page.locator("#skill-filter-status")).to_have_text("No skill matches. Try a shorter word.")

        # Enter in the filter box does not send the step half-done.
        search.press("Enter")
        expect(page).to_have_url(f"{live_server.url}{SKILLS_STEP}")

        search.fill("")
        expect(page.get_by_label("Ultrasound")).to_be_visible()
        page.get_by_label("Ultrasound").check()
        page.get_by_role("button", name="Save and continue").click()
        expect(page).to_have_url(f"{live_server.url}/me/welcome/availability/")
    finally:
        context.close()

    assert set(volunteer_at_skills_step.skills.values_list("slug", flat=True)) == {"mentoring", "ultrasound"}


def test_without_javascript_every_skill_is_a_checkbox_and_the_filter_box_stays_hidden(
    browser, live_server, plain_http_site, volunteer_at_skills_step
):
    context = signed_in_context(browser, live_server, volunteer_at_skills_step.user, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(SKILLS_STEP)
        expect(page.get_by_label("Filter the list")).to_be_hidden()
        checkboxes = page.get_by_role("checkbox")
        expect(checkboxes).to_have_count(Skill.objects.active().count())
        for index in range(checkboxes.count()):
            expect(checkboxes.nth(index)).to_be_visible()

        page.get_by_label("Image-guided drainage").check()
        page.get_by_role("button", name="Save and continue").click()
        expect(page).to_have_url(f"{live_server.url}/me/welcome/availability/")
    finally:
        context.close()

    assert list(volunteer_at_skills_step.skills.values_list("slug", flat=True)) == ["image-guided-drainage"]
