"""The demo coordinators and site admin created by `load_demo` can sign in, code included."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from demo.loader import DEMO_PASSWORD, DEMO_TOTP_SECRET, SITE_ADMIN_EMAIL
from tests.accounts.conftest import log_in
from tests.factories import fresh_totp_code

pytestmark = pytest.mark.django_db


def test_demo_coordinators_and_admin_sign_in_with_the_published_password_and_the_printed_code(client):
    output = StringIO()
    call_command("load_demo", volunteers=2, needs=2, seed=1, force=True, stdout=output)
    assert DEMO_TOTP_SECRET in output.getvalue()
    fresh_totp_code(DEMO_TOTP_SECRET, seconds_needed=5)  # wait out the end of a 30 s step if need be
    printed = StringIO()
    call_command("demo_totp_code", stdout=printed, stderr=StringIO())

    response = log_in(client, "demo-coordinator-01@example.org", DEMO_PASSWORD, code=printed.getvalue().strip())

    assert response.status_code == 302
    assert client.get(reverse("programmes:workspace")).status_code == 200
    client.post(reverse("account_logout"))
    response = log_in(
        client, SITE_ADMIN_EMAIL, DEMO_PASSWORD, code=fresh_totp_code(DEMO_TOTP_SECRET), next_url="/admin/"
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
