"""The account pages and e-mails speak in the portal's voice, not allauth's defaults: "e-mail", sentence-case
titles, headings, labels and buttons, a real address to write to where they send people for help, and British
dates."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation

from tests.accounts.conftest import NEW_PASSWORD, link_in, reauthenticate
from tests.factories import NeedFactory, enrol_in_mfa

pytestmark = pytest.mark.django_db

CONTACT = "help@globalir.example.org"
# Words that keep their capital inside a sentence-case title.
PROPER = {"GlobalIR", "QR", "IP"}
NAMED = {"h1", "h2", "title", "label", "button", "th"}


class Page(HTMLParser):
    """What a reader sees of a page's main content: its text, and the titles, headings, labels and buttons."""

    def __init__(self, html: str):
        super().__init__()
        self.text: list[str] = []
        self.named: list[tuple[str, str]] = []
        self._open: list[list] = []
        self._skip = 0
        self._in_main = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "main":
            self._in_main = True
        if tag in {"script", "style"}:
            self._skip += 1
        # A badge ("Confirmed", "Primary") is a title of its own inside the label of an e-mail address.
        badge = tag == "span" and "badge" in (attributes.get("class") or "")
        if badge or (tag in NAMED and (self._in_main or tag == "title")):
            self._open.append([tag, ""])
        for name in ("placeholder", "title", "alt", "aria-label"):
            if attributes.get(name) and self._in_main:
                self.text.append(attributes[name])

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main = False
        if tag in {"script", "style"}:
            self._skip -= 1
        if self._open and self._open[-1][0] == tag:  # the elements named here never nest in themselves
            name, text = self._open.pop()
            self.named.append((name, " ".join(text.split())))

    def handle_data(self, data):
        if self._skip:
            return
        if self._in_main:
            self.text.append(data)
        if self._open:
            self._open[-1][1] += data

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def says_email(text: str) -> bool:
    """Whether the words of ``text`` (its links left out: /accounts/confirm-email/ is a path) say "email"."""
    return bool(re.search(r"\bemail\b", re.sub(r"https?://\S+", "", text), re.I))


def not_sentence_case(text: str) -> bool:
    text = text.removesuffix(" · GlobalIR").rstrip(":")
    later_words = re.findall(r"[\w-]+", text)[1:]
    return any(word[0].isupper() and word not in PROPER for word in later_words)


def problems(html: str) -> list[str]:
    page = Page(html)
    found = [f"says “email”: …{match.group(0)}…" for match in re.finditer(r".{0,40}\bemail\b.{0,40}", page.words, re.I)]
    found += [f"“contact us” without an address: {page.words}" for _ in re.finditer(r"contact us", page.words, re.I)]
    found += [f"{tag} not in sentence case: {text!r}" for tag, text in page.named if not_sentence_case(text)]
    return found


@pytest.fixture(autouse=True)
def english_and_a_contact_address(settings):
    settings.CONTACT_EMAIL = CONTACT
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def enrolled(volunteer):
    """A volunteer who chose two-factor authentication: an authenticator app and recovery codes."""
    enrol_in_mfa(volunteer.user)
    RecoveryCodes.activate(volunteer.user)
    return volunteer.user


def reset_link(client, user) -> str:
    client.post(reverse("account_reset_password"), {"email": user.email})
    path = link_in(mail.outbox[-1], "/accounts/password/reset/key/")
    return client.get(path, follow=True).redirect_chain[-1][0]


ENTRANCE_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_inactive",
]


