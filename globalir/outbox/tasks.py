"""The outbox's relay, sent by beat every minute."""

from celery import shared_task

from globalir.tasks import RELIABLE

from . import services


@shared_task(name="globalir.outbox.tasks.relay_outbox", **RELIABLE, time_limit=120, soft_time_limit=100)
def relay_outbox() -> int:
    """Publish the queued tasks the broker has not taken (it was down when they were saved) and those whose
    time to run again has come."""
    return services.outbox_relay()
