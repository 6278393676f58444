"""Sign-in with ORCID in Chromium: the browser itself goes to a fake ORCID on loopback and comes back.

Covers what only a browser shows: the page's Content-Security-Policy lets the ORCID button's redirect leave
the portal, and the pages read well on a phone and a desktop.
"""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.accounts.orcid_server import FakeOrcid, OrcidPerson, portal_uses
from tests.e2e.conftest import DESKTOP, PHONE, field, sign_in, snapshot
from tests.factories import PASSWORD, ApplicationFactory, NeedFactory, VolunteerProfileFactory

pytestmark = pytest.mark.browser

ORCID_ID = "0000-0002-1825-0097"
BOTH = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)


@pytest.fixture
def orcid(settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with FakeOrcid() as fake:
        portal_uses(settings, fake)
        yield fake


@BOTH
def test_a_new_volunteer_signs_up_with_orcid_in_the_browser(page: Page, orcid):
    orcid.next_person = OrcidPerson(orcid=ORCID_ID, given_names="Amara", family_name="Okafor")
    page.goto("/accounts/login/")
    snapshot(page, "orcid-login")

    page.get_by_role("button", name="Continue with ORCID").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    expect(page.get_by_role("main")).to_contain_text("ORCID confirmed your iD")
    snapshot(page, "orcid-signup")
    field(page, "E-mail address").fill("amara.okafor@example.org")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("main")).to_contain_text("amara.okafor@example.org")
    assert SocialAccount.objects.filter(uid=ORCID_ID, user__email="amara.okafor@example.org").exists()


@BOTH
def test_a_volunteer_links_orcid_from_the_account_pages(page: Page, orcid, volunteer):
    page.goto("/accounts/login/")
    field(page, "E-mail address").fill(volunteer.user.email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    menu = page.get_by_role("navigation", name="Account", exact=True)
    menu.get_by_role("link", name="Linked accounts").click()
    # Linking changes how one signs in: the password once more first.
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Linked accounts")
    expect(menu.get_by_role("link", name="Linked accounts")).to_have_attribute("aria-current", "page")

    page.get_by_role("button", name="Link ORCID").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Linked accounts")
    expect(page.get_by_role("main")).to_contain_text(f"https://orcid.org/{ORCID_ID}")
    snapshot(page, "orcid-linked")


@BOTH
def test_a_coordinator_sees_the_orcid_link_on_the_application(page: Page, live_server, coordinator, organisation):
    application = ApplicationFactory(
        need=NeedFactory(programme__lead_organisation=organisation), volunteer=VolunteerProfileFactory()
    )
    SocialAccount.objects.create(user=application.volunteer.user, provider="orcid", uid=ORCID_ID)
    sign_in(page, live_server, coordinator)

    page.goto(reverse("placements:pipeline-application", args=[application.pk]))

    expect(page.get_by_role("link", name=f"https://orcid.org/{ORCID_ID}")).to_be_visible()
    snapshot(page, "orcid-application")
