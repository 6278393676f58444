"""Failed logins are limited per account and per address, in a cache every process shares, in a way
that lets a browser that has signed in to an account before in whatever others try; the Django admin
has no login form of its own, so the same limits guard it. Refusals of other rate limits get the
site's 429 page."""

import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from globalir.accounts.ratelimits import KNOWN_DEVICE_COOKIE
from tests.accounts.conftest import NEW_PASSWORD, link_in, log_in
from tests.factories import UserFactory, fresh_totp_code

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


# Nobody can lock a known user out (globalir.accounts.ratelimits)


def attack(email: str, times: int) -> Client:
    """Wrong passwords for `email` from a client that never signed in to it."""
    attacker = Client()
    for attempt in range(times):
        log_in(attacker, email, f"wrong-password-{attempt}")
    return attacker


def test_a_browser_that_signed_in_before_gets_in_despite_an_attack_on_the_account(client, volunteer, password):
    assert log_in(client, "volunteer@example.org", password).status_code == 302
    client.post(reverse("account_logout"))
    attacker = attack("volunteer@example.org", 12)
    assert TOO_MANY in log_in(attacker, "volunteer@example.org", password).content.decode()

    response = log_in(client, "volunteer@example.org", password)

    assert response.status_code == 302
    assert response["Location"] == reverse("placements:dashboard")


@pytest.mark.parametrize(("who", "landing"), [("coordinator", "/coordinate/"), ("site_admin", "/admin/")])
def test_a_known_browser_still_needs_and_gets_through_the_authenticator_step(client, request, password, who, landing):
    user = request.getfixturevalue(who)
    assert log_in(client, user.email, password)["Location"] == landing
    client.post(reverse("account_logout"))
    # The attack comes later than a test can wait, and allauth refuses an authenticator code twice.
    cache.clear()
    attack(user.email, 12)

    password_step = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert password_step["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": fresh_totp_code()})

    assert response["Location"] == landing


def test_a_browser_known_to_another_account_is_limited_for_this_one(client, volunteer, other_volunteer, password):
    log_in(client, "other.volunteer@example.org", password)
    client.post(reverse("account_logout"))
    for attempt in range(5):
        log_in(client, "volunteer@example.org", f"wrong-password-{attempt}")

    response = log_in(client, "volunteer@example.org", password)

    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_tampered_known_device_cookie_counts_for_nothing(client, volunteer, password):
    log_in(client, "volunteer@example.org", password)
    client.post(reverse("account_logout"))
    client.cookies[KNOWN_DEVICE_COOKIE] = client.cookies[KNOWN_DEVICE_COOKIE].value + "x"
    attack("volunteer@example.org", 5)

    assert TOO_MANY in log_in(client, "volunteer@example.org", password).content.decode()


def test_a_new_password_forgets_the_browsers_the_account_was_known_on(client, volunteer, password):
    log_in(client, "volunteer@example.org", password)
    client.post(reverse("account_logout"))
    volunteer.user.set_password("a-brand-new-passphrase")
    volunteer.user.save()
    attack("volunteer@example.org", 5)

    assert TOO_MANY in log_in(client, "volunteer@example.org", "a-brand-new-passphrase").content.decode()


def test_a_known_browser_has_tries_of_its_own_that_lock_nobody_else_out(client, volunteer, password):
    log_in(client, "volunteer@example.org", password)
    client.post(reverse("account_logout"))
    for attempt in range(5):
        log_in(client, "volunteer@example.org", f"wrong-password-{attempt}")

    assert TOO_MANY in log_in(client, "volunteer@example.org", password).content.decode()
    assert log_in(Client(), "volunteer@example.org", password).status_code == 302


def test_one_address_gets_ten_failed_logins_a_minute_whatever_the_accounts(client, password):
    accounts = [UserFactory() for _ in range(3)]
    for attempt in range(10):
        response = log_in(client, accounts[attempt % 3].email, f"wrong-password-{attempt}")
        assert WRONG in response.content.decode()

    response = log_in(client, UserFactory(email="untouched@example.org").email, password)

    page = response.content.decode()
    assert TOO_MANY in page
    assert "Too many failed logins came from your network: wait 1\xa0minute." in page


def test_an_attack_on_an_account_is_slowed_further_the_longer_it_goes_on(client, volunteer, password, monkeypatch):
    clock = [time.time()]
    monkeypatch.setattr(time, "time", lambda: clock[0])

    def minutes_later(minutes):
        clock[0] += minutes * 60

    for attempt in range(5):
        assert WRONG in log_in(client, "volunteer@example.org", f"wrong-password-{attempt}").content.decode()
    page = log_in(client, "volunteer@example.org", password).content.decode()
    assert "Wait 5\xa0minutes, or reset your password to sign in straight away." in page

    minutes_later(6)
    for attempt in range(5):
        assert WRONG in log_in(client, "volunteer@example.org", f"wrong-password-{attempt}").content.decode()
    minutes_later(6)
    page = log_in(client, "volunteer@example.org", password).content.decode()
    # Ten failures within the hour: the next try is counted when the first of them is an hour old.
    assert "Wait 48\xa0minutes" in page

    minutes_later(48)
    assert log_in(client, "volunteer@example.org", password).status_code == 302


def test_resetting_the_password_lifts_the_accounts_limit(client, volunteer, password):
    attack("volunteer@example.org", 5)
    client.post(reverse("account_reset_password"), {"email": "volunteer@example.org"})
    reset_link = link_in(mail.outbox[-1], "/accounts/password/reset/key/")
    form = client.get(reset_link, follow=True)
    client.post(form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = log_in(Client(), "volunteer@example.org", NEW_PASSWORD)

    assert response.status_code == 302


# The 429 page


@pytest.mark.parametrize(
    ("url_name", "action", "data"),
    [
        ("account_login", "login", {"login": "volunteer@example.org", "password": "wrong-password"}),
        ("account_signup", "signup", {"email": "not-an-address"}),
        ("account_reset_password", "reset_password", {"email": "volunteer@example.org"}),
    ],
)
def test_a_rate_limited_page_answers_in_the_sites_layout_and_language_with_when_to_retry(
    client, settings, volunteer, url_name, action, data
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, action: "2/m/ip"}
    client.cookies.load({"django_language": "es"})
    for _ in range(2):
        assert client.post(reverse(url_name), data).status_code != 429

    response = client.post(reverse(url_name), data)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert 'class="site-header"' in page
    assert "Tenga paciencia: está enviando demasiadas solicitudes." in page
    assert "1\xa0minuto" in page
    assert "<script" not in page and "style=" not in page


def test_a_limit_that_allows_nothing_still_gets_the_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "0/m/ip"}

    response = client.post(reverse("account_signup"), {"email": "someone@example.org"})

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "You can try again in 1\xa0minute." in response.content.decode()
