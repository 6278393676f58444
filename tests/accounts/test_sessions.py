"""Sessions: a new key at every login, nothing left of one after logout, and a page listing the
user's sessions that can end the others (allauth.usersessions)."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import log_in

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("placements:dashboard")


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("home")).context["user"].is_authenticated


def test_the_session_key_changes_at_login(client, volunteer, password):
    # A visitor's session from before the login, as one planted by an attacker (session fixation).
    session = client.session
    session["seen_before_login"] = True
    session.save()
    before = session_key(client)

    log_in(client, "volunteer@example.org", password)

    after = session_key(client)
    assert after != before
    assert is_signed_in(client)
    assert not SessionStore().exists(before)


def test_a_logged_out_session_cookie_is_dead(client, volunteer, password):
    log_in(client, "volunteer@example.org", password)
    old_cookie = session_key(client)

    client.post(reverse("account_logout"))

    replayed = Client()
    replayed.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = replayed.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not is_signed_in(replayed)


def test_a_user_sees_their_sessions_and_ends_the_others(volunteer, password):
    laptop, phone = Client(HTTP_USER_AGENT="Laptop browser"), Client(HTTP_USER_AGENT="Phone browser")
    log_in(laptop, "volunteer@example.org", password)
    log_in(phone, "volunteer@example.org", password)

    listing = laptop.get(reverse("usersessions_list"))
    page = listing.content.decode()
    assert listing.context["session_count"] == 2
    assert "Laptop browser" in page
    assert "Phone browser" in page

    response = laptop.post(reverse("usersessions_list"))

    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert phone.get(DASHBOARD)["Location"].startswith(reverse("account_login"))
    assert is_signed_in(laptop)
    assert laptop.get(reverse("usersessions_list")).context["session_count"] == 1


def test_the_account_menu_links_to_the_sessions_page(client, volunteer):
    client.force_login(volunteer.user)

    page = client.get(reverse("mfa_index")).content.decode()

    assert f'href="{reverse("mfa_index")}"' in client.get(reverse("home")).content.decode()
    assert f'href="{reverse("usersessions_list")}"' in page
