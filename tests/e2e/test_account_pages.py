"""The account pages in a real browser: their menu can be read and leads to every page.

The header's "Account" link opens two-factor authentication; the menu above each account page leads
to the e-mail addresses, the password, the sessions open elsewhere and the language. The contrast of every page is
checked by tests/e2e/conftest.py.
"""

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from tests.accounts.conftest import log_in
from tests.e2e.conftest import DESKTOP, PHONE, field
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_the_account_menu_can_be_read_and_leads_to_every_account_page(page: Page, volunteer):
    log_in(Client(HTTP_USER_AGENT="Phone browser"), volunteer.user.email, PASSWORD)  # on another device too
    page.goto("/accounts/login/")
    field(page, "E-mail address").fill(volunteer.user.email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
    menu = page.get_by_role("navigation", name="Account", exact=True)
    expect(menu.get_by_role("link", name="Two-factor authentication")).to_have_attribute("aria-current", "page")

    menu.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions")
    expect(page.get_by_role("main")).to_contain_text("Phone browser")
    page.get_by_role("button", name="Log out of the other sessions").click()
    expect(page.get_by_role("main")).not_to_contain_text("Phone browser")

    menu.get_by_role("link", name="Password").click()
    # Changing the password asks for it once more first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    expect(menu.get_by_role("link", name="Password")).to_have_attribute("aria-current", "page")

    menu.get_by_role("link", name="E-mail addresses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail addresses")
    expect(page.get_by_text(volunteer.user.email)).to_be_visible()

    menu.get_by_role("link", name="Language").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Language")
    expect(menu.get_by_role("link", name="Language")).to_have_attribute("aria-current", "page")
    page.get_by_label("Français").check()
    page.get_by_role("button", name="Save the language").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Langue")
    expect(page.get_by_role("status")).to_contain_text("Langue enregistrée : Français.")
