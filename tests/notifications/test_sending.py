"""The outbox: each event mails once, failures are retried, opted-out users are skipped."""

import datetime

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from globalir.outbox import services as outbox
from globalir.outbox.models import OutboxTask
from notifications import services, tasks
from notifications.models import Notification, NotificationPreference
from notifications.selectors import user_for_unsubscribe_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PREFERENCES_URL = "http://127.0.0.1:8000" + reverse("notifications:preferences")
DIGEST_CONTEXT = {
    "count": 1,
    "week": "2026-W01",
    "opportunities_url": "http://127.0.0.1:8000/opportunities/",
    "needs": [
        {
            "title": "IR faculty for embolisation training",
            "organisation": "Road to IR Test Partners",
            "where": "Dar es Salaam, Tanzania",
            "mode": "On-site",
            "window_start": "1 March 2027",
            "window_end": "30 April 2027",
            "deadline": "1 February 2027",
            "url": "http://127.0.0.1:8000/opportunities/1/",
        }
    ],
}


class FailingBackend(LocmemBackend):
    """An SMTP server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


class FlakyBackend(LocmemBackend):
    """Refuses the first message it is given, then delivers."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left:
            FlakyBackend.failures_left -= 1
            raise ConnectionResetError("Connection reset by the SMTP server")
        return super().send_messages(messages)


@pytest.fixture
def worker_like():
    """Eager tasks that behave as on a worker: a retry runs again (at once) instead of raising."""
    from globalir.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def notify_in_transaction(**kwargs) -> Notification | None:
    with transaction.atomic():
        return services.notify(**kwargs)


def relay_later(minutes: float) -> int:
    """Run the task outbox's relay as it would run this many minutes from now."""
    return outbox.outbox_relay(now=timezone.now() + datetime.timedelta(minutes=minutes))


def send_task_of(notification: Notification) -> OutboxTask:
    return OutboxTask.objects.filter(task_name=tasks.send_notification.name, args=[notification.pk]).latest("pk")


@pytest.fixture
def reader(db):
    """A user who asked for the weekly digest."""
    user = UserFactory(email="reader@example.org", first_name="Ana", last_name="Reader")
    NotificationPreference.objects.create(user=user, weekly_digest=True)
    return user


def test_notifying_one_event_twice_sends_one_email(
    reader, notice_templates, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify_in_transaction(
            kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "x"}
        )
        second = notify_in_transaction(
            kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "x"}
        )

    assert first is not None and second is None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["reader@example.org"]
    assert mailoutbox[0].subject == "[GlobalIR] A notice about x"
    assert Notification.objects.get().status == Notification.Status.SENT


def test_a_notification_rolled_back_with_its_event_is_never_sent(
    reader, notice_templates, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notify(kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "x"})
            raise RuntimeError("the change failed")

    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_a_failing_mail_server_leaves_the_row_pending_with_the_error_and_the_task_retries(
    reader, notice_templates, settings, mailoutbox, django_capture_on_commit_callbacks, worker_like
):
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.FailingBackend"

    with django_capture_on_commit_callbacks(execute=True):
        notification = notify_in_transaction(
            kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "x"}
        )

    # The change that caused the e-mail went through; the e-mail waits, after the first try and
    # every retry of the task (eager Celery runs the retries at once).
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1 + tasks.send_notification.max_retries
    assert notification.last_error == "SMTP server unreachable"
    assert notification.sent_at is None
    assert mailoutbox == []


def test_a_retry_sends_the_email_the_mail_server_first_refused(
    reader, notice_templates, settings, mailoutbox, django_capture_on_commit_callbacks, worker_like
):
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.FlakyBackend"
    FlakyBackend.failures_left = 1
    with django_capture_on_commit_callbacks(execute=False):
        notification = notify_in_transaction(
            kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "x"}
        )

    result = tasks.send_notification.delay(notification.pk)

    notification.refresh_from_db()
    assert result.get() == Notification.Status.SENT
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 2)
    assert notification.last_error == "Connection reset by the SMTP server"
    assert len(mail.outbox) == 1


def test_a_notification_is_marked_failed_once_it_has_used_every_attempt(
    reader, notice_templates, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.FailingBackend"
    with django_capture_on_commit_callbacks(execute=False):
        notification = notify_in_transaction(
            kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "x"}
        )
    Notification.objects.filter(pk=notification.pk).update(attempts=services.MAX_ATTEMPTS - 1)

    with pytest.raises(ConnectionRefusedError):
        services.notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    # Its task, delivered late, sends nothing and the relay leaves it alone: a site admin decides ("Send
    # again now").
    row = send_task_of(notification)
    delivered = tasks.send_notification.apply(args=[notification.pk], task_id=outbox.outbox_task_id(row.pk))
    assert delivered.get() == Notification.Status.FAILED
    assert relay_later(60) == 0
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.FAILED, services.MAX_ATTEMPTS)


