"""Sign-up and password reset answer the same whether an address has an account or not.

Only the owner of the address learns which it was, from the one e-mail sent to it.
"""

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import NEW_PASSWORD

pytestmark = pytest.mark.django_db

KNOWN = "volunteer@example.org"
UNKNOWN = "nobody.here@example.org"


def visible_answer(client: Client, url: str, data: dict) -> dict:
    """What someone probing an address sees: status, where they are sent, the page they land on,
    and how many e-mails go to the address."""
    sent_before = len(mail.outbox)
    response = client.post(url, data)
    page = client.get(response["Location"]).content.decode() if response.status_code == 302 else ""
    main = page[page.find("<main") : page.find("</main>")]
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        # The CSRF token differs from one request to the next, and the address typed in is echoed
        # back as typed: neither says anything about whether it has an account.
        "page": re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main).replace(data["email"], "ADDRESS"),
        "emails_to_address": [message.to for message in mail.outbox[sent_before:]],
    }


def test_signing_up_with_a_known_address_looks_the_same_as_with_a_new_one(volunteer):
    known = visible_answer(
        Client(), reverse("account_signup"), {"email": KNOWN, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    unknown = visible_answer(
        Client(), reverse("account_signup"), {"email": UNKNOWN, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert known["status"] == unknown["status"] == 302
    assert known["location"] == unknown["location"] == reverse("account_email_verification_sent")
    assert known["page"] == unknown["page"]
    assert known["page"]
    assert known["emails_to_address"] == [[KNOWN]]
    assert unknown["emails_to_address"] == [[UNKNOWN]]
    # The owner of the known address is told someone tried; no second account exists.
    assert "already" in mail.outbox[0].body.lower()
    assert volunteer.user.__class__.objects.filter(email=KNOWN).count() == 1


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting the passwords it hashes: the work that takes a production hasher
    half a second, counted instead of timed."""

    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


def hashes_and_emails(data: dict) -> tuple[int, int]:
    hashed, sent = CountingHasher.hashed, len(mail.outbox)
    Client().post(reverse("account_signup"), data)
    return CountingHasher.hashed - hashed, len(mail.outbox) - sent


def test_signing_up_with_a_known_address_costs_what_a_new_one_does(volunteer, settings):
    # A new account's password is hashed, which is slow on purpose: unless the known address's answer does
    # the same work, a stopwatch tells them apart (bench/signup_timing.py prints both times).
    settings.PASSWORD_HASHERS = ["tests.accounts.test_enumeration.CountingHasher"]

    known = hashes_and_emails({"email": KNOWN, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    unknown = hashes_and_emails({"email": UNKNOWN, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert known == unknown == (1, 1)
    assert volunteer.user.__class__.objects.filter(email=KNOWN).count() == 1


def test_asking_to_reset_the_password_of_a_known_address_looks_the_same_as_of_an_unknown_one(volunteer):
    known = visible_answer(Client(), reverse("account_reset_password"), {"email": KNOWN})
    unknown = visible_answer(Client(), reverse("account_reset_password"), {"email": UNKNOWN})

    assert known["status"] == unknown["status"] == 302
    assert known["location"] == unknown["location"] == reverse("account_reset_password_done")
    assert known["page"] == unknown["page"]
    assert known["page"]
    assert known["emails_to_address"] == [[KNOWN]]
    assert unknown["emails_to_address"] == [[UNKNOWN]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body
