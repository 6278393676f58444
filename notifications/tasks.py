from celery import shared_task

from globalir.tasks import RELIABLE

from . import services


# Sends through the task outbox (notify): a failing mail server is retried (TryLater), then the relay
# sends the task again later; the claim on the Notification row keeps each e-mail to one.
@shared_task(name=services.SEND_NOTIFICATION_TASK, **RELIABLE, time_limit=120, soft_time_limit=100)
def send_notification(notification_id: int) -> str:
    return services.notification_send(notification_id=notification_id)
