"""The transactional outbox: enqueueing a task can neither lose it nor fail the save that asks for it.

`task_enqueue` writes an `OutboxTask` row in the caller's transaction: it commits or rolls back with the
change. Once the transaction has committed the row is published to the broker with short timeouts (a
broker that is down costs the request well under a second, never an error). A row the broker did not
take stays pending, and the relay (`outbox_relay`, a beat task every minute) publishes it once the broker
is back. With CELERY_TASK_ALWAYS_EAGER (the embedded default) "publishing" runs the task at once.

On the worker, tasks declared with ``base=OutboxAwareTask`` (every task: globalir.tasks.RELIABLE) run
through `outbox_task_run`: the row is claimed first and a row already done or cancelled is not run again, so
a message delivered twice (redelivered after a worker died, published by the commit and the relay both)
does its work once. A task that cannot finish yet (`TryLater` after its retries, or `task_run_again_later`)
puts its row back to pending with a time, and the relay sends it again then.

Tasks are enqueued by their registered names (an app never imports the tasks of an app above it). Every
process registers every task at start-up (apps.py), as the worker does.
"""

import contextvars
import datetime
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from celery import Task
from celery.exceptions import Retry
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from globalir.celery import app

from .models import OutboxTask

logger = logging.getLogger(__name__)

TASK_ID_PREFIX = "outbox-"
# Seconds a publish may wait for the broker (connecting, then each socket read and write).
PUBLISH_TIMEOUT = 0.4
# After a failed publish, later commits skip the broker for this long and leave their rows to the relay:
# a request that enqueues fifty refreshes pays for one timeout, not fifty.
BROKER_DOWN_PAUSE = 10.0
# The relay leaves rows this young to the commit that wrote them (it publishes them itself).
RELAY_GRACE = datetime.timedelta(seconds=30)
# A row sent this long ago and never started lost its message (the broker's data was lost): the relay
# publishes it again. Longer than the broker's visibility timeout (1 h), after which Redis itself hands
# an unacknowledged message to another worker.
MESSAGE_LOST = datetime.timedelta(hours=2)
# Finished rows are kept this long for the admin, then deleted by the relay.
KEEP_FINISHED = datetime.timedelta(days=30)
RELAY_BATCH = 500
# A task still failing with TryLater once its retries are spent waits this long before the relay sends it
# again (its own service decides when to give up for good).
TRY_LATER = datetime.timedelta(hours=1)

_broker_down_until = 0.0


class TryLater(Exception):
    """Raised by a service for a failure that may pass (a mail server that is down): the task retries with
    backoff (globalir.tasks.RELIABLE), then its outbox row waits TRY_LATER and is sent again."""


# Set by a task that cannot finish now but must not fail either (`task_run_again_later`).
_run_again_after: contextvars.ContextVar[datetime.timedelta | None] = contextvars.ContextVar(
    "outbox_run_again_after", default=None
)


def outbox_task_id(outbox_id: int) -> str:
    return f"{TASK_ID_PREFIX}{outbox_id}"


def outbox_id_from_task_id(task_id: str | None) -> int | None:
    """The row a Celery task id names, or None for a task sent some other way (beat, a test, the shell)."""
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return None
    number = task_id[len(TASK_ID_PREFIX) :]
    return int(number) if number.isdigit() else None


def task_enqueue(
    task: Task | str,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    dedupe_key: str = "",
    countdown: float = 0,
    owner_id: int | None = None,
) -> OutboxTask:
    """Record `task` to run with these JSON arguments once the current transaction commits.

    With `dedupe_key`, a row with the same key that is queued and not started yet stands for this request
    too and is returned instead (a burst of edits runs the work once; an edit made while it runs queues
    another). `countdown` delays the run by that many seconds; `owner_id` names the user whose data the
    task handles, so that erasing the account cancels it (`tasks_cancel_for_user`).
    """
    name = task if isinstance(task, str) else task.name
    if dedupe_key:
        queued = OutboxTask.objects.queued().filter(dedupe_key=dedupe_key).first()
        if queued is not None:
            return queued
    row = OutboxTask(
        task_name=name,
        args=list(args),
        kwargs=dict(kwargs or {}),
        dedupe_key=dedupe_key,
        owner_id=owner_id,
        not_before=timezone.now() + datetime.timedelta(seconds=countdown) if countdown else None,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # Another transaction queued the same work between the check and the insert.
        queued = OutboxTask.objects.queued().filter(dedupe_key=dedupe_key).first() if dedupe_key else None
        if queued is None:
            raise
        return queued
    transaction.on_commit(lambda: _publish_after_commit(row.pk))
    return row


def tasks_enqueue(task: Task | str, *, calls: Iterable[tuple[Sequence[Any], int | None]]) -> list[OutboxTask]:
    """Record many runs of `task` at once, one row per call (its JSON arguments and owner, as `task_enqueue`
    takes them), in one insert, to be published together once the current transaction commits. For work
    done in bulk (a match round's hundreds of e-mails); there is no coalescing key here."""
    name = task if isinstance(task, str) else task.name
    rows = [OutboxTask(task_name=name, args=list(args), kwargs={}, owner_id=owner_id) for args, owner_id in calls]
    if not rows:
        return []
    with transaction.atomic():
        OutboxTask.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _publish_after_commit(*ids))
    return rows


