"""Celery tasks of the matcher: thin wrappers around programmes.matching.service.

They take ids, are idempotent (a refresh stores the same rows however often it runs), retry with backoff
when the database is unreachable, have time limits, and are acknowledged only once they finished
(acks_late with reject_on_worker_lost: a worker killed mid-refresh leaves the task to another one; the
refresh's transaction rolls back, so the previous results stay in place meanwhile).

Enqueued through the task outbox (`globalir.outbox`, base=OutboxAwareTask): a delivery of a refresh that
is already done does nothing, and each refresh's writes commit with its "done" mark (outbox_atomic).

Imported by programmes/tasks.py so that the worker's autodiscovery registers them.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from globalir.outbox.tasks import OutboxAwareTask

from . import service

RETRY = {
    "base": OutboxAwareTask,
    "outbox_atomic": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**RETRY, time_limit=120, soft_time_limit=100)
def refresh_volunteer_recommendations(volunteer_id: int) -> int:
    """Recompute one volunteer's recommendations; returns the number of rows written."""
    return service.recommendations_refresh_volunteers(volunteer_ids=[volunteer_id]).inserted


@shared_task(**RETRY, time_limit=300, soft_time_limit=270)
def refresh_need_recommendations(need_id: int) -> int:
    """Recompute one need's suggested volunteers; returns the number of rows written."""
    return service.recommendations_refresh_needs(need_ids=[need_id]).inserted


@shared_task(**RETRY, time_limit=1800, soft_time_limit=1700)
def refresh_all_recommendations() -> int:
    """Recompute every recommendation (nightly, and on demand from the admin); returns rows written."""
    return service.recommendations_refresh().inserted