def test_a_mail_server_still_down_after_every_retry_is_tried_again_later_by_the_relay(
    reader, notice_templates, settings, mailoutbox, django_capture_on_commit_callbacks, worker_like
):
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify_in_transaction(
            kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "x"}
        )
    row = send_task_of(notification)
    assert (row.status, row.last_error) == (OutboxTask.Status.PENDING, "TryLater: SMTP server unreachable")
    assert relay_later(30) == 0  # not yet

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert relay_later(outbox.TRY_LATER.total_seconds() / 60 + 1) == 1

    notification.refresh_from_db()
    row.refresh_from_db()
    assert (notification.status, notification.attempts) == (
        Notification.Status.SENT,
        2 + tasks.send_notification.max_retries,
    )
    assert (row.status, row.attempts) == (OutboxTask.Status.DONE, 2 + tasks.send_notification.max_retries)
    assert len(mailoutbox) == 1


def test_an_opted_out_user_is_skipped_for_optional_emails_but_still_gets_essential_ones(
    reader, notice_templates, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.filter(user=reader).update(weekly_digest=False)

    with django_capture_on_commit_callbacks(execute=True):
        digest = notify_in_transaction(
            kind="weekly_digest", event_key="digest:1", recipient=reader, context=DIGEST_CONTEXT
        )
        essential = notify_in_transaction(
            kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "your offer"}
        )

    digest.refresh_from_db()
    essential.refresh_from_db()
    assert digest.status == Notification.Status.SKIPPED
    assert essential.status == Notification.Status.SENT
    assert [message.subject for message in mailoutbox] == ["[GlobalIR] A notice about your offer"]


def test_optional_emails_follow_the_default_preference_for_users_who_never_chose(
    notice_templates, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()  # the weekly digest is off unless asked for

    with django_capture_on_commit_callbacks(execute=True):
        digest = notify_in_transaction(
            kind="weekly_digest", event_key="digest:1", recipient=user, context=DIGEST_CONTEXT
        )

    digest.refresh_from_db()
    assert digest.status == Notification.Status.SKIPPED
    assert mailoutbox == []


def test_the_outbox_relay_sends_emails_whose_task_never_reached_the_broker_once_past_its_grace(
    reader, notice_templates, mailoutbox, django_capture_on_commit_callbacks
):
    # The broker was down: the rows and their tasks are committed but the tasks never ran.
    with django_capture_on_commit_callbacks(execute=False):
        lost = notify_in_transaction(
            kind=notice_templates, event_key="test:old", recipient=reader, context={"topic": "a"}
        )
        recent = notify_in_transaction(
            kind=notice_templates, event_key="test:new", recipient=reader, context={"topic": "b"}
        )
    OutboxTask.objects.filter(pk=send_task_of(recent).pk).update(
        created_at=timezone.now() + datetime.timedelta(minutes=5)  # saved just now, at the relay's run
    )

    assert relay_later(5) == 1
    assert relay_later(5) == 0

    assert [message.subject for message in mailoutbox] == ["[GlobalIR] A notice about a"]
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.status, recent.status) == (Notification.Status.SENT, Notification.Status.PENDING)


def test_the_relay_takes_back_a_send_whose_worker_died(
    reader, notice_templates, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        abandoned = notify_in_transaction(
            kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "a"}
        )
    # A worker claimed it and died mid-send; the broker delivered its task again at once.
    Notification.objects.filter(pk=abandoned.pk).update(
        status=Notification.Status.SENDING, claimed_at=timezone.now(), attempts=1
    )
    row = send_task_of(abandoned)
    redelivered = tasks.send_notification.apply(args=[abandoned.pk], task_id=outbox.outbox_task_id(row.pk))
    assert redelivered.get() == Notification.Status.SENDING
    row.refresh_from_db()
    assert row.status == OutboxTask.Status.PENDING  # comes back once the claim is stale
    assert relay_later(10) == 0

    # Once the claim is stale, the relay sends the task again and this one sends the e-mail.
    Notification.objects.filter(pk=abandoned.pk).update(claimed_at=timezone.now() - services.STALE_CLAIM)
    assert relay_later(services.STALE_CLAIM.total_seconds() / 60 + 2) == 1

    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.attempts, len(mailoutbox)) == (Notification.Status.SENT, 2, 1)
    row.refresh_from_db()
    assert row.status == OutboxTask.Status.DONE