def _publish_after_commit(*outbox_ids: int) -> None:
    """Publish rows their transaction just committed. Never raises: the save that asked for them is done."""
    global _broker_down_until
    if not app.conf.task_always_eager and time.monotonic() < _broker_down_until:
        return  # the broker failed moments ago: the relay will publish these rows
    try:
        published = outbox_publish(ids=outbox_ids)
    except Exception:
        logger.exception("Could not publish queued tasks %s", outbox_ids[:10])
        return
    if not published and not app.conf.task_always_eager:
        _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE


def outbox_publish(*, ids: Iterable[int]) -> int:
    """Publish these rows if they are still pending; returns how many the broker took.

    Stops at the first broker error (the rest stay pending for the relay); a row's error is kept in its
    ``last_error``. Under eager Celery each task runs here, at once.
    """
    rows = list(OutboxTask.objects.filter(pk__in=list(ids), status=OutboxTask.Status.PENDING).order_by("pk"))
    return _publish(rows) if rows else 0


def _publish(rows: list[OutboxTask]) -> int:
    if app.conf.task_always_eager:
        for row in rows:
            _publish_one(row, connection=None)
        return len(rows)
    published = 0
    try:
        with _broker_connection() as connection:
            for row in rows:
                _publish_one(row, connection=connection)
                published += 1
    except Exception as error:
        logger.warning("Could not send %s queued tasks; the relay will (%s)", len(rows) - published, error)
        if published < len(rows):
            OutboxTask.objects.filter(pk=rows[published].pk, status=OutboxTask.Status.PENDING).update(
                last_error=f"Not sent: {error.__class__.__name__}: {error}"[:500]
            )
    finally:
        # Marked sent together, in one update, whether or not the broker failed midway: a row published but
        # left pending would only be published again by the relay, which its worker's claim makes harmless.
        _mark_sent([row.pk for row in rows[:published]])
    return published


def _mark_sent(ids: list[int]) -> None:
    if ids:
        OutboxTask.objects.filter(pk__in=ids, status__in=OutboxTask.QUEUED).update(
            status=OutboxTask.Status.SENT, sent_at=timezone.now(), last_error=""
        )


def _broker_connection():
    """A connection of its own, with short timeouts and no retries: the pooled one retries for seconds,
    and waits without limit on a broker that accepts connections but does not answer."""
    options = {
        "max_retries": 0,
        "socket_connect_timeout": PUBLISH_TIMEOUT,
        "socket_timeout": PUBLISH_TIMEOUT,
        "retry_on_timeout": False,  # redis-py's default retry would double the wait
    }
    return app.connection_for_write(connect_timeout=PUBLISH_TIMEOUT, transport_options=options)


def task_named(name: str) -> Task | None:
    """The task registered under `name`, or None (every app's tasks module is imported at start-up)."""
    return app.tasks.get(name)


def _publish_one(row: OutboxTask, *, connection) -> None:
    task = task_named(row.task_name)
    if task is None:
        OutboxTask.objects.filter(pk=row.pk).update(
            status=OutboxTask.Status.FAILED, last_error=f"No task named {row.task_name}", finished_at=timezone.now()
        )
        logger.error("Queued task %s names no known task (%s)", row.pk, row.task_name)
        return
    options: dict[str, Any] = {"task_id": outbox_task_id(row.pk), "retry": False}
    if row.not_before is not None and row.not_before > timezone.now():
        options["eta"] = row.not_before
    if connection is None:
        try:
            task.apply_async(args=row.args, kwargs=row.kwargs, **options)
        except Exception:
            # Run in this process (eager): the row already records the failure (outbox_task_run).
            logger.exception("Queued task %s (%s) failed", row.pk, row.task_name)
        return
    task.apply_async(args=row.args, kwargs=row.kwargs, connection=connection, **options)


