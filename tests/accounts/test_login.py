"""Logging in with an e-mail address (no usernames) and a password."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def log_in(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_verified_volunteer_logs_in_with_email_and_password_and_lands_on_their_dashboard(client, volunteer, password):
    response = log_in(client, "volunteer@example.org", password)

    assert response.status_code == 302
    assert response["Location"] == reverse("placements:dashboard")
    assert client.get(reverse("home")).context["user"] == volunteer.user


def test_email_is_not_case_sensitive_at_login(client, volunteer, password):
    response = log_in(client, "Volunteer@Example.ORG", password)

    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == volunteer.user


def test_wrong_password_shows_an_error_and_does_not_log_in(client, volunteer):
    response = log_in(client, "volunteer@example.org", "not-the-password")

    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_unknown_email_gets_the_same_error_as_a_wrong_password(client, password):
    response = log_in(client, "nobody@example.org", password)

    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.content.decode()


def test_inactive_user_cannot_log_in(client, volunteer, password):
    volunteer.user.is_active = False
    volunteer.user.save()

    response = log_in(client, "volunteer@example.org", password)

    assert response["Location"] == reverse("account_inactive")
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_login_page_offers_password_reset_and_sign_up(client):
    response = client.get(reverse("account_login"))

    page = response.content.decode()
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"login", "password", "remember"}
    assert f'href="{reverse("account_reset_password")}"' in page
    assert f'href="{reverse("account_signup")}"' in page


def test_logged_in_volunteer_visiting_login_is_sent_to_their_dashboard(client, volunteer):
    client.force_login(volunteer.user)

    response = client.get(reverse("account_login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("placements:dashboard")
