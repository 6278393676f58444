from celery import shared_task

from globalir.tasks import RELIABLE

from . import services


# Sends through the task outbox (notify): a failing mail server is retried (TryLater), then the relay
# sends the task again later; the claim on the Notification row keeps each e-mail to one.
@shared_task(name=services.SEND_NOTIFICATION_TASK, **RELIABLE, time_limit=120, soft_time_limit=100)
def send_notification(notification_id: int) -> str:
    return services.notification_send(notification_id=notification_id)


# A batch recorded by notify_many: each e-mail is claimed on its own, so a batch run again (after a retry,
# a redelivery or the relay) sends only those not sent yet.
@shared_task(name=services.SEND_NOTIFICATIONS_TASK, **RELIABLE, time_limit=900, soft_time_limit=840)
def send_notifications(notification_ids: list[int]) -> dict[str, int]:
    return services.notifications_send(notification_ids=notification_ids)
