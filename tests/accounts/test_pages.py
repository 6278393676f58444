"""Account pages use the site's layout, carry no inline script, and follow the chosen language."""

import pytest
from django.urls import reverse

from tests.accounts.conftest import reauthenticate

pytestmark = pytest.mark.django_db

ENTRANCE_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]


@pytest.mark.parametrize("url_name", ENTRANCE_PAGES)
def test_account_pages_use_the_site_layout_without_inline_script(client, url_name):
    response = client.get(reverse(url_name))

    page = response.content.decode()
    assert response.status_code == 200
    assert "base.html" in [template.name for template in response.templates]
    assert 'class="site-header"' in page
    assert page.count("<h1") == 1
    assert "<script" not in page
    assert " · GlobalIR</title>" in page


MANAGEMENT_PAGES = [
    "account_change_password",
    "account_email",
    "account_logout",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "usersessions_list",
]


@pytest.mark.parametrize("url_name", MANAGEMENT_PAGES)
def test_account_management_pages_use_the_site_layout_without_inline_script(client, volunteer, password, url_name):
    client.force_login(volunteer.user)
    reauthenticate(client, password)

    response = client.get(reverse(url_name))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in page
    assert "<script" not in page


def test_form_fields_are_labelled(client):
    page = client.get(reverse("account_signup")).content.decode()

    for field_id in ("id_email", "id_password1", "id_password2"):
        assert f'<label for="{field_id}">' in page


@pytest.mark.parametrize(("language", "expected"), [("fr", "Mot de passe"), ("es", "Contraseña")])
def test_login_page_follows_the_chosen_language(client, language, expected):
    client.cookies.load({"django_language": language})

    response = client.get(reverse("account_login"))

    assert f'<html lang="{language}">' in response.content.decode()
    assert expected in response.content.decode()