def outbox_relay(*, now: datetime.datetime | None = None) -> int:
    """Publish what the broker has not taken: pending rows older than RELAY_GRACE (their commit could not
    reach the broker) whose time has come (a task put back to run later waits for its `not_before`), and
    rows sent more than MESSAGE_LOST ago and never started (the broker lost the message). Deletes rows
    finished more than KEEP_FINISHED ago. Returns how many rows were published."""
    global _broker_down_until
    now = now or timezone.now()
    due = Q(not_before__isnull=True) | Q(not_before__lte=now)
    rows = list(
        OutboxTask.objects.filter(
            Q(due, status=OutboxTask.Status.PENDING, created_at__lt=now - RELAY_GRACE)
            | Q(status=OutboxTask.Status.SENT, sent_at__lt=now - MESSAGE_LOST)
        ).order_by("pk")[:RELAY_BATCH]
    )
    published = _publish(rows) if rows else 0
    if published == len(rows):
        _broker_down_until = 0.0  # the broker is back: commits publish at once again
    OutboxTask.objects.filter(
        status__in=[OutboxTask.Status.DONE, OutboxTask.Status.CANCELLED], finished_at__lt=now - KEEP_FINISHED
    ).delete()
    return published


def outbox_task_run(*, outbox_id: int, run: Callable[[], Any], atomic: bool) -> Any:
    """Run one delivery of a queued task on the worker: claim the row, run, mark it done.

    The claim (attempts + 1) commits first, so the row shows each delivery even when one dies. A row done,
    failed or cancelled is not run again. With `atomic`, the task's writes and the "done" mark commit
    together, with the row locked: a delivery killed midway leaves nothing behind, and two deliveries
    running at once cannot both write. Without it the task must be idempotent (it runs again after a
    worker died, as with any acks_late task).
    """
    claimed = OutboxTask.objects.filter(pk=outbox_id, status__in=OutboxTask.UNFINISHED).update(
        status=OutboxTask.Status.STARTED, attempts=F("attempts") + 1, started_at=timezone.now()
    )
    if not claimed:
        logger.info("Queued task %s is finished, cancelled or gone: not run again", outbox_id)
        return None
    again = _run_again_after.set(None)
    try:
        if not atomic:
            result = run()
            _finish(outbox_id)
            return result
        with transaction.atomic():
            row = OutboxTask.objects.select_for_update().filter(pk=outbox_id, status=OutboxTask.Status.STARTED)
            if not row.exists():
                logger.info("Queued task %s finished or was cancelled meanwhile: not run again", outbox_id)
                return None
            result = run()
            _finish(outbox_id)
            return result
    except Retry as retry:
        # Celery sent the retry (same task id): the row stays started and the retry claims it again.
        _record_error(outbox_id, retry.exc or retry, status=OutboxTask.Status.STARTED)
        raise
    except TryLater as error:
        # Out of retries for a failure that may pass: the relay sends the task again after TRY_LATER.
        _record_error(outbox_id, error, status=OutboxTask.Status.STARTED)
        _put_back(outbox_id, after=TRY_LATER)
        raise
    except Exception as error:
        _record_error(outbox_id, error, status=OutboxTask.Status.FAILED)
        raise
    finally:
        _run_again_after.reset(again)


def task_run_again_later(*, after: datetime.timedelta) -> None:
    """Called by a task that found its work held elsewhere (an e-mail another delivery is sending): once it
    returns, its outbox row waits `after` and the relay sends it again, instead of being marked done. Does
    nothing when the task was not sent through the outbox (called directly, from beat or the shell)."""
    _run_again_after.set(after)


def _finish(outbox_id: int) -> None:
    after = _run_again_after.get()
    if after is None:
        _mark_done(outbox_id)
    else:
        _put_back(outbox_id, after=after)


def _put_back(outbox_id: int, *, after: datetime.timedelta) -> None:
    OutboxTask.objects.filter(pk=outbox_id, status=OutboxTask.Status.STARTED).update(
        status=OutboxTask.Status.PENDING, not_before=timezone.now() + after, sent_at=None
    )


def _mark_done(outbox_id: int) -> None:
    OutboxTask.objects.filter(pk=outbox_id, status=OutboxTask.Status.STARTED).update(
        status=OutboxTask.Status.DONE, finished_at=timezone.now(), last_error=""
    )


def _record_error(outbox_id: int, error: BaseException, *, status: str) -> None:
    update: dict[str, Any] = {"status": status, "last_error": f"{error.__class__.__name__}: {error}"[:500]}
    if status == OutboxTask.Status.FAILED:
        update["finished_at"] = timezone.now()
    OutboxTask.objects.filter(pk=outbox_id, status=OutboxTask.Status.STARTED).update(**update)


def tasks_cancel_for_user(*, user_id: int) -> int:
    """Part of erasing an account: cancel the user's queued tasks and strip every row of theirs of what
    names them (owner, arguments, coalescing key). Returns how many tasks were cancelled. A worker that
    receives a cancelled task's message does nothing."""
    mine = OutboxTask.objects.filter(owner_id=user_id)
    cancelled = mine.filter(status__in=OutboxTask.UNFINISHED).update(
        status=OutboxTask.Status.CANCELLED, finished_at=timezone.now()
    )
    mine.update(owner=None, args=[], kwargs={}, dedupe_key="")
    if cancelled:
        logger.info("Cancelled %s queued tasks of erased account %s", cancelled, user_id)
    return cancelled
