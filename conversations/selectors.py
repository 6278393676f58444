"""Reads of threads: a page of messages as one participant sees it, unread counts for the dashboards, and a
message's attachment for those who may open it."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse

from globalir.accounts.models import User
from globalir.views import paginate
from programmes.teams import TeamSlot

from .models import Message, ReadState, Thread
from .subjects import Subject

MESSAGES_PER_PAGE = 25


def subject_thread(*, subject: Subject) -> Thread | None:
    """The subject's thread, or None before its first message."""
    return Thread.objects.filter(**subject.thread_lookup).first()


@dataclass
class Entry:
    message: Message
    author: str
    is_mine: bool
    read_by: list[str] = field(default_factory=list)


@dataclass
class ThreadPage:
    subject: Subject
    thread: Thread | None
    entries: list[Entry]  # oldest first: the newest message is at the bottom
    page: Page | None

    @property
    def is_newest(self) -> bool:
        return self.page is None or self.page.number == 1


def thread_page(*, request: HttpRequest, subject: Subject) -> ThreadPage:
    """A page of the subject's messages for the signed-in user: page 1 holds the newest, the next pages older
    ones. Each of the reader's own messages says who has read it (read receipts). Four queries."""
    viewer = request.user
    thread = subject_thread(subject=subject)
    if thread is None:
        return ThreadPage(subject=subject, thread=None, entries=[], page=None)
    messages = Message.objects.filter(thread=thread).select_related("author").order_by("-pk")
    page, _range = paginate(request, messages, MESSAGES_PER_PAGE)
    name = subject.namer(viewer)
    readers = [
        (state.last_read_message_id, name(state.user))
        for state in ReadState.objects.filter(thread=thread, last_read_message_id__gt=0)
        .exclude(user=viewer)
        .select_related("user")
        .order_by("user_id")
    ]
    entries = []
    for message in reversed(page.object_list):
        mine = message.author_id == viewer.pk
        entries.append(
            Entry(
                message=message,
                author=name(message.author),
                is_mine=mine,
                read_by=[who for last_read, who in readers if mine and last_read >= message.pk],
            )
        )
    return ThreadPage(subject=subject, thread=thread, entries=entries, page=page)


def _last_read(user: User):
    return Coalesce(
        Subquery(ReadState.objects.filter(thread=OuterRef("thread"), user=user).values("last_read_message_id")[:1]),
        0,
    )


def unread_counts(
    *,
    user: User,
    application_ids: Iterable[int] = (),
    need_ids: Iterable[int] = (),
    rotation_ids: Iterable[int] = (),
) -> dict[tuple[str, int], int]:
    """How many messages others wrote that `user` has not read, per thread subject: keys are
    ("application", id), ("need", id) and ("rotation", id); subjects with nothing unread are left out.
    One query."""
    subjects = Q(thread__application_id__in=list(application_ids))
    subjects |= Q(thread__need_id__in=list(need_ids)) | Q(thread__rotation_id__in=list(rotation_ids))
    rows = (
        Message.objects.filter(subjects)
        .exclude(author=user)
        .annotate(last_read=_last_read(user))
        .filter(pk__gt=F("last_read"))
        .values("thread__application_id", "thread__need_id", "thread__rotation_id")
        .annotate(unread=Count("pk"))
    )
    counts = {}
    for row in rows:
        for kind in ("application", "need", "rotation"):
            if row[f"thread__{kind}_id"] is not None:
                counts[(kind, row[f"thread__{kind}_id"])] = row["unread"]
    return counts


@dataclass
class ThreadLink:
    url: str
    unread: int = 0


def thread_links(
    *, user: User, application_ids: Iterable[int] = (), group_need_ids: Iterable[int] = ()
) -> dict[tuple[str, int], ThreadLink]:
    """The links to the threads of these applications, keyed ("application", id), and to the group threads of
    these needs, keyed ("group", need id): a team's slot has its rotation's group. With unread counts; two
    queries, however many."""
    application_ids, group_need_ids = list(application_ids), list(group_need_ids)
    rotations = dict(TeamSlot.objects.filter(need_id__in=group_need_ids).values_list("need_id", "rotation_id"))
    counts = unread_counts(
        user=user,
        application_ids=application_ids,
        need_ids=[pk for pk in group_need_ids if pk not in rotations],
        rotation_ids=set(rotations.values()),
    )
    links = {
        ("application", pk): ThreadLink(
            url=reverse("conversations:application-thread", args=[pk]), unread=counts.get(("application", pk), 0)
        )
        for pk in application_ids
    }
    for need_id in group_need_ids:
        if need_id in rotations:
            key = ("rotation", rotations[need_id])
            url = reverse("conversations:rotation-thread", args=[rotations[need_id]])
        else:
            key = ("need", need_id)
            url = reverse("conversations:need-thread", args=[need_id])
        links[("group", need_id)] = ThreadLink(url=url, unread=counts.get(key, 0))
    return links


def message_with_attachment(*, pk: int) -> Message | None:
    """A message with an attachment that is still there (not removed), with what its subject needs."""
    return (
        Message.objects.exclude(attachment="")
        .filter(removed_at__isnull=True)
        .select_related(
            "thread__application__need__programme__lead_organisation",
            "thread__application__volunteer",
            "thread__need__programme__lead_organisation",
            "thread__rotation__team__programme__lead_organisation",
        )
        .filter(pk=pk)
        .first()
    )


def thread_subject(thread: Thread) -> Subject:
    return Subject(application=thread.application, need=thread.need, rotation=thread.rotation)


def team_slot_rotation_id(*, need) -> int | None:
    """The rotation of a need that is a team's slot, or None for any other need."""
    return TeamSlot.objects.filter(need=need).values_list("rotation_id", flat=True).first()
