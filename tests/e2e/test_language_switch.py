"""The language switcher in a real browser, at phone width: the page comes back on the same address with
its words and its <html lang> in the language chosen, which a signed-in volunteer's account keeps.

Set E2E_STEP_SHOTS=<folder> to keep a screenshot of the opportunities, a need and the dashboard in each
language (to read them).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from globalir.accounts.models import User
from tests.e2e.conftest import PHONE, sign_in, snapshot
from tests.factories import ApplicationFactory, NeedFactory, ProgrammeFactory, VolunteerProfileFactory

pytestmark = pytest.mark.browser

HEADINGS = {
    "en": ("Volunteer opportunities", "Opportunities"),
    "fr": ("Opportunités de bénévolat", "Opportunités"),
    "es": ("Oportunidades de voluntariado", "Oportunidades"),
    "pt": ("Oportunidades de voluntariado", "Oportunidades"),
}
NATIVE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "pt": "Português"}


def switch_to(page: Page, language: str) -> None:
    page.locator("#language-select").select_option(NATIVE_NAMES[language])
    page.locator(".language-form button").click()


def expect_in(page: Page, language: str) -> None:
    heading, nav_link = HEADINGS[language]
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(".site-header nav").get_by_role("link", name=nav_link, exact=True)).to_be_visible()


@pytest.fixture
def need(transactional_db):
    return NeedFactory(
        programme=ProgrammeFactory(title="Programa de radiologia de intervenção"),
        title="Embolização pós-parto",
    )


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_a_visitor_switches_language_and_the_page_follows(page: Page, need):
    page.goto("/opportunities/?mode=onsite")
    expect_in(page, "en")
    expect(page.locator(".language-form button")).to_have_text("Change")

    switch_to(page, "fr")

    expect(page).to_have_url(re.compile(r"/opportunities/\?mode=onsite$"))
    expect_in(page, "fr")
    expect(page.locator(".language-form button")).to_have_text("Changer")
    # Each language keeps its own name in the menu, so the way back reads right in every language.
    expect(page.locator("#language-select option")).to_have_text(["English", "Français", "Português", "Español"])

    switch_to(page, "es")

    expect_in(page, "es")
    expect(page.locator(".language-form button")).to_have_text("Cambiar")


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_a_volunteer_s_choice_is_kept_by_their_account(page: Page, live_server, need):
    volunteer = VolunteerProfileFactory(name="Amina Okafor", user__language="en")
    ApplicationFactory(volunteer=volunteer, need=need)
    sign_in(page, live_server, volunteer.user)
    page.goto("/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My volunteering")

    switch_to(page, "pt")

    expect(page.locator("html")).to_have_attribute("lang", "pt")
    expect(page.get_by_role("heading", level=1)).to_have_text("O meu voluntariado")
    expect(page.get_by_role("status").first).to_contain_text("Língua guardada: Português.")
    assert User.objects.get(pk=volunteer.user.pk).language == "pt"
    # Another browser, signed in to the same account, reads Portuguese too.
    other = page.context.browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        other_page = other.new_page()
        sign_in(other_page, live_server, volunteer.user)
        other_page.goto("/me/")
        expect(other_page.get_by_role("heading", level=1)).to_have_text("O meu voluntariado")
    finally:
        other.close()


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
@pytest.mark.parametrize("language", ["fr", "es", "pt"])
def test_the_volunteer_s_main_screens_in_each_language(page: Page, live_server, need, language):
    volunteer = VolunteerProfileFactory(name="Amina Okafor", user__language=language)
    ApplicationFactory(volunteer=volunteer, need=need)
    ApplicationFactory(volunteer=volunteer, need=NeedFactory(programme=need.programme, title="Drenagem guiada"))
    sign_in(page, live_server, volunteer.user)

    page.goto("/opportunities/")
    expect_in(page, language)
    snapshot(page, f"{language}-opportunities")
    page.goto(need.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", language)
    snapshot(page, f"{language}-need")
    page.goto("/me/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    snapshot(page, f"{language}-dashboard")
