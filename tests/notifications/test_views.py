"""E-mail preferences, one-click unsubscribe, and the outbox in the admin."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from globalir.accounts.models import User
from globalir.outbox.models import OutboxTask
from notifications import services
from notifications.models import Notification, NotificationPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PREFERENCES = reverse("notifications:preferences")
OPTIONAL = ["application_updates", "deadline_reminders", "feedback_requests", "weekly_digest", "conversation_messages"]


def unsubscribe_url(user) -> str:
    return reverse("notifications:unsubscribe", kwargs={"token": services.unsubscribe_token(user)})


def preferences_of(user) -> dict[str, bool]:
    preference = NotificationPreference.objects.get(user=user)
    return {field: getattr(preference, field) for field in OPTIONAL}


# --- Preferences -------------------------------------------------------------------------------


def test_preferences_need_a_login(client):
    response = client.get(PREFERENCES)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_preferences_show_the_defaults_and_the_emails_always_sent(client, plain_user):
    client.force_login(plain_user)

    response = client.get(PREFERENCES)

    html = response.content.decode()
    assert response.status_code == 200
    for field in ("application_updates", "deadline_reminders", "feedback_requests", "conversation_messages"):
        assert (
            f'<input type="checkbox" name="{field}" aria-describedby="id_{field}_helptext" id="id_{field}" checked>'
        ) in html
    digest = '<input type="checkbox" name="weekly_digest" aria-describedby="id_weekly_digest_helptext"'
    assert f'{digest} id="id_weekly_digest">' in html  # off until asked for
    assert "Weekly digest of suitable opportunities" in html
    assert "E-mails we always send" in html
    assert "offers of a place" in html
    assert "invitations to join an organisation" in html
    assert not NotificationPreference.objects.exists()  # looking changes nothing


def test_a_user_turns_on_the_digest_and_off_deadline_reminders(client, plain_user):
    client.force_login(plain_user)

    response = client.post(PREFERENCES, {"application_updates": "on", "feedback_requests": "on", "weekly_digest": "on"})

    assert response.status_code == 302
    assert response["Location"] == PREFERENCES
    assert preferences_of(plain_user) == {
        "application_updates": True,
        "deadline_reminders": False,
        "feedback_requests": True,
        "weekly_digest": True,
        "conversation_messages": False,  # left unticked
    }
    page = client.get(PREFERENCES).content.decode()
    assert "Your e-mail preferences are saved." in page


def test_unticking_every_box_turns_every_optional_email_off(client, plain_user):
    client.force_login(plain_user)

    response = client.post(PREFERENCES, {})

    assert response.status_code == 302
    assert preferences_of(plain_user) == dict.fromkeys(OPTIONAL, False)


def test_saving_preferences_changes_only_the_fields_given(plain_user):
    NotificationPreference.objects.create(user=plain_user, weekly_digest=True)

    services.notification_preferences_save(user=plain_user, data={"deadline_reminders": False, "is_staff": True})

    assert preferences_of(plain_user) == {
        "application_updates": True,
        "deadline_reminders": False,
        "feedback_requests": True,
        "weekly_digest": True,
        "conversation_messages": True,
    }
    plain_user.refresh_from_db()
    assert not plain_user.is_staff


# --- Unsubscribe -------------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_for_confirmation_without_a_login_and_changes_nothing(client, plain_user):
    response = client.get(unsubscribe_url(plain_user))

    assert response.status_code == 200
    html = response.content.decode()
    assert plain_user.email in html
    assert '<button type="submit" class="button">Stop optional e-mails</button>' in html
    assert not NotificationPreference.objects.exists()


def test_confirming_turns_off_every_optional_email(client, plain_user):
    NotificationPreference.objects.create(user=plain_user, weekly_digest=True)

    response = client.post(unsubscribe_url(plain_user))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Optional e-mails stopped" in html
    assert PREFERENCES in html
    assert preferences_of(plain_user) == dict.fromkeys(OPTIONAL, False)


def test_a_mail_clients_one_click_post_works_without_cookies_or_csrf_token(plain_user):
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(unsubscribe_url(plain_user), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert preferences_of(plain_user) == dict.fromkeys(OPTIONAL, False)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_token_is_refused(client, plain_user, method):
    token = services.unsubscribe_token(plain_user)
    other = UserFactory()
    forged = signing.dumps(other.pk, salt="another.salt")

    for bad in (token[:-2] + "xx", forged, "not-a-token"):
        response = getattr(client, method)(reverse("notifications:unsubscribe", kwargs={"token": bad}))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_unsubscribe_link_of_an_erased_account_says_so(client):
    user = UserFactory()
    url = unsubscribe_url(user)
    User.objects.filter(pk=user.pk).delete()

    response = client.post(url)

    assert response.status_code == 404
    assert "no longer exists" in response.content.decode()


def test_optional_emails_waiting_to_be_sent_are_skipped_after_unsubscribing(client, plain_user, mailoutbox):
    NotificationPreference.objects.create(user=plain_user, weekly_digest=True)
    waiting = Notification.objects.create(
        kind="weekly_digest", event_key="digest:1", recipient=plain_user, email=plain_user.email, context={}
    )

    client.post(unsubscribe_url(plain_user))
    status = services.notification_send(notification_id=waiting.pk)

    assert status == Notification.Status.SKIPPED
    assert mailoutbox == []


# --- The admin ---------------------------------------------------------------------------------


def outbox_row(user, *, status, key="test:1", **extra) -> Notification:
    return Notification.objects.create(
        kind="weekly_digest",
        event_key=key,
        recipient=user,
        email=user.email,
        status=status,
        context={
            "count": 0,
            "needs": [],
            "week": "2026-W01",
            "opportunities_url": "http://127.0.0.1:8000/opportunities/",
        },
        **extra,
    )


def test_the_outbox_is_listed_read_only_with_filters_and_search(client, site_admin, django_assert_max_num_queries):
    for number in range(30):
        outbox_row(site_admin, status=Notification.Status.SENT, key=f"test:{number}", last_error="")
    client.force_login(site_admin)
    url = reverse("admin:notifications_notification_changelist")

    with django_assert_max_num_queries(12):
        response = client.get(url, {"status__exact": "sent", "q": "admin@example.org"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "30 e-mail notifications" in html
    assert "Send again now" in html
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
    row = Notification.objects.first()
    change = client.get(reverse("admin:notifications_notification_change", args=[row.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()


def test_send_again_now_sends_failed_and_waiting_emails_but_never_a_sent_one_twice(
    client, site_admin, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=site_admin, weekly_digest=True)
    failed = outbox_row(site_admin, status=Notification.Status.FAILED, key="a", attempts=12, last_error="timeout")
    waiting = outbox_row(site_admin, status=Notification.Status.PENDING, key="b")
    sent = outbox_row(site_admin, status=Notification.Status.SENT, key="c")
    client.force_login(site_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "send_again", "_selected_action": [failed.pk, waiting.pk, sent.pk]},
            follow=True,
        )

    assert "2 e-mails queued again." in response.content.decode()
    for row in (failed, waiting, sent):
        row.refresh_from_db()
    assert (failed.status, failed.attempts) == (Notification.Status.SENT, 1)
    assert waiting.status == Notification.Status.SENT
    assert len(mailoutbox) == 2
    # Sent through the task outbox, as every e-mail is.
    assert sorted(
        OutboxTask.objects.filter(task_name="notifications.tasks.send_notification").values_list("args", "status")
    ) == sorted([([failed.pk], OutboxTask.Status.DONE), ([waiting.pk], OutboxTask.Status.DONE)])


def test_the_preferences_admin_lists_users_choices(client, site_admin, plain_user):
    NotificationPreference.objects.create(user=plain_user, weekly_digest=True)
    client.force_login(site_admin)

    response = client.get(reverse("admin:notifications_notificationpreference_changelist"), {"q": "someone@"})

    assert response.status_code == 200
    assert str(plain_user) in response.content.decode()
    assert "1 notification preference" in response.content.decode()
