from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name=services.SEND_NOTIFICATION_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
    time_limit=120,
    soft_time_limit=100,
)
def send_notification(notification_id: int) -> str:
    return services.notification_send(notification_id=notification_id)


# The soft limit must be set with the hard one: the global CELERY_TASK_SOFT_TIME_LIMIT (540 s) is
# longer than 300 s, and Celery refuses to send a task whose soft limit exceeds its hard limit.
@shared_task(
    name="notifications.tasks.relay_pending_notifications",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    time_limit=300,
    soft_time_limit=240,
)
def relay_pending_notifications() -> int:
    return services.notifications_relay_pending()
