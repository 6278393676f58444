"""Forgotten passwords: a link by e-mail, then a new password that works."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.conftest import NEW_PASSWORD, link_in

pytestmark = pytest.mark.django_db


def request_reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email})


def test_password_reset_sends_one_email_with_a_link(client, volunteer):
    response = request_reset(client, "Volunteer@Example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["volunteer@example.org"]
    assert mail.outbox[0].subject == "[GlobalIR] Reset your password"
    link_in(mail.outbox[0], "/accounts/password/reset/key/")


def test_new_password_from_the_reset_link_works_and_the_old_one_does_not(client, volunteer, password):
    request_reset(client, "volunteer@example.org")
    path = link_in(mail.outbox[0], "/accounts/password/reset/key/")

    # allauth moves the key out of the URL into the session before showing the form.
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert "password1" in form_page.context["form"].fields
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    volunteer.user.refresh_from_db()
    assert volunteer.user.check_password(NEW_PASSWORD)
    assert not volunteer.user.check_password(password)
    client.logout()
    login = client.post(reverse("account_login"), {"login": "volunteer@example.org", "password": NEW_PASSWORD})
    assert login["Location"] == reverse("placements:dashboard")


def test_reset_link_works_only_once(client, volunteer):
    request_reset(client, "volunteer@example.org")
    path = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    form_page = client.get(path, follow=True)
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()

    response = client.get(path, follow=True)

    assert response.context["token_fail"]
    assert "This password reset link has expired or has been used already." in response.content.decode()


def test_reset_for_an_unknown_address_looks_the_same_and_sends_no_reset_link(client):
    response = request_reset(client, "nobody@example.org")

    assert response["Location"] == reverse("account_reset_password_done")
    assert all("/accounts/password/reset/key/" not in message.body for message in mail.outbox)
