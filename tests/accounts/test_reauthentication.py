"""Changing the e-mail address, the password or two-factor authentication asks for the password
again when it was last confirmed more than five minutes ago."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.accounts.conftest import NEW_PASSWORD, log_in, reauthenticate

pytestmark = pytest.mark.django_db


def make_sign_in_old(client, *, seconds: int = 6 * 60) -> None:
    """Move every sign-in and re-authentication this session remembers `seconds` into the past."""
    session = client.session
    records = session["account_authentication_methods"]
    for record in records:
        record["at"] -= seconds
    session["account_authentication_methods"] = records
    session.save()


def asked_to_reauthenticate(response, url: str) -> bool:
    return response.status_code == 302 and response["Location"] == (
        f"{reverse('account_reauthenticate')}?{urlencode({'next': url})}"
    )


@pytest.mark.parametrize("url_name", ["account_change_password", "account_email", "mfa_deactivate_totp"])
def test_an_old_sign_in_must_confirm_the_password_before_account_changes(client, coordinator, password, url_name):
    url = reverse(url_name)
    log_in(client, coordinator.email, password)
    reauthenticate(client, password)
    assert client.get(url).status_code == 200

    make_sign_in_old(client)

    assert asked_to_reauthenticate(client.get(url), url)


def test_a_password_change_from_an_old_sign_in_is_not_made(client, volunteer, password):
    log_in(client, "volunteer@example.org", password)
    reauthenticate(client, password)
    make_sign_in_old(client)
    url = reverse("account_change_password")

    response = client.post(url, {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert asked_to_reauthenticate(response, url)
    volunteer.user.refresh_from_db()
    assert volunteer.user.check_password(password)


def test_adding_an_email_address_from_an_old_sign_in_is_not_made(client, volunteer, password):
    log_in(client, "volunteer@example.org", password)
    reauthenticate(client, password)
    make_sign_in_old(client)

    response = client.post(reverse("account_email"), {"action_add": "", "email": "takeover@example.org"})

    assert asked_to_reauthenticate(response, reverse("account_email"))
    assert not volunteer.user.emailaddress_set.filter(email="takeover@example.org").exists()


def test_after_confirming_the_password_the_change_goes_through(client, volunteer, password):
    log_in(client, "volunteer@example.org", password)
    url = reverse("account_change_password")
    assert asked_to_reauthenticate(client.get(url), url)

    reauthenticate(client, password)
    response = client.post(url, {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    volunteer.user.refresh_from_db()
    assert volunteer.user.check_password(NEW_PASSWORD)
