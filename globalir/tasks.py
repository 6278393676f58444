"""What every Celery task of the portal shares: its base class and the one set of options it is declared
with (``@shared_task(name=..., **RELIABLE, time_limit=..., soft_time_limit=...)``)."""

from celery import Task
from django.db import InterfaceError, OperationalError

from globalir.outbox import services as outbox
from globalir.outbox.services import TryLater


class OutboxAwareTask(Task):
    """A message whose task id names an outbox row (enqueued with `outbox.task_enqueue`) runs through
    `outbox.outbox_task_run`: claimed, and not run again once done or cancelled. Any other call (beat, a
    test, the shell) runs the task as usual. ``outbox_atomic = True`` commits the task's writes with its
    "done" mark, for tasks whose effects are all in the database.
    """

    outbox_atomic = False

    def __call__(self, *args, **kwargs):
        # Celery's tracer has pushed this delivery's request (its id is the task id); calling self.run
        # directly keeps it for retries, where Task.__call__ would push an empty one.
        outbox_id = outbox.outbox_id_from_task_id(self.request.id)
        if outbox_id is None:
            return super().__call__(*args, **kwargs)
        return outbox.outbox_task_run(
            outbox_id=outbox_id, atomic=self.outbox_atomic, run=lambda: self.run(*args, **kwargs)
        )


# Acknowledged only once it ran (a worker killed mid-task leaves it to another), retried with backoff while
# the database is unreachable or while a service says its failure may pass (TryLater: a mail server that is
# down). A task enqueued through the outbox and still failing with TryLater after its retries goes back to
# its row, which the relay sends again later. Each task is safe to run twice (see its service).
RELIABLE = {
    "base": OutboxAwareTask,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError, TryLater),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 5,
}
