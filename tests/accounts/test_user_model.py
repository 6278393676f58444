"""The custom user: an e-mail address instead of a username."""

import pytest

from globalir.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_model_has_no_username_field():
    assert "username" not in {field.name for field in User._meta.get_fields()}
    assert User.USERNAME_FIELD == "email"


def test_user_is_shown_by_full_name():
    user = UserFactory(first_name="Amina", last_name="Okafor", email="amina@example.org")

    assert str(user) == "Amina Okafor"
    assert user.display_name == "Amina Okafor"


def test_user_without_a_name_is_shown_by_email():
    user = UserFactory(first_name="", last_name="", email="amina.okafor@example.org")

    assert str(user) == "amina.okafor@example.org"
    assert user.display_name == "amina.okafor"


def test_create_user_stores_a_lowercased_email_and_a_hashed_password():
    user = User.objects.create_user(email="Amina.Okafor@Example.ORG", password="a-long-enough-passphrase")

    assert user.email == "amina.okafor@example.org"
    assert user.password != "a-long-enough-passphrase"
    assert user.check_password("a-long-enough-passphrase")
    assert user.is_active
    assert not user.is_staff
    assert not user.is_superuser


def test_create_user_without_password_cannot_log_in_with_one():
    user = User.objects.create_user(email="amina@example.org")

    assert not user.has_usable_password()


def test_create_user_requires_an_email():
    with pytest.raises(ValueError, match="e-mail address is required"):
        User.objects.create_user(email="", password="a-long-enough-passphrase")


def test_create_superuser_is_staff_and_superuser():
    admin = User.objects.create_superuser(email="Admin@Example.org", password="a-long-enough-passphrase")

    assert admin.email == "admin@example.org"
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.check_password("a-long-enough-passphrase")
