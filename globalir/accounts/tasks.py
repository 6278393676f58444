from celery import shared_task

from globalir.tasks import RELIABLE

from . import audit, services


@shared_task(name="globalir.accounts.tasks.prune_unverified_accounts", **RELIABLE, time_limit=600, soft_time_limit=540)
def prune_unverified_accounts() -> int:
    return services.accounts_prune_unverified()


@shared_task(name="globalir.accounts.tasks.prune_security_events", **RELIABLE, time_limit=600, soft_time_limit=540)
def prune_security_events() -> int:
    return audit.audit_events_prune()
