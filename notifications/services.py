"""E-mail notifications: recorded with the event that causes them, sent by a Celery task.

Callers use ``notify(...)`` inside the transaction that makes the change (offer made, invitation
sent…). The Notification row and the task that sends it (a row of the task outbox, globalir.outbox)
commit or roll back with that change; the outbox sends the task once the transaction has committed,
and its relay sends it later if the broker was down. The send claims the Notification row first, so
an event is mailed once however often its task runs.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from globalir.accounts.models import User
from globalir.links import absolute_url
from globalir.outbox.services import TryLater, task_enqueue, task_run_again_later, tasks_enqueue

from .models import Notification, NotificationPreference

logger = logging.getLogger(__name__)

# Kinds a user may turn off, and the preference that governs each. Every other kind is essential
# (an offer, an invitation, a decision about one's organisation) and is always sent.
OPTIONAL_KINDS = {
    "application_received": "application_updates",
    "waiting_list_place_free": "application_updates",
    "deadline_soon": "deadline_reminders",
    "checklist_due": "deadline_reminders",
    "feedback_request": "feedback_requests",
    "weekly_digest": "weekly_digest",
    "conversation_message": "conversation_messages",
}
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# Context entries that grant access (an invitation link carries its token): kept only until the
# e-mail has gone, so that the outbox never becomes a store of working links.
SECRET_CONTEXT_KEYS = ("accept_url",)
# A claim this old belongs to a worker that died while sending.
STALE_CLAIM = datetime.timedelta(minutes=15)
# After this many failed attempts (the task's own retries, then those of its outbox row sent again
# by the relay) the row is marked failed and left for a site admin ("Send again now" in the admin)
# instead of being retried forever.
MAX_ATTEMPTS = 12


def notify(
    *,
    kind: str,
    event_key: str,
    context: dict[str, Any],
    recipient: User | None = None,
    email: str = "",
) -> Notification | None:
    """Record an e-mail of ``kind`` for one event and recipient, and send it once the transaction commits.

    ``context`` must be JSON: titles, dates, absolute links; the templates ``emails/<kind>_subject.txt``,
    ``emails/<kind>.txt`` and ``emails/<kind>.html`` render it when the e-mail is sent, in the recipient's
    language (see ``notification_language``). A date given as ISO 8601 text (``day.isoformat()``) is
    written there in that language (the ``local_date`` filter); text in the context is shown as given.
    Returns None when this event already has its e-mail (the same event never mails twice).
    """
    address = email or (recipient.email if recipient else "")
    if not address:
        raise ValueError("A notification needs a recipient or an e-mail address.")
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                event_key=event_key[:200],
                recipient=recipient,
                email=address,
                language=translation.get_language() or "",
                context=context,
            )
            _enqueue(notification)
    except IntegrityError:
        return None
    return notification


@dataclass(frozen=True)
class Email:
    """One e-mail for `notify_many`: the same arguments as `notify` takes."""

    kind: str
    event_key: str
    context: dict[str, Any]
    recipient: User | None = None
    email: str = ""


def notify_many(*, emails: Iterable[Email]) -> list[Notification]:
    """`notify` for many events at once (a match round's participants), in a fixed number of queries: one
    to find the events already mailed, one insert of the new rows and one of their outbox tasks, each task
    sending up to NOTIFICATIONS_PER_TASK of them (`notifications_send`): publishing a message per e-mail
    would cost more than recording them. Each e-mail is still claimed on its own when sent, so it goes once
    however often its batch runs; erasing a recipient's account deletes their rows, which the batch then
    skips.

    Events that already have their e-mail, or appear twice, are left out, so the same event still never
    mails twice. Returns the notifications recorded.
    """
    wanted: dict[str, Notification] = {}
    language = translation.get_language() or ""
    for item in emails:
        address = item.email or (item.recipient.email if item.recipient else "")
        if not address:
            raise ValueError("A notification needs a recipient or an e-mail address.")
        key = item.event_key[:200]
        wanted.setdefault(
            key,
            Notification(
                kind=item.kind,
                event_key=key,
                recipient=item.recipient,
                email=address,
                language=language,
                context=item.context,
            ),
        )
    if not wanted:
        return []
    known = set(Notification.objects.filter(event_key__in=list(wanted)).values_list("event_key", flat=True))
    new = [notification for key, notification in wanted.items() if key not in known]
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(new)
    except IntegrityError:
        # Another transaction recorded one of these events meanwhile: record them one by one instead, each
        # skipping the events that have their e-mail.
        return [
            notification
            for item in new
            if (
                notification := notify(
                    kind=item.kind,
                    event_key=item.event_key,
                    context=item.context,
                    recipient=item.recipient,
                    email=item.email,
                )
            )
            is not None
        ]
    ids = [notification.pk for notification in new]
    tasks_enqueue(
        SEND_NOTIFICATIONS_TASK,
        calls=[
            ([ids[start : start + NOTIFICATIONS_PER_TASK]], None)
            for start in range(0, len(ids), NOTIFICATIONS_PER_TASK)
        ],
    )
    return new


# The task that sends one e-mail (notifications/tasks.py), enqueued by name: the task calls this module.
SEND_NOTIFICATION_TASK = "notifications.tasks.send_notification"
# The task that sends a batch of them (notify_many), and how many it takes: enough to publish few messages,
# few enough to send well within the task's time limit.
SEND_NOTIFICATIONS_TASK = "notifications.tasks.send_notifications"
NOTIFICATIONS_PER_TASK = 100


def _enqueue(notification: Notification) -> None:
    # Erasing the recipient's account cancels the task along with their e-mails.
    task_enqueue(SEND_NOTIFICATION_TASK, args=[notification.pk], owner_id=notification.recipient_id)


def preferences_for(user: User) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    return preference


def unsubscribe_token(user: User) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def _opted_out(notification: Notification) -> bool:
    field = OPTIONAL_KINDS.get(notification.kind)
    if field is None or notification.recipient is None:
        return False
    preference = NotificationPreference.objects.filter(user=notification.recipient).first()
    default = NotificationPreference._meta.get_field(field).default
    return not (getattr(preference, field) if preference else default)


def notification_language(notification: Notification) -> str:
    """The language an e-mail is written in: its recipient's. An e-mail to an address with no account
    (an invitation) is written in the account's language if the address has one by now, otherwise in
    the language of the page where it was caused."""
    recipient = notification.recipient
    if recipient is None:
        recipient = User.objects.filter(email__iexact=notification.email).only("language").first()
    if recipient is not None and recipient.language:
        return recipient.language
    if notification.recipient is None and notification.language:
        return notification.language
    return settings.LANGUAGE_CODE


def _message(notification: Notification) -> EmailMultiAlternatives:
    with translation.override(notification_language(notification)):
        return _message_in_active_language(notification)


def _message_in_active_language(notification: Notification) -> EmailMultiAlternatives:
    context = {
        **notification.context,
        "recipient": notification.recipient,
        "site_url": settings.SITE_URL,
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "optional": notification.kind in OPTIONAL_KINDS,
    }
    headers = {}
    if notification.recipient is not None and notification.kind in OPTIONAL_KINDS:
        unsubscribe = absolute_url(
            reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(notification.recipient)})
        )
        context["unsubscribe_url"] = unsubscribe
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    subject = render_to_string(f"emails/{notification.kind}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=render_to_string(f"emails/{notification.kind}.txt", context),
        to=[notification.email],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"emails/{notification.kind}.html", context), "text/html")
    return message


def notification_send(*, notification_id: int) -> str:
    """Send one pending notification. Returns its status afterwards.

    The row is claimed with a conditional update first, so two workers given the same task (a
    redelivery) cannot both send it. A claim older than STALE_CLAIM is taken to belong to a
    worker that died mid-send: a task finding a younger claim comes back once it is stale. If
    sending fails the row goes back to pending and TryLater is raised for the task to retry;
    once MAX_ATTEMPTS are spent the row is marked failed and the error raised as it is.
    """
    now = timezone.now()
    claimable = Notification.objects.filter(_pending_or_stale(now - STALE_CLAIM), pk=notification_id)
    if claimable.update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1) != 1:
        notification = Notification.objects.filter(pk=notification_id).first()
        if notification is None:
            return "missing"
        if notification.status == Notification.Status.SENDING:
            # Being sent by another delivery, or its worker died mid-send: look again once the claim is stale.
            claimed_at = notification.claimed_at or now
            task_run_again_later(after=claimed_at + STALE_CLAIM - now + datetime.timedelta(minutes=1))
        return notification.status
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if _opted_out(notification):
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.SKIPPED, context=_without_secrets(notification.context)
        )
        return Notification.Status.SKIPPED
    try:
        _message(notification).send()
    except Exception as error:
        gave_up = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification.pk).update(
            status=Notification.Status.FAILED if gave_up else Notification.Status.PENDING,
            last_error=str(error)[:500],
        )
        if gave_up:
            logger.error("Gave up on notification %s after %s attempts", notification.pk, notification.attempts)
            raise
        raise TryLater(str(error)) from error
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), context=_without_secrets(notification.context)
    )
    logger.info("Sent %s notification %s", notification.kind, notification.pk)
    return Notification.Status.SENT


def notifications_send(*, notification_ids: Iterable[int]) -> dict[str, int]:
    """Send a batch of notifications (`notify_many`), each as `notification_send` does: claimed first, so one
    already sent (by an earlier run of the batch) is not sent again. Every e-mail is tried; then the first
    error of one that gave up is raised, else TryLater if one may pass, so the batch runs again for those
    only. Returns how many ended in each status."""
    statuses: dict[str, int] = {}
    failure: Exception | None = None
    try_later: TryLater | None = None
    for notification_id in notification_ids:
        try:
            status = notification_send(notification_id=notification_id)
        except TryLater as error:
            try_later, status = try_later or error, Notification.Status.PENDING
        except Exception as error:
            failure, status = failure or error, Notification.Status.FAILED
        statuses[status] = statuses.get(status, 0) + 1
    if failure is not None:
        raise failure
    if try_later is not None:
        raise try_later
    return statuses


def _pending_or_stale(stale: datetime.datetime) -> Q:
    return Q(status=Notification.Status.PENDING) | Q(status=Notification.Status.SENDING, claimed_at__lt=stale)


# Preferences, one-click unsubscribe and the admin's "Send again now" (notifications.views, notifications.admin).

PREFERENCE_FIELDS = tuple(OPTIONAL_KINDS.values())


def notification_preferences_save(*, user: User, data: dict[str, Any]) -> NotificationPreference:
    """Save which optional e-mails ``user`` wants. ``data`` maps preference fields to booleans;
    fields it leaves out keep their value. Essential e-mails cannot be turned off."""
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        for field in PREFERENCE_FIELDS:
            if field in data:
                setattr(preference, field, bool(data[field]))
        preference.full_clean()
        preference.save()
    logger.info("User %s saved their notification preferences", user.pk)
    return preference


def notification_preferences_opt_out(*, user: User) -> NotificationPreference:
    """Turn off every optional e-mail (the unsubscribe link). E-mails already waiting are skipped
    when their turn comes, since the preference is read at sending time."""
    return notification_preferences_save(user=user, data=dict.fromkeys(PREFERENCE_FIELDS, False))


def notifications_send_again(*, notifications: Iterable[Notification]) -> int:
    """Queue the given notifications again if they are waiting or have failed; returns how many.

    A failed row goes back to pending with a fresh attempt budget; rows that were sent, skipped
    or are being sent are left alone, so this can never mail an event twice.
    """
    pks = [notification.pk for notification in notifications]
    with transaction.atomic():
        again = list(
            Notification.objects.select_for_update()
            .filter(pk__in=pks, status__in=[Notification.Status.PENDING, Notification.Status.FAILED])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=again).update(status=Notification.Status.PENDING, attempts=0)
        for notification in Notification.objects.filter(pk__in=again).order_by("pk"):
            _enqueue(notification)
    return len(again)


def notifications_erase_for_addresses(*, addresses: Iterable[str]) -> int:
    """Delete every e-mail recorded for these addresses, sent or not (part of erasing an account:
    some were sent before the account existed, such as an invitation). Returns how many went."""
    matching = Q()
    for address in addresses:
        matching |= Q(email__iexact=address)
    if not matching:
        return 0
    deleted, _ = Notification.objects.filter(matching).delete()
    return deleted


def notifications_context_scrub(*, event_key_regex: str, keys: Iterable[str], replacement: str) -> int:
    """In the recorded e-mails whose event key matches, replace the values of ``keys`` in the
    context: part of erasing an account, so that e-mails sent to others about that person (a new
    application, to coordinators) no longer name them. Returns how many e-mails changed."""
    keys = list(keys)
    changed = []
    for notification in Notification.objects.filter(event_key__regex=event_key_regex).only("pk", "context"):
        if any(key in notification.context for key in keys):
            notification.context = {**notification.context, **dict.fromkeys(keys, replacement)}
            changed.append(notification)
    Notification.objects.bulk_update(changed, ["context"])
    return len(changed)


def _without_secrets(context: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in context.items() if key not in SECRET_CONTEXT_KEYS}
