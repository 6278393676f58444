"""The language an account reads: set at sign-up, changed under Account or with the switcher, active at login."""

import re

import pytest
from django.urls import reverse

from globalir.accounts.models import User
from tests.accounts.conftest import NEW_PASSWORD, log_in

pytestmark = pytest.mark.django_db

NATIVE_NAMES = {"en": "English", "fr": "Français", "pt": "Português", "es": "Español"}


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.content.decode()).group(1)


def test_a_new_account_reads_the_language_its_sign_up_page_was_shown_in(client):
    client.post(
        reverse("account_signup"),
        {"email": "nova@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9,en;q=0.5",
    )

    assert User.objects.get(email="nova@example.org").language == "pt"


def test_the_language_chosen_with_the_switcher_before_signing_up_is_the_account_s(client):
    client.post(reverse("set_language"), {"language": "es", "next": reverse("account_signup")})

    client.post(
        reverse("account_signup"),
        {"email": "nueva@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert User.objects.get(email="nueva@example.org").language == "es"


def test_at_login_the_account_s_language_becomes_this_browser_s(client, volunteer, password):
    User.objects.filter(pk=volunteer.user.pk).update(language="fr")
    client.cookies.load({"django_language": "en"})

    response = log_in(client, volunteer.user.email, password)

    assert response.cookies["django_language"].value == "fr"
    assert html_lang(client.get(response["Location"])) == "fr"
    client.post(reverse("account_logout"))
    assert html_lang(client.get(reverse("home"))) == "fr"


def test_an_account_without_a_language_takes_the_one_it_logs_in_with(client, volunteer, password):
    User.objects.filter(pk=volunteer.user.pk).update(language="")

    log_in(client, volunteer.user.email, password)

    # Django's test client sends no Accept-Language: the login page was English.
    assert User.objects.get(pk=volunteer.user.pk).language == "en"


def test_a_signed_in_user_reads_their_account_s_language_whatever_the_browser_says(client, volunteer):
    User.objects.filter(pk=volunteer.user.pk).update(language="es")
    client.force_login(volunteer.user)
    client.cookies.load({"django_language": "fr"})

    response = client.get(reverse("placements:dashboard"), HTTP_ACCEPT_LANGUAGE="pt")

    assert html_lang(response) == "es"
    assert response["Content-Language"] == "es"


def test_the_switcher_changes_a_signed_in_user_s_account_and_says_so(client, volunteer):
    User.objects.filter(pk=volunteer.user.pk).update(language="en")
    client.force_login(volunteer.user)

    response = client.post(
        reverse("set_language"), {"language": "pt", "next": reverse("programmes:opportunity-list")}, follow=True
    )

    assert User.objects.get(pk=volunteer.user.pk).language == "pt"
    assert response.redirect_chain[-1][0] == reverse("programmes:opportunity-list")
    assert html_lang(response) == "pt"
    assert "Língua guardada: Português. A partir de agora, o portal e os e-mails que lhe envia usam esta língua." in (
        response.content.decode()
    )


def test_the_switcher_only_sets_the_browser_s_language_for_a_visitor(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"}, follow=True)

    assert html_lang(response) == "fr"
    assert not User.objects.exists()


@pytest.mark.parametrize("language", ["de", "", "xx-yy", "fr\x00"])
def test_a_language_the_portal_does_not_offer_changes_nothing(client, volunteer, language):
    User.objects.filter(pk=volunteer.user.pk).update(language="es")
    client.force_login(volunteer.user)

    response = client.post(reverse("set_language"), {"language": language, "next": "/"})

    assert response.status_code in (302, 400)
    assert User.objects.get(pk=volunteer.user.pk).language == "es"


def test_the_language_page_is_for_signed_in_users(client):
    response = client.get(reverse("account_language"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_language_page_is_in_the_account_menu_and_names_each_language_in_itself(client, volunteer):
    User.objects.filter(pk=volunteer.user.pk).update(language="fr")
    client.force_login(volunteer.user)

    page = client.get(reverse("account_language")).content.decode()

    assert f'href="{reverse("account_language")}" aria-current="page">Langue</a>' in page
    for code, name in NATIVE_NAMES.items():
        assert f'<label for="language-{code}" lang="{code}">{name}</label>' in page
    assert re.search(r'<input type="radio" name="language" value="fr" id="language-fr"\s+checked>', page)
    assert f'action="{reverse("set_language")}"' in page


def test_choosing_a_language_on_the_language_page_saves_it_and_comes_back(client, volunteer):
    client.force_login(volunteer.user)

    response = client.post(
        reverse("set_language"), {"language": "es", "next": reverse("account_language")}, follow=True
    )

    assert User.objects.get(pk=volunteer.user.pk).language == "es"
    assert response.redirect_chain[-1][0] == reverse("account_language")
    assert "<h1>Idioma</h1>" in response.content.decode()


@pytest.mark.parametrize(
    "language, button",
    [("en", "Change"), ("fr", "Changer"), ("es", "Cambiar"), ("pt", "Mudar")],
)
def test_the_switcher_reads_right_in_every_language(client, language, button):
    client.cookies.load({"django_language": language})

    page = client.get(reverse("home")).content.decode()

    footer = page[page.index('class="language-form"') :]
    assert f'<button type="submit" class="button button-small">{button}</button>' in footer
    # Every language is named in itself, so that whoever cannot read this one finds theirs.
    for code, name in NATIVE_NAMES.items():
        assert re.search(rf'<option value="{code}" lang="{code}"( selected)?>{name}</option>', footer)
    assert f'<option value="{language}" lang="{language}" selected>' in footer
