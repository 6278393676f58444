"""Security events: every login and failed login, every refused access to an object and every change of
site role is recorded once, with who, when and what; nothing secret is kept, in the events or in the logs.
"""

import datetime
import logging
import re
import runpy
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from globalir.accounts.models import AuditEvent, User
from globalir.accounts.tasks import prune_security_events
from globalir.privacy import account_erase
from organisations.models import Membership
from organisations.services import invitation_create
from tests.factories import (
    PASSWORD,
    CredentialFactory,
    UserFactory,
    VolunteerProfileFactory,
    enrol_in_mfa,
    fresh_totp_code,
    totp_code,
)

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
LOGIN_URL = reverse("account_login")


def log_in(client, email, password):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("pk"))


# Logins


def test_a_login_is_recorded_once_with_who_when_and_from_where(client, volunteer):
    before = timezone.now()

    response = log_in(client, "volunteer@example.org", PASSWORD)

    assert response.status_code == 302
    [event] = events(Kind.LOGIN_SUCCEEDED)
    assert event.actor == volunteer.user
    assert event.created_at >= before
    assert event.ip_address == "127.0.0.1"
    assert event.path == LOGIN_URL
    assert not events(Kind.LOGIN_FAILED)


def test_a_wrong_password_is_recorded_once_with_the_account_tried_and_never_the_password(client, volunteer):
    response = log_in(client, "  Volunteer@Example.ORG ", "not-my-password-at-all")

    assert response.status_code == 200  # the form again, with its error
    [event] = events(Kind.LOGIN_FAILED)
    assert event.actor == volunteer.user
    assert event.email == "volunteer@example.org"
    assert event.what == "wrong password or unknown account"
    assert not events(Kind.LOGIN_SUCCEEDED)
    stored = AuditEvent.objects.values().get()
    assert all("not-my-password-at-all" not in str(value) for value in stored.values())


def test_a_login_with_an_unknown_address_is_recorded_with_the_address_only(client):
    log_in(client, "Nobody@Example.org", "whatever-password")

    [event] = events(Kind.LOGIN_FAILED)
    assert event.actor is None
    assert event.email == "nobody@example.org"


def test_the_login_refused_for_too_many_attempts_is_recorded_too(client, volunteer):
    for _attempt in range(6):
        log_in(client, "volunteer@example.org", "wrong-password-again")

    failures = events(Kind.LOGIN_FAILED)
    assert len(failures) == 6
    assert [event.what for event in failures].count("too many attempts") == 1
    assert all(event.actor == volunteer.user for event in failures)


def test_confirming_the_address_logs_in_once_and_the_key_is_not_kept(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "new.volunteer@example.org",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body).group(1)
    key = path.rstrip("/").rsplit("/", 1)[1]

    client.post(path)

    [event] = events(Kind.LOGIN_SUCCEEDED)
    assert event.actor == User.objects.get(email="new.volunteer@example.org")
    assert key not in event.path
    assert event.path == "/accounts/confirm-email/[hidden]/"


def test_a_login_with_a_second_factor_is_recorded_once_when_the_code_is_right(client, volunteer):
    enrol_in_mfa(volunteer.user)
    code = fresh_totp_code()
    wrong_code = totp_code(at=time.time() - 3600)

    password_step = log_in(client, "volunteer@example.org", PASSWORD)
    assert password_step["Location"] == reverse("mfa_authenticate")
    assert not events(Kind.LOGIN_SUCCEEDED)  # not logged in yet
    client.post(reverse("mfa_authenticate"), {"code": wrong_code})
    client.post(reverse("mfa_authenticate"), {"code": code})

    [failure] = events(Kind.LOGIN_FAILED)
    assert failure.actor == volunteer.user
    assert failure.what == "wrong second-factor code"
    [success] = events(Kind.LOGIN_SUCCEEDED)
    assert success.actor == volunteer.user
    assert success.path == reverse("mfa_authenticate")


