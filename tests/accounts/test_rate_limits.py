"""Failed logins are limited per account and per address, in a cache every process shares; the
Django admin has no login form of its own, so the same limits guard it."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.accounts.conftest import log_in

pytestmark = pytest.mark.django_db

WRONG = "The e-mail address or the password is not correct."
TOO_MANY = "Too many failed login attempts. Try again later."


def test_rate_limits_are_counted_in_a_cache_shared_by_every_process():
    # A local-memory cache would give each gunicorn worker its own count: five tries per worker.
    assert settings.CACHES["default"]["BACKEND"] in {
        "django.core.cache.backends.redis.RedisCache",
        "django.core.cache.backends.db.DatabaseCache",
    }


def test_the_sixth_failed_login_for_one_account_within_five_minutes_is_refused(client, volunteer, password):
    for attempt in range(5):
        response = log_in(client, "volunteer@example.org", f"wrong-password-{attempt}")
        assert WRONG in response.content.decode()

    # Even the right password is refused now: the limit holds whatever is typed.
    response = log_in(client, "volunteer@example.org", password)

    page = response.content.decode()
    assert response.status_code == 200
    assert TOO_MANY in page
    assert not response.context["user"].is_authenticated
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_account_another_one_still_logs_in(client, volunteer, other_volunteer, password):
    for attempt in range(5):
        log_in(client, "volunteer@example.org", f"wrong-password-{attempt}")

    response = log_in(client, "other.volunteer@example.org", password)

    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == other_volunteer.user


def test_posting_credentials_to_the_admin_login_does_not_sign_in(client, site_admin, password):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": site_admin.email, "password": password, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_sends_visitors_to_the_sites_login_page(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == f"{reverse('account_login')}?next=%2Fadmin%2F"
    assert response.context["form"].__class__.__name__ == "LoginForm"


def test_a_site_admin_reaches_the_admin_by_logging_in_through_the_sites_login(client, site_admin, password):
    response = log_in(client, site_admin.email, password, next_url="/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_user_who_is_not_staff_is_refused_the_admin_login(client, volunteer):
    client.force_login(volunteer.user)

    assert client.get("/admin/login/").status_code == 403
