"""Every absolute link the portal hands out is on SITE_URL: the portal's e-mails and allauth's, the calendar
feed's events and the dashboard's link to the feed. `make run` sets SITE_URL from PORT, so a portal served on
another port links to that port everywhere (tests/test_quick_start.py runs it)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from placements import services
from tests.factories import NeedFactory, PlacementFactory

pytestmark = pytest.mark.django_db

SITE_URL = "http://127.0.0.1:8123"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def test_the_dashboard_gives_the_calendar_feed_link_on_site_url(client, volunteer):
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    feed = f"{SITE_URL}{reverse('placements:calendar-feed')}?token={volunteer.calendar_token}"
    assert f'href="{feed}"' in page


def test_the_calendar_feeds_events_link_to_the_dashboard_on_site_url(client, volunteer):
    PlacementFactory(application__volunteer=volunteer)

    body = client.get(reverse("placements:calendar-feed"), {"token": volunteer.calendar_token}).content.decode()

    assert f"URL:{SITE_URL}{reverse('placements:dashboard')}" in body.replace("\r\n ", "")


def test_the_portals_own_emails_link_to_site_url(
    volunteer, organisation, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    need = NeedFactory(programme__lead_organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(
            volunteer=volunteer,
            need=need,
            message="",
            proposed_start=need.window_start,
            proposed_end=need.window_end,
        )

    [message] = mailoutbox
    assert links(message.body)
    assert all(link.startswith(f"{SITE_URL}/") for link in links(message.body)), message.body


def test_the_signup_confirmation_link_is_on_site_url_whatever_host_the_request_named(client):
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase"},
    )

    [message] = mail.outbox
    assert f"{SITE_URL}/accounts/confirm-email/" in message.body
    assert "testserver" not in message.body


def test_the_password_reset_link_is_on_site_url(client, volunteer):
    client.post(reverse("account_reset_password"), {"email": volunteer.user.email})

    [message] = mail.outbox
    assert f"{SITE_URL}/accounts/password/reset/key/" in message.body
    assert "testserver" not in message.body


def test_the_links_for_an_unknown_or_an_existing_address_are_on_site_url(client, volunteer):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    client.post(
        reverse("account_signup"),
        {
            "email": volunteer.user.email,
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )

    unknown, exists = mail.outbox
    assert f"{SITE_URL}{reverse('account_signup')}" in unknown.body
    assert f"{SITE_URL}{reverse('account_reset_password')}" in exists.body
    assert "testserver" not in unknown.body + exists.body
