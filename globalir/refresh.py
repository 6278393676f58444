"""Asking the matcher to recompute its stored recommendations after a change, from any app.

The matcher is the top app: the apps whose changes move its scores (a volunteer's profile, a need, an
application accepted) sit below it and may not import it. They enqueue its refresh tasks by their
registered names through the task outbox: recorded in the caller's transaction, sent once it commits, and
coalesced, a burst of edits running one refresh (a refresh queued and not started stands for the later
requests; one that has started does not, so an edit made while it runs queues another). The matcher's
tasks (matcher/tasks.py) are registered under these names.
"""

from collections.abc import Iterable

from globalir.outbox.services import task_enqueue

REFRESH_VOLUNTEER_TASK = "matcher.refresh_volunteer"
REFRESH_NEED_TASK = "matcher.refresh_need"
REFRESH_ALL_TASK = "matcher.refresh_all"
# A burst of edits within this many seconds runs one refresh (ignored when tasks run eagerly).
REFRESH_DELAY_SECONDS = 3


def refresh_dedupe_key(kind: str, pk: int | None = None) -> str:
    """The outbox key of a refresh: while one is queued and not started, asking again adds nothing."""
    return f"matching:refresh:{kind}" + ("" if pk is None else f":{pk}")


def recommendations_refresh_volunteer_later(*, volunteer_id: int, owner_id: int | None) -> None:
    """Refresh the volunteer's recommendations once the current transaction commits (coalesced). `owner_id`
    is the volunteer's account: erasing it cancels the refresh."""
    task_enqueue(
        REFRESH_VOLUNTEER_TASK,
        args=[volunteer_id],
        dedupe_key=refresh_dedupe_key("volunteer", volunteer_id),
        countdown=REFRESH_DELAY_SECONDS,
        owner_id=owner_id,
    )


def recommendations_refresh_need_later(*, need_id: int) -> None:
    """Refresh the need's suggested volunteers once the current transaction commits (coalesced)."""
    task_enqueue(
        REFRESH_NEED_TASK,
        args=[need_id],
        dedupe_key=refresh_dedupe_key("need", need_id),
        countdown=REFRESH_DELAY_SECONDS,
    )


def recommendations_refresh_needs_later(*, need_ids: Iterable[int]) -> None:
    for need_id in sorted(set(need_ids)):
        recommendations_refresh_need_later(need_id=need_id)


def recommendations_refresh_all_later() -> None:
    """Run a full refresh once the current transaction commits (at most one queued at a time)."""
    task_enqueue(REFRESH_ALL_TASK, dedupe_key=refresh_dedupe_key("all"))
