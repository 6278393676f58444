"""Sign-up by e-mail and password, then mandatory confirmation by a link sent by e-mail."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from globalir.accounts.models import User
from tests.accounts.conftest import NEW_PASSWORD, link_in

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "New.Volunteer@Example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}


def sign_up(client, **overrides):
    return client.post(reverse("account_signup"), {**SIGNUP, **overrides})


def confirmation_path():
    assert len(mail.outbox) == 1
    return link_in(mail.outbox[0], "/accounts/confirm-email/")


def test_signup_page_asks_for_email_and_password_only(client):
    response = client.get(reverse("account_signup"))

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {"email", "password1", "password2"}
    assert "username" not in response.content.decode()


def test_signup_creates_an_unverified_user_without_username_and_sends_one_confirmation(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert user.email == "new.volunteer@example.org"
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.email == "new.volunteer@example.org"
    assert not address.verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.volunteer@example.org"]
    assert message.subject.startswith("[GlobalIR] ")
    assert "Hello from GlobalIR!" in message.body
    assert "/accounts/confirm-email/" in message.body


def test_signup_does_not_log_the_user_in(client):
    sign_up(client)

    response = client.get(reverse("home"))
    assert not response.context["user"].is_authenticated


def test_unconfirmed_user_cannot_log_in_and_is_told_to_check_their_email(client):
    sign_up(client)
    client.logout()

    response = client.post(reverse("account_login"), {"login": SIGNUP["email"], "password": NEW_PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert not response.context["user"].is_authenticated
    assert "Check your e-mail" in response.content.decode()


def test_confirmation_link_shows_a_confirm_button_and_get_alone_confirms_nothing(client):
    sign_up(client)
    path = confirmation_path()

    response = client.get(path)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Confirm your e-mail address" in page
    # allauth signs the form's key anew, with the current time: it may differ from the e-mail's by a second.
    assert re.search(r'action="/accounts/confirm-email/[^"/]+/"', page)
    assert not EmailAddress.objects.get().verified


def test_posting_the_confirmation_verifies_the_address_and_logs_the_user_in(client):
    sign_up(client)
    path = confirmation_path()

    response = client.post(path)

    assert response.status_code == 302
    assert EmailAddress.objects.get().verified
    assert client.get(reverse("home")).context["user"].email == "new.volunteer@example.org"


def test_confirmed_user_can_log_in_again_after_logging_out(client):
    sign_up(client)
    path = confirmation_path()
    client.post(path)
    client.logout()

    response = client.post(reverse("account_login"), {"login": "new.volunteer@example.org", "password": NEW_PASSWORD})

    assert response.status_code == 302
    # Not onboarded yet: back to the profile wizard.
    assert response["Location"] == reverse("volunteers:onboarding")
    assert client.get(reverse("home")).context["user"].is_authenticated


def test_confirming_from_another_browser_asks_the_user_to_log_in(client):
    sign_up(client)
    path = confirmation_path()
    other_browser = Client()

    response = other_browser.post(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert EmailAddress.objects.get().verified
    assert not other_browser.get(reverse("home")).context["user"].is_authenticated


def test_unknown_confirmation_link_says_it_expired_or_is_invalid(client):
    response = client.get(reverse("account_confirm_email", kwargs={"key": "not-a-real-key"}))

    assert response.status_code == 200
    assert "This confirmation link has expired or has been used already." in response.content.decode()


def test_signup_with_an_existing_email_creates_no_second_user_and_warns_the_owner(client, volunteer):
    response = sign_up(client, email="Volunteer@Example.org")

    # allauth does not reveal that the address is taken: same redirect as a real sign-up...
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="volunteer@example.org").count() == 1
    assert User.objects.count() == 1
    # ...but the owner hears about it, with a way back into their account.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["volunteer@example.org"]
    assert "/accounts/password/reset/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "short", "password2": "short"}, "password1"),
    ],
)
def test_invalid_signup_shows_the_error_and_creates_nobody(client, overrides, field):
    response = sign_up(client, **overrides)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="errorlist' in response.content.decode()
    assert not User.objects.exists()
    assert not mail.outbox
