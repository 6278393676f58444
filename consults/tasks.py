from celery import shared_task

from globalir.tasks import RELIABLE

from . import services


@shared_task(name="consults.escalate_unclaimed", **RELIABLE, time_limit=300, soft_time_limit=240)
def escalate_unclaimed() -> int:
    return services.consult_escalate_due()


@shared_task(name="consults.purge_expired", **RELIABLE, time_limit=1800, soft_time_limit=1700)
def purge_expired() -> int:
    return services.consults_retention_purge()
