from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    time_limit=300,
    soft_time_limit=240,
)
def close_expired_needs() -> int:
    return services.needs_close_expired()