@pytest.mark.parametrize("url_name", ENTRANCE_PAGES)
def test_the_pages_before_logging_in_speak_in_the_portals_voice(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert problems(response.content.decode()) == []


def test_a_wrong_password_is_told_in_the_portals_voice(client, volunteer):
    response = client.post(reverse("account_login"), {"login": volunteer.user.email, "password": "not-it"})

    page = response.content.decode()
    assert "The e-mail address or the password is not correct." in page
    assert problems(page) == []


def test_the_login_form_is_labelled_in_the_portals_voice(client):
    page = Page(client.get(reverse("account_login")).content.decode())

    labels = [text for tag, text in page.named if tag == "label"]
    assert labels == ["E-mail address:", "Password:", "Keep me logged in on this device"]
    assert "Forgotten your password?" in page.words


def test_the_confirmation_and_reset_links_lead_to_pages_in_the_portals_voice(client, volunteer):
    client.post(
        reverse("account_signup"), {"email": "new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    confirm = link_in(mail.outbox[-1], "/accounts/confirm-email/")

    pages = {
        "confirm": client.get(confirm),
        "expired confirmation": client.get(reverse("account_confirm_email", args=["not-a-key"])),
        "reset": client.get(reset_link(client, volunteer.user)),
        "expired reset": client.get(reverse("account_reset_password_from_key", args=["xx", "set-password"])),
    }

    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(pages, 200)
    assert {name: problems(response.content.decode()) for name, response in pages.items()} == dict.fromkeys(pages, [])
    assert "Confirm your e-mail address" in pages["confirm"].content.decode()
    assert "Choose a new password" in pages["reset"].content.decode()
    assert "This link does not work" in pages["expired reset"].content.decode()


MANAGEMENT_PAGES = [
    "account_email",
    "account_change_password",
    "account_logout",
    "account_reauthenticate",
    "mfa_index",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_reauthenticate",
    "usersessions_list",
]


@pytest.mark.parametrize("url_name", MANAGEMENT_PAGES)
def test_the_account_pages_speak_in_the_portals_voice(client, enrolled, password, url_name):
    client.force_login(enrolled)
    reauthenticate(client, password)

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert problems(response.content.decode()) == []


def test_setting_up_an_authenticator_app_speaks_in_the_portals_voice(client, volunteer, password):
    client.force_login(volunteer.user)
    reauthenticate(client, password)

    page = client.get(reverse("mfa_activate_totp")).content.decode()

    assert "Set up an authenticator app" in page
    assert problems(page) == []


def test_the_messages_after_an_action_speak_in_the_portals_voice(client, volunteer, password):
    client.force_login(volunteer.user)
    reauthenticate(client, password)

    sent = client.post(reverse("account_email"), {"email": volunteer.user.email, "action_send": ""}, follow=True)
    changed = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    logged_out = client.post(reverse("account_logout"), follow=True)

    assert f"We have sent a confirmation e-mail to {volunteer.user.email}." in sent.content.decode()
    assert "Your password has been changed." in changed.content.decode()
    assert "You have logged out." in logged_out.content.decode()
    assert [problems(response.content.decode()) for response in (sent, changed, logged_out)] == [[], [], []]


@pytest.mark.parametrize(
    "url_name",
    ["account_email_verification_sent", "account_reset_password", "account_reset_password_done", "account_inactive"],
)
def test_the_pages_that_send_people_for_help_give_a_real_address(client, url_name):
    page = client.get(reverse(url_name)).content.decode()

    assert f'<a href="mailto:{CONTACT}">{CONTACT}</a>' in page


def test_without_a_contact_address_the_pages_promise_none(client, settings):
    settings.CONTACT_EMAIL = ""

    page = client.get(reverse("account_email_verification_sent")).content.decode()

    assert "mailto:" not in page
    assert problems(page) == []


def emails_sent(client, volunteer) -> list:
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.post(
        reverse("account_signup"),
        {"email": volunteer.user.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    client.post(reverse("account_reset_password"), {"email": volunteer.user.email})
    return mail.outbox


def test_allauths_emails_speak_in_the_portals_voice(client, volunteer):
    messages = emails_sent(client, volunteer)

    assert [message.subject for message in messages] == [
        "[GlobalIR] Confirm your e-mail address",
        "[GlobalIR] You already have an account",
        "[GlobalIR] No account with this address",
        "[GlobalIR] Reset your password",
    ]
    for message in messages:
        assert not says_email(message.subject + message.body), message.body
        assert "Hello from GlobalIR!" in message.body


# allauth sends these only with ACCOUNT_EMAIL_NOTIFICATIONS, which the portal leaves off: should it be turned
# on, they are in the portal's voice too.
NOTIFICATIONS = [
    "account/email/email_changed",
    "account/email/email_confirm",
    "account/email/email_deleted",
    "account/email/password_changed",
    "account/email/password_reset",
    "account/email/password_set",
    "mfa/email/recovery_codes_generated",
    "mfa/email/totp_activated",
    "mfa/email/totp_deactivated",
]


@pytest.mark.parametrize("template", NOTIFICATIONS)
def test_allauths_notification_emails_would_speak_in_the_portals_voice(template):
    context = {
        "site_url": "https://globalir.example.org",
        "contact_email": CONTACT,
        "from_email": "old@example.org",
        "to_email": "new@example.org",
        "deleted_email": "old@example.org",
        "ip": "192.0.2.1",
        "user_agent": "Firefox",
        "timestamp": datetime.datetime(2026, 12, 7, 14, 30, tzinfo=datetime.UTC),
    }

    with translation.override("en"):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_message.txt", context)

    assert not not_sentence_case(subject), subject
    assert not says_email(subject + body), body
    assert f"You can also write to {CONTACT}." in body
    assert "7 December 2026, 14:30" in body


def test_english_dates_are_british():
    day = datetime.date(2026, 12, 7)
    moment = datetime.datetime(2026, 12, 7, 14, 30, tzinfo=datetime.UTC)

    with translation.override("en"):
        assert formats.date_format(day) == "7 December 2026"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "7 December 2026, 14:30"
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "07/12/2026"
    with translation.override("fr"):
        assert formats.date_format(day) == "7 décembre 2026"


def test_a_page_shows_its_dates_the_british_way(client):
    need = NeedFactory(window_start=datetime.date(2031, 3, 2), window_end=datetime.date(2031, 5, 30))

    page = client.get(need.get_absolute_url()).content.decode()

    assert "2 March 2031" in page
    assert "March 2, 2031" not in page
