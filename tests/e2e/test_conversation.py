"""A coordinator writes to a volunteer about their application in a real browser; the volunteer sees the
unread message on their dashboard, reads it and replies; the coordinator sees the reply and that their message
was read. At a phone's width, nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from organisations.models import Membership
from tests.e2e.conftest import PHONE, field, sign_in, snapshot
from tests.factories import ApplicationFactory, MembershipFactory, NeedFactory, VolunteerProfileFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_coordinator_writes_volunteer_replies_and_the_coordinator_sees_the_receipt(page, live_server):
    coordinator = MembershipFactory(role=Membership.Role.COORDINATOR, user__first_name="Joseph").user
    need = NeedFactory(
        programme__lead_organisation=coordinator.memberships.get().organisation, title="PPH embolisation, Moshi"
    )
    volunteer = VolunteerProfileFactory(name="Amina Okafor", title="Dr")
    application = ApplicationFactory(need=need, volunteer=volunteer)

    sign_in(page, live_server, coordinator)
    page.goto(f"/coordinate/applications/{application.pk}/")
    page.get_by_role("link", name="Write to the volunteer").click()
    expect(page.get_by_text("No messages yet. Write the first one below.")).to_be_visible()
    field(page, "Your message").fill("Welcome! The visa guide: https://example.org/visa")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("link", name="https://example.org/visa")).to_be_visible()
    expect(page.get_by_text("Not read yet")).to_be_visible()

    sign_in(page, live_server, volunteer.user)
    page.goto("/me/")
    expect(page.get_by_text("1 unread")).to_be_visible()
    page.get_by_role("link", name="Messages").first.click()
    expect(page.get_by_text("Welcome! The visa guide:")).to_be_visible()
    field(page, "Your message").fill("Thank you, I will read it tonight.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you, I will read it tonight.")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    snapshot(page, "conversation-volunteer")

    sign_in(page, live_server, coordinator)
    page.goto(f"/coordinate/needs/{need.pk}/")
    expect(page.get_by_text("1 unread")).to_be_visible()
    page.goto(f"/messages/applications/{application.pk}/")
    expect(page.get_by_text("Thank you, I will read it tonight.")).to_be_visible()
    expect(page.get_by_text("Read by Dr Amina Okafor")).to_be_visible()
