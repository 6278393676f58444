from celery import shared_task

from globalir.tasks import RELIABLE

from . import services


@shared_task(name="programmes.close_expired_needs", **RELIABLE, time_limit=300, soft_time_limit=240)
def close_expired_needs() -> int:
    return services.needs_close_expired()