# Refused access


def test_opening_someone_elses_document_is_recorded_once_as_refused(client, volunteer, other_volunteer):
    credential = CredentialFactory(profile=volunteer)
    client.force_login(other_volunteer.user)
    url = reverse("placements:credential-document", args=[credential.pk])

    response = client.get(url)

    assert response.status_code == 404  # the view raised Http404: the middleware saw the response
    [event] = events(Kind.ACCESS_REFUSED)
    assert event.actor == other_volunteer.user
    assert event.status_code == 404
    assert event.path == url
    assert event.what == f"placements:credential-document pk={credential.pk}"


def test_an_anonymous_visitor_refused_an_object_is_recorded_without_a_user(client):
    response = client.get(reverse("organisations:organisation-detail", args=["no-such-organisation"]))

    assert response.status_code == 404
    [event] = events(Kind.ACCESS_REFUSED)
    assert event.actor is None
    assert event.what == "organisations:organisation-detail slug=no-such-organisation"


def test_a_coordinator_refused_an_admin_page_is_recorded_with_403(client, coordinator, organisation):
    client.force_login(coordinator)

    response = client.get(reverse("organisations:member-list", args=[organisation.slug]))

    assert response.status_code == 403  # PermissionDenied raised by the access helper
    [event] = events(Kind.ACCESS_REFUSED)
    assert (event.actor, event.status_code) == (coordinator, 403)


def test_an_invitation_refused_to_the_wrong_person_is_recorded_without_its_token(
    client, organisation, organisation_admin, volunteer
):
    _invitation, token = invitation_create(
        organisation=organisation,
        email="someone.else@example.org",
        role=Membership.Role.COORDINATOR,
        by=organisation_admin,
    )
    client.force_login(volunteer.user)

    response = client.post(reverse("organisations:invitation-accept", args=[token]))

    assert response.status_code == 403
    [event] = events(Kind.ACCESS_REFUSED)
    assert event.path == "/organisations/invitations/[hidden]/"
    assert event.what == "organisations:invitation-accept token=[hidden]"
    assert all(token not in str(value) for value in AuditEvent.objects.filter(pk=event.pk).values().get().values())


@pytest.mark.parametrize("path", ["/no-such-page/", "/static/no-such-file.css"])
def test_a_missing_page_that_names_no_object_is_not_an_access_refusal(client, path):
    assert client.get(path).status_code == 404

    assert not events(Kind.ACCESS_REFUSED)


def test_pages_answered_normally_record_nothing(client, volunteer, organisation):
    client.force_login(volunteer.user)
    AuditEvent.objects.all().delete()  # force_login is a login too

    assert client.get(reverse("organisations:organisation-detail", args=[organisation.slug])).status_code == 200
    assert client.get(reverse("placements:dashboard")).status_code == 200

    assert not AuditEvent.objects.exists()


# Site roles


def test_making_someone_staff_in_the_admin_is_recorded_once_with_old_and_new(client, site_admin):
    user = UserFactory(email="future.admin@example.org")
    client.force_login(site_admin)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "is_staff": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }

    response = client.post(url, form)
    client.post(url, form)  # saved again unchanged: nothing more to record

    assert response.status_code == 302, response.content.decode()
    [event] = events(Kind.SITE_ROLE_CHANGED)
    assert (event.actor, event.subject) == (site_admin, user)
    assert event.what == "is_staff: False → True"


# Erasure


def test_erasing_an_account_erases_its_events_and_the_failed_logins_that_named_it(client, volunteer):
    other = VolunteerProfileFactory(user__email="other.volunteer@example.org")
    log_in(client, "volunteer@example.org", PASSWORD)
    log_in(Client(), "VOLUNTEER@example.org", "someone-guessing")
    log_in(Client(), "other.volunteer@example.org", "someone-guessing")
    client.get(reverse("placements:credential-document", args=[CredentialFactory(profile=other).pk]))
    user = volunteer.user

    account_erase(user=user)

    assert not AuditEvent.objects.filter(email="volunteer@example.org").exists()
    remaining = AuditEvent.objects.get()
    assert (remaining.kind, remaining.actor) == (Kind.LOGIN_FAILED, other.user)


