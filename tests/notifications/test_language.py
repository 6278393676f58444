"""Every e-mail is written in its reader's language, whoever caused it and whatever language they read."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from notifications import services
from notifications.models import NotificationPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OFFER_CONTEXT = {
    "need_title": "IR faculty for embolisation training",
    "programme_title": "Maputo IR fellowship",
    "organisation_name": "Road to IR Test Partners",
    "start": "2027-03-01",
    "end": "2027-04-30",
    "dashboard_url": "http://127.0.0.1:8000/dashboard/",
}


def send(**kwargs):
    with transaction.atomic():
        return services.notify(**kwargs)


def test_an_offer_e_mail_to_a_portuguese_reader_is_in_portuguese_whatever_language_caused_it(
    mailoutbox, django_capture_on_commit_callbacks
):
    reader = UserFactory(email="leitora@example.org", first_name="Ana", last_name="Machava", language="pt")

    # The coordinator who made the offer reads French: the e-mail is still the reader's.
    with translation.override("fr"):
        with django_capture_on_commit_callbacks(execute=True):
            send(kind="offer_made", event_key="offer-made:1", recipient=reader, context=OFFER_CONTEXT)
        # The language of the page that sent it is back in force afterwards.
        assert translation.get_language() == "fr"

    message = mailoutbox[0]
    assert message.subject == "[GlobalIR] Foi-lhe proposta uma vaga: “IR faculty for embolisation training”"
    assert message.body.startswith("Olá, Ana Machava,")
    assert (
        "Road to IR Test Partners propõe-lhe uma vaga em “IR faculty for embolisation training” "
        "(Maputo IR fellowship), de 1 de Março de 2027 a 30 de Abril de 2027." in message.body
    )
    assert "Aceite ou recuse a proposta no seu painel:" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="pt">' in html
    assert "Aceite ou recuse a proposta no seu painel" in html
    assert "1 de Março de 2027" in html


def test_a_date_a_caller_formatted_already_is_shown_as_given(mailoutbox, django_capture_on_commit_callbacks):
    reader = UserFactory(first_name="Ana", last_name="Machava", language="pt")

    with django_capture_on_commit_callbacks(execute=True):
        send(
            kind="offer_made",
            event_key="offer-made:2",
            recipient=reader,
            context={**OFFER_CONTEXT, "start": "1 March 2027", "end": "30 April 2027"},
        )

    assert "de 1 March 2027 a 30 April 2027." in mailoutbox[0].body


def test_a_reader_who_has_no_language_yet_reads_english(mailoutbox, django_capture_on_commit_callbacks):
    reader = UserFactory(first_name="Ana", last_name="Machava", language="")

    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        send(kind="offer_made", event_key="offer-made:3", recipient=reader, context=OFFER_CONTEXT)

    assert mailoutbox[0].subject == "[GlobalIR] You are offered a place: “IR faculty for embolisation training”"
    assert "from 1 March 2027 to 30 April 2027." in mailoutbox[0].body


INVITATION_CONTEXT = {
    "organisation_name": "Hospital Central de Maputo",
    "invited_by_name": "Dr Joana Sitoe",
    "role_label": "Programme coordinator",
    "accept_url": "http://127.0.0.1:8000/organisations/invitations/abc/",
    "expires_on": "2027-01-15",
}


def test_an_invitation_to_an_address_without_an_account_is_in_the_language_of_whoever_sent_it(
    mailoutbox, django_capture_on_commit_callbacks
):
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        send(kind="invitation", event_key="invitation:1", email="nueva@example.org", context=INVITATION_CONTEXT)

    message = mailoutbox[0]
    assert message.subject == "[GlobalIR] Invitación para unirse a Hospital Central de Maputo en GlobalIR"
    assert "como: Coordinador de programa." in message.body
    assert "15 de enero de 2027" in message.body


def test_an_invitation_to_the_address_of_an_account_is_in_that_account_s_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="existente@example.org", language="pt")

    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        send(kind="invitation", event_key="invitation:2", email="Existente@example.org", context=INVITATION_CONTEXT)

    assert mailoutbox[0].subject == "[GlobalIR] Convite para integrar Hospital Central de Maputo no GlobalIR"
    assert "com a função: Coordenador de programa." in " ".join(mailoutbox[0].body.split())
    assert "15 de Janeiro de 2027" in mailoutbox[0].body


def test_allauth_s_e_mails_are_in_the_account_s_language_not_the_browser_s(client, mailoutbox):
    UserFactory(email="leitora@example.org", language="pt")
    client.cookies.load({"django_language": "en"})

    response = client.post(reverse("account_reset_password"), {"email": "leitora@example.org"})

    assert response.status_code == 302
    message = mailoutbox[0]
    assert message.subject == "[GlobalIR] Redefinir a sua senha"
    assert message.body.startswith("Saudações de GlobalIR!")
    assert "pediu para redefinir a senha da sua conta do GlobalIR" in message.body
    # The page the visitor sees stays in the browser's language.
    assert client.get(response["Location"]).content.decode().count('<html lang="en">') == 1


def test_allauth_s_e_mail_to_an_unknown_address_is_in_the_language_of_the_page_that_asked(client, mailoutbox):
    client.cookies.load({"django_language": "fr"})

    client.post(reverse("account_reset_password"), {"email": "inconnu@example.org"})

    assert mailoutbox[0].subject == "[GlobalIR] Aucun compte avec cette adresse"


def test_a_weekly_digest_recorded_in_english_reads_in_french(mailoutbox, django_capture_on_commit_callbacks):
    """The digest is recorded by a nightly task, in the portal's default language; it is read in the reader's."""
    reader = UserFactory(first_name="Awa", last_name="Diallo", language="fr")
    NotificationPreference.objects.create(user=reader, weekly_digest=True)
    need = {
        "title": "Lecture de scanners à distance",
        "organisation": "Partenaires de Dakar",
        "where": "Remote",
        "mode": "Remote",
        "window_start": "2027-03-01",
        "window_end": "2027-04-30",
        "deadline": "2027-02-01",
        "url": "http://127.0.0.1:8000/opportunities/1/",
    }
    context = {"count": 1, "opportunities_url": "http://127.0.0.1:8000/opportunities/", "needs": [need]}

    with django_capture_on_commit_callbacks(execute=True):
        send(kind="weekly_digest", event_key="digest:1", recipient=reader, context=context)

    body = mailoutbox[0].body
    assert "Partenaires de Dakar · À distance" in body
    assert "Du 1 mars 2027 au 30 avril 2027" in body
    assert "1 février 2027" in body
