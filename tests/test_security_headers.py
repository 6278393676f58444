"""Security headers on public and private pages, and Django's deployment checklist.

Every page is requested over HTTPS (as production serves it) and must carry HSTS for a year with
subdomains, a Content-Security-Policy that runs no inline script or style, nosniff, frame DENY and a
Referrer-Policy. Pages with personal data must also forbid caching (`Cache-Control: no-store`), so
that a shared computer's back button or a proxy never hands them to the next person.
"""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicationFactory, CredentialFactory, NeedFactory, PlacementFactory

pytestmark = pytest.mark.django_db

REQUIRED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}
ONE_YEAR = 365 * 24 * 3600
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def csp_directives(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def assert_security_headers(response) -> None:
    hsts = response.headers.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age and int(max_age.group(1)) >= ONE_YEAR, hsts
    assert "includeSubDomains" in hsts

    csp = csp_directives(response.headers["Content-Security-Policy"])
    for directive, sources in REQUIRED_CSP.items():
        assert csp.get(directive) == sources, (directive, csp.get(directive))
    allowed = set().union(*csp.values())
    assert not allowed & {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"}, allowed

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin-when-cross-origin"}


def cache_directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.headers.get("Cache-Control", "").split(",") if part}


@pytest.fixture
def volunteer_with_history(volunteer, organisation):
    """A volunteer with an application, a placement and a credential document at `organisation`."""
    need = NeedFactory(programme__lead_organisation=organisation)
    ApplicationFactory(volunteer=volunteer, need=need)
    PlacementFactory(application__volunteer=volunteer, application__need__programme__lead_organisation=organisation)
    credential = CredentialFactory(profile=volunteer, document=SimpleUploadedFile("licence.pdf", PDF))
    return volunteer, need, credential


@pytest.mark.parametrize(
    "url",
    [reverse("home"), reverse("programmes:opportunity-list"), reverse("organisations:organisation-list")],
)
def test_public_pages_carry_the_security_headers_and_may_be_cached(client, url):
    response = client.get(url, secure=True)

    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" not in cache_directives(response)


def test_the_login_page_carries_the_security_headers_and_is_never_stored(client):
    response = client.get(reverse("account_login"), secure=True)

    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in cache_directives(response)


def test_every_page_of_a_signed_in_volunteer_is_never_stored(client, volunteer_with_history):
    volunteer, need, credential = volunteer_with_history
    client.force_login(volunteer.user)
    private_pages = [
        reverse("placements:dashboard"),
        reverse("volunteers:profile"),
        reverse("volunteers:credentials"),
        reverse("placements:placement-record"),
        reverse("placements:credential-document", args=[credential.pk]),
        reverse("privacy:data-export"),
        # Public pages too: seen signed in they show the volunteer's name and their own status.
        reverse("home"),
        reverse("programmes:need-detail", args=[need.pk]),
    ]

    for url in private_pages:
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert "no-store" in cache_directives(response), url


def test_the_calendar_feed_reached_with_its_token_is_never_stored(client, volunteer_with_history):
    volunteer, _need, _credential = volunteer_with_history

    response = client.get(reverse("placements:calendar-feed"), {"token": volunteer.calendar_token}, secure=True)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert_security_headers(response)
    assert "no-store" in cache_directives(response)


def test_every_page_of_a_coordinator_is_never_stored(client, coordinator, volunteer_with_history):
    _volunteer, need, _credential = volunteer_with_history
    client.force_login(coordinator)

    for url in [reverse("programmes:workspace"), reverse("placements:pipeline", args=[need.pk])]:
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert "no-store" in cache_directives(response), url


def test_a_failed_csrf_check_gets_the_portals_page_without_inline_style():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("account_login"), {"login": "someone@example.org"}, secure=True)

    assert response.status_code == 403
    content = response.content.decode()
    assert "Your form could not be sent" in content
    assert "<style" not in content and "style=" not in content
    assert_security_headers(response)


# The deployment checklist, as CI runs it (`make check-deploy`): production settings, in a process of its own.


def run_deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        # What development and the tests relax is left to its production default.
        if key not in {"DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"}
        and key not in {"SECURE_HSTS_SECONDS", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="globalir.example.org", **overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_checklist_passes_with_production_settings():
    result = run_deploy_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checklist_fails_without_hsts():
    # The same run with HSTS switched off must fail: the check above is not passing by accident.
    result = run_deploy_check(SECURE_HSTS_SECONDS="0")

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