def test_security_events_older_than_a_year_are_deleted_by_the_nightly_task(client, volunteer, settings):
    settings.SECURITY_EVENT_DAYS = 365
    log_in(Client(), "volunteer@example.org", "a-wrong-password")
    log_in(Client(), "volunteer@example.org", "another-wrong-one")
    old, recent = AuditEvent.objects.order_by("pk")
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=366))
    AuditEvent.objects.filter(pk=recent.pk).update(created_at=timezone.now() - datetime.timedelta(days=364))

    prune_security_events.delay()

    assert list(AuditEvent.objects.all()) == [recent]


# The admin


def test_site_admins_list_and_filter_security_events_but_cannot_change_them(client, site_admin, volunteer):
    log_in(Client(), "volunteer@example.org", "a-wrong-password")
    event = AuditEvent.objects.get()
    client.force_login(site_admin)
    changelist = reverse("admin:accounts_auditevent_changelist")

    listed = client.get(changelist, {"kind__exact": "login_failed", "q": "volunteer@"})
    client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"})

    assert listed.status_code == 200
    assert "volunteer@example.org" in listed.content.decode()
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# Logs


DOCUMENT_MARK = "GLOBALIR-PRIVATE-LICENCE-7f3a9c"
DOCUMENT = (
    b"%PDF-1.7\n% "
    + DOCUMENT_MARK.encode()
    + b"\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
FIRST_PASSWORD = "journey-first-passphrase-81"
WRONG_PASSWORD = "journey-wrong-passphrase-52"
NEW_PASSWORD = "journey-new-passphrase-37"


@pytest.fixture
def all_logs(caplog, settings):
    """Every record of every logger at DEBUG, including loggers that do not propagate to the root; only
    the loggers that the settings hold above DEBUG (because their debug output would carry secrets) stay
    where the settings put them."""
    held = {name for name, config in settings.LOGGING["loggers"].items() if "level" in config}
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
    loggers = [logger for logger in loggers if isinstance(logger, logging.Logger) and logger.name not in held]
    levels = {logger: logger.level for logger in loggers}
    quiet = [logger for logger in loggers if not logger.propagate]
    caplog.set_level(logging.DEBUG)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for logger in quiet:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in quiet:
        logger.removeHandler(caplog.handler)
    for logger, level in levels.items():
        logger.setLevel(level)


def logged_text(records) -> str:
    formatter = logging.Formatter()
    parts = []
    for record in records:
        parts += [record.getMessage(), str(record.msg), repr(record.args), record.exc_text or ""]
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
    return "\n".join(parts)


def link(message, prefix):
    return re.search(rf"https?://[^/\s]+({re.escape(prefix)}\S*)", message.body).group(1)


def test_a_whole_journey_logs_no_password_token_session_key_or_document(
    client, all_logs, organisation, organisation_admin
):
    secrets = [FIRST_PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, DOCUMENT_MARK]

    # Sign up and confirm the address by the link e-mailed (which logs in).
    client.post(
        reverse("account_signup"),
        {"email": "journey@example.org", "password1": FIRST_PASSWORD, "password2": FIRST_PASSWORD},
    )
    confirm = link(mail.outbox[-1], "/accounts/confirm-email/")
    secrets.append(confirm.rstrip("/").rsplit("/", 1)[1])
    assert client.post(confirm).status_code == 302
    secrets.append(client.session.session_key)
    user = User.objects.get(email="journey@example.org")

    # Upload a licence.
    VolunteerProfileFactory(user=user)
    upload = client.post(
        reverse("volunteers:credentials"),
        {
            "kind": "licence",
            "title": "Licence to practise medicine",
            "issuing_body": "Medical Council",
            "issuing_country": "NG",
            "number": "MDCN-48213",
            "issued_on": "2019-03-01",
            "document": SimpleUploadedFile("licence.pdf", DOCUMENT, content_type="application/pdf"),
        },
    )
    assert upload.status_code == 302
    credential = user.volunteer_profile.credentials.get()
    assert client.get(reverse("placements:credential-document", args=[credential.pk])).status_code == 200

    # An invitation: a mistyped link first (refused, and logged as "Not Found"), then the real one.
    _invitation, token = invitation_create(
        organisation=organisation, email="journey@example.org", role=Membership.Role.COORDINATOR, by=organisation_admin
    )
    secrets.append(token)
    accept = reverse("organisations:invitation-accept", args=[token])
    assert client.get(reverse("organisations:invitation-accept", args=[token + "x"])).status_code == 404
    assert client.get(accept).status_code == 200
    assert client.post(accept).status_code == 302
    assert Membership.objects.filter(user=user, organisation=organisation).exists()

    # Log out, a wrong password, then a password reset by the e-mailed link, and in again.
    client.post(reverse("account_logout"))
    assert log_in(client, "journey@example.org", WRONG_PASSWORD).status_code == 200
    client.post(reverse("account_reset_password"), {"email": "journey@example.org"})
    reset = link(mail.outbox[-1], "/accounts/password/reset/key/")
    secrets.append(reset.rstrip("/").rsplit("/", 1)[1].split("-", 1)[1])
    form_page = client.get(reset, follow=True)
    secrets.append(client.session.session_key)
    client.post(form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert log_in(client, "journey@example.org", NEW_PASSWORD).status_code == 302
    secrets.append(client.session.session_key)
    client.post(reverse("account_logout"))

    logged = logged_text(all_logs.records)
    # The capture works: the upload and the refused invitation link were logged…
    assert f"uploaded credential {credential.pk}" in logged
    assert "Not Found: /organisations/invitations/[hidden]/" in logged
    # …and nothing secret was.
    leaked = [secret for secret in secrets if secret and secret in logged]
    assert not leaked
    events_text = repr(list(AuditEvent.objects.values()))
    assert not [secret for secret in secrets if secret and secret in events_text]
    assert [event.kind for event in AuditEvent.objects.order_by("pk")].count(Kind.LOGIN_SUCCEEDED) == 2


def test_gunicorns_access_log_hides_the_tokens_in_paths_query_strings_and_referers(tmp_path):
    import datetime
    from types import SimpleNamespace

    from gunicorn.config import Config

    from globalir.gunicorn_logging import SecretHidingLogger

    # gunicorn reads gunicorn.conf.py from the folder it starts in, as the Dockerfile's command does.
    conf = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    assert conf["logger_class"] == "globalir.gunicorn_logging.SecretHidingLogger"
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    access_log = SecretHidingLogger(config)
    token = "invitation-token-Zq81xV3"
    feed_token = "calendar-token-Pk20wL7"
    requests = [
        (f"/organisations/invitations/{token}/", "", "-"),
        (
            f"/me/calendar.ics?token={feed_token}",
            f"token={feed_token}",
            f"https://globalir.example/organisations/invitations/{token}/",
        ),
    ]
    for uri, query, referer in requests:
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": uri,
            "PATH_INFO": uri.partition("?")[0],
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_REFERER": referer,
        }
        response = SimpleNamespace(status="200 OK", sent=10, headers=[])
        access_log.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(milliseconds=12))

    logged = (tmp_path / "access.log").read_text()
    assert token not in logged
    assert feed_token not in logged
    assert '"GET /organisations/invitations/[hidden]/ HTTP/1.1" 200' in logged
    assert '"GET /me/calendar.ics?token=[hidden] HTTP/1.1" 200' in logged
    assert '"https://globalir.example/organisations/invitations/[hidden]/"' in logged
