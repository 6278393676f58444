"""The outbox's side of Celery: the base class of tasks enqueued through it, the relay and the probe."""

import time

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from . import services
from .models import OutboxProbe


class OutboxAwareTask(Task):
    """Base of every task enqueued with `services.task_enqueue`.

    A message whose task id names an outbox row runs through `services.outbox_task_run` (claimed, not run
    again once done or cancelled); any other call (beat, a test, the shell) runs the task as usual.
    ``outbox_atomic = True`` commits the task's writes with its "done" mark, for tasks whose effects are
    all in the database.
    """

    outbox_atomic = False

    def __call__(self, *args, **kwargs):
        # Celery's tracer has pushed this delivery's request (its id is the task id); calling self.run
        # directly keeps it for retries, where Task.__call__ would push an empty one.
        outbox_id = services.outbox_id_from_task_id(self.request.id)
        if outbox_id is None:
            return super().__call__(*args, **kwargs)
        return services.outbox_task_run(
            outbox_id=outbox_id, atomic=self.outbox_atomic, run=lambda: self.run(*args, **kwargs)
        )


@shared_task(
    name="globalir.outbox.tasks.relay_outbox",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
    time_limit=120,
    soft_time_limit=100,
)
def relay_outbox() -> int:
    """Every minute: publish the queued tasks the broker has not taken (it was down when they were saved)."""
    return services.outbox_relay()


# The longest a probe waits before it finishes.
PROBE_MAX_HOLD_SECONDS = 60


@shared_task(
    name="globalir.outbox.tasks.probe",
    base=OutboxAwareTask,
    outbox_atomic=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=90,
    soft_time_limit=80,
)
def probe(token: str, hold_until: float = 0) -> str:
    """Write an OutboxProbe row, then wait until the time `hold_until` (seconds since the epoch) before
    committing: a worker killed while it waits must leave no row, and its redelivery exactly one."""
    OutboxProbe.objects.create(token=token[:64])
    time.sleep(max(0.0, min(hold_until - time.time(), PROBE_MAX_HOLD_SECONDS)))
    return token
