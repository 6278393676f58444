"""Writing in a thread, reading it, and the e-mails that tell participants of new messages.

E-mails are batched per thread and participant: a new message e-mails each other participant unless they
were e-mailed about this thread less than EMAIL_INTERVAL ago. A message arriving inside that window is
skipped, not folded into a later e-mail: the e-mail already sent brought the reader to the thread, whose
page shows everything they have not read, so nothing is lost, and no delayed task is needed. The e-mail
names the thread and links to it, never the message itself nor its author: replies are written on the
web, and no words of a volunteer (or their name, should they not share it) end up in a mailbox.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from globalir.links import absolute_url
from notifications.services import notify

from .models import Message, ReadState, Thread
from .subjects import Subject

logger = logging.getLogger(__name__)

EMAIL_INTERVAL = datetime.timedelta(minutes=15)


def message_post(*, subject: Subject, author: User, body: str, attachment: UploadedFile | None = None) -> Message:
    """Write a message in the subject's thread (created with its first message) and tell the other
    participants by e-mail (batched, see the module). The author has read their own message.

    Refused with a readable ValidationError when there is neither text nor attachment, or the attachment
    fails the checks of a credential's document.
    """
    body = (body or "").strip()
    if not body and not attachment:
        raise ValidationError(_("Write a message or attach a document."), code="empty")
    with transaction.atomic():
        thread, _created = Thread.objects.get_or_create(**subject.thread_lookup, defaults={"kind": subject.kind})
        message = Message(thread=thread, author=author, body=body)
        if attachment:
            message.attachment = attachment
        message.full_clean()
        message.save()
        _read_up_to(thread=thread, user=author, message_id=message.pk)
        _notify_participants(subject=subject, thread=thread, author=author)
    logger.info("User %s wrote message %s in thread %s", author.pk, message.pk, thread.pk)
    return message


def thread_mark_read(*, thread: Thread, user: User) -> None:
    """Everything in the thread so far is read by `user` (their page of the newest messages was shown)."""
    last = Message.objects.filter(thread=thread).order_by("-pk").values_list("pk", flat=True).first()
    if last is not None:
        _read_up_to(thread=thread, user=user, message_id=last)


def _read_up_to(*, thread: Thread, user: User, message_id: int) -> None:
    ReadState.objects.get_or_create(thread=thread, user=user)
    # Only forwards: a page shown late never takes a read receipt back.
    ReadState.objects.filter(thread=thread, user=user, last_read_message_id__lt=message_id).update(
        last_read_message_id=message_id, last_read_at=timezone.now()
    )


def _notify_participants(*, subject: Subject, thread: Thread, author: User) -> None:
    now = timezone.now()
    recipients = [user for user in subject.participants() if user.pk != author.pk]
    ReadState.objects.bulk_create([ReadState(thread=thread, user=user) for user in recipients], ignore_conflicts=True)
    due = Q(last_emailed_at__isnull=True) | Q(last_emailed_at__lte=now - EMAIL_INTERVAL)
    programme = subject.programme
    rotation = subject.rotation
    context = {
        # A rotation's dates as ISO 8601, written in the reader's language (local_date) when sent.
        "thread_title": rotation.team.title if rotation else subject.title,
        "start": rotation.start_date.isoformat() if rotation else "",
        "end": rotation.end_date.isoformat() if rotation else "",
        "programme_title": programme.title,
        "organisation_name": str(programme.lead_organisation),
        "group": subject.is_group,
        "thread_url": absolute_url(subject.url),
    }
    for user in recipients:
        # Claimed with a conditional update: two messages at once e-mail a participant once.
        if ReadState.objects.filter(due, thread=thread, user=user).update(last_emailed_at=now) != 1:
            continue
        notify(
            kind="conversation_message",
            event_key=f"conversation-message:{thread.pk}:{user.pk}:{now.isoformat()}",
            recipient=user,
            context=context,
        )