def test_a_redelivered_task_sends_the_email_once(
    reader, notice_templates, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        notification = notify_in_transaction(
            kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "x"}
        )

    first = tasks.send_notification.delay(notification.pk).get()
    second = tasks.send_notification.delay(notification.pk).get()

    assert (first, second) == (Notification.Status.SENT, Notification.Status.SENT)
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_a_send_in_progress_elsewhere_is_not_sent_again(reader, notice_templates, mailoutbox):
    notification = Notification.objects.create(
        kind=notice_templates, event_key="test:1", recipient=reader, email=reader.email, context={"topic": "x"}
    )
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENDING, claimed_at=timezone.now()
    )

    assert tasks.send_notification.delay(notification.pk).get() == Notification.Status.SENDING
    assert mailoutbox == []


# --- What an e-mail looks like -----------------------------------------------------------------


def test_an_essential_email_has_text_and_html_and_links_the_preferences_but_offers_no_unsubscribe(
    reader, notice_templates, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify_in_transaction(kind=notice_templates, event_key="test:1", recipient=reader, context={"topic": "x"})

    message = mailoutbox[0]
    html, content_type = message.alternatives[0]
    assert content_type == "text/html"
    assert "Hello Ana Reader," in message.body
    assert "Something happened to x." in message.body
    assert PREFERENCES_URL in message.body
    assert f'href="{PREFERENCES_URL}"' in html
    assert "<p>Something happened to x.</p>" in html
    assert "List-Unsubscribe" not in message.extra_headers


def test_an_optional_email_carries_a_one_click_unsubscribe_link(reader, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify_in_transaction(kind="weekly_digest", event_key="digest:1", recipient=reader, context=DIGEST_CONTEXT)

    message = mailoutbox[0]
    html, _content_type = message.alternatives[0]
    # The signed token carries the second it was made in: read it back from the header, then check
    # it is the reader's and that the same link is in both parts.
    header = message.extra_headers["List-Unsubscribe"]
    unsubscribe = header.removeprefix("<").removesuffix(">")
    token = unsubscribe.removeprefix("http://127.0.0.1:8000/notifications/unsubscribe/").rstrip("/")
    assert unsubscribe == "http://127.0.0.1:8000" + reverse("notifications:unsubscribe", kwargs={"token": token})
    assert user_for_unsubscribe_token(token=token) == reader
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body
    assert PREFERENCES_URL in message.body
    assert f'href="{unsubscribe}"' in html
    assert f'href="{PREFERENCES_URL}"' in html


def test_the_weekly_digest_lists_its_needs_in_text_and_html(reader, mailoutbox, django_capture_on_commit_callbacks):
    context = {**DIGEST_CONTEXT, "needs": [{**DIGEST_CONTEXT["needs"][0], "title": "Biopsy & drainage training"}]}

    with django_capture_on_commit_callbacks(execute=True):
        notify_in_transaction(kind="weekly_digest", event_key="digest:1", recipient=reader, context=context)

    message = mailoutbox[0]
    html, _content_type = message.alternatives[0]
    assert message.subject == "[GlobalIR] 1 new opportunity that fits your profile"
    assert "* Biopsy & drainage training" in message.body  # plain text: nothing HTML-escaped
    assert "http://127.0.0.1:8000/opportunities/1/" in message.body
    assert "apply by 1 February 2027" in message.body
    assert "Biopsy &amp; drainage training</a>" in html


# Many at once (a match round's e-mails)


def test_many_e_mails_recorded_at_once_are_each_sent_once_even_when_their_batch_runs_again(
    notice_templates, mailoutbox, django_capture_on_commit_callbacks
):
    readers = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(kind=notice_templates, event_key="notice:0", recipient=readers[0], context={"topic": "a"})
    emails = [
        services.Email(kind=notice_templates, event_key=f"notice:{index}", recipient=reader, context={"topic": "b"})
        for index, reader in enumerate(readers)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        recorded = services.notify_many(emails=[*emails, emails[1]])

    # The event mailed already and the one asked for twice are recorded once each.
    assert [n.event_key for n in recorded] == ["notice:1", "notice:2"]
    assert sorted(message.to[0] for message in mailoutbox) == sorted(r.email for r in readers)
    batch = OutboxTask.objects.get(task_name=services.SEND_NOTIFICATIONS_TASK)
    assert batch.args == [[n.pk for n in recorded]] and batch.status == OutboxTask.Status.DONE

    # The batch delivered again (a redelivery, the relay) sends nothing more.
    assert tasks.send_notifications.apply(args=batch.args).get() == {Notification.Status.SENT: 2}
    assert len(mailoutbox) == 3
