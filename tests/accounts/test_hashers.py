"""Passwords hashed at a lower scheduling priority (globalir.accounts.hashers): Django's PBKDF2, unchanged."""

import os
import threading

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from globalir.accounts import hashers
from globalir.accounts.hashers import LowPriorityPBKDF2PasswordHasher
from tests.factories import UserFactory

PRODUCTION_HASHERS = ["globalir.accounts.hashers.LowPriorityPBKDF2PasswordHasher"]


def test_a_password_hashed_by_djangos_pbkdf2_verifies_and_the_reverse():
    ours, djangos = LowPriorityPBKDF2PasswordHasher(), PBKDF2PasswordHasher()

    stored_by_django = djangos.encode("correct horse", "saltsaltsalt", iterations=1000)
    stored_by_ours = ours.encode("correct horse", "saltsaltsalt", iterations=1000)

    assert stored_by_ours == stored_by_django
    assert ours.verify("correct horse", stored_by_django)
    assert djangos.verify("correct horse", stored_by_ours)
    assert not ours.verify("wrong horse", stored_by_django)


def test_the_hash_is_computed_at_a_lower_priority_than_the_request():
    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    assert hashers._hashing_pool().submit(niceness).result() == min(19, niceness() + hashers.HASHING_NICENESS)


@pytest.mark.django_db
def test_a_volunteer_signs_in_with_the_production_hasher(client, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = UserFactory(email="amani@example.org")
    user.set_password("a long enough password")
    user.save()
    assert user.password.startswith("pbkdf2_sha256$")

    assert client.login(email="amani@example.org", password="a long enough password")
    client.logout()
    assert not client.login(email="amani@example.org", password="not the password")
