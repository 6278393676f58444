from celery import shared_task
from django.db import OperationalError

from . import audit, services

# Acknowledged only once it ran, retried while the database is unreachable; safe to run twice.
RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 5,
    "time_limit": 600,
    "soft_time_limit": 540,
}


@shared_task(name="globalir.accounts.tasks.prune_unverified_accounts", **RELIABLE)
def prune_unverified_accounts() -> int:
    return services.accounts_prune_unverified()


@shared_task(name="globalir.accounts.tasks.prune_security_events", **RELIABLE)
def prune_security_events() -> int:
    return audit.audit_events_prune()
