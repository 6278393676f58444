"""Conversations' part of a person's export and erasure (globalir.privacy).

Export: the threads of their own applications with every message (what was written to them is about them),
and every message they wrote elsewhere (group threads, or as a coordinator); what others wrote in a group
is theirs, not the person's, and stays out.

Erasure: their messages stay in place, so that a thread still reads in order, but each is emptied ("This
message was removed" is shown) and its attachment deleted. In the threads of their own applications every
message goes the same way, coordinators' too: what was written to a volunteer about their placement is
personal data about them however it is worded. Their read receipts go with them.
"""

from typing import Any

from django.db.models import Q
from django.utils import timezone

from globalir.accounts.models import User
from globalir.privacy import export_record

from .models import Message, ReadState, Thread

EXPORT_MESSAGE_FIELDS = ("id", "body", "removed_at", "created_at")
EXPORT_READ_STATE_FIELDS = ("last_read_message_id", "last_read_at", "last_emailed_at")


def export(user: User) -> dict[str, Any]:
    # Subqueries, not joins, so that a thread is listed once however many messages it holds.
    threads = (
        Thread.objects.filter(
            Q(application__volunteer__user=user)
            | Q(pk__in=Message.objects.filter(author=user).values("thread_id"))
            | Q(pk__in=ReadState.objects.filter(user=user).values("thread_id"))
        )
        .select_related("application__need", "need", "rotation__team")
        .order_by("created_at", "pk")
    )
    messages = Message.objects.filter(Q(thread__application__volunteer__user=user) | Q(author=user)).order_by("pk")
    by_thread: dict[int, list] = {}
    for message in messages:
        by_thread.setdefault(message.thread_id, []).append(
            {
                **export_record(message, EXPORT_MESSAGE_FIELDS),
                "written_by_you": message.author_id == user.pk,
                "attachment": bool(message.attachment),
            }
        )
    read = {
        state.thread_id: export_record(state, EXPORT_READ_STATE_FIELDS) for state in ReadState.objects.filter(user=user)
    }
    return {
        "conversations": [
            {
                "id": thread.pk,
                "kind": thread.kind,
                "application": thread.application_id,
                "need": _need_title(thread),
                "rotation": thread.rotation_id,
                "team": thread.rotation.team.title if thread.rotation_id else None,
                "read_receipt": read.get(thread.pk),
                "messages": by_thread.get(thread.pk, []),
            }
            for thread in threads
        ]
    }


def _need_title(thread: Thread) -> str | None:
    if thread.application_id:
        return thread.application.need.title
    return thread.need.title if thread.need_id else None


def erase(user: User) -> dict[str, int] | None:
    removed = Message.objects.filter(
        Q(author=user) | Q(thread__application__volunteer__user=user), removed_at__isnull=True
    )
    for message in removed.exclude(attachment=""):
        message.attachment.delete(save=False)
    count = removed.update(body="", attachment="", removed_at=timezone.now())
    ReadState.objects.filter(user=user).delete()
    return {"messages removed": count} if count else None
