"""Options the portal's Celery tasks share."""

from django.db import OperationalError

# Acknowledged only once it ran (a worker killed mid-task leaves it to another), retried with backoff while
# the database is unreachable; each task is safe to run twice (see its service).
RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 5,
}
