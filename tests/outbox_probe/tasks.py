"""The probe: a task enqueued through the outbox whose one effect is a row, so that a test can count how
often it took effect (never twice, even when its worker is killed midway)."""

import time

from celery import shared_task

from globalir.tasks import RELIABLE

from .models import OutboxProbe

# The longest a probe waits before it finishes.
PROBE_MAX_HOLD_SECONDS = 60


@shared_task(name="tests.outbox_probe.probe", **RELIABLE, outbox_atomic=True, time_limit=90, soft_time_limit=80)
def probe(token: str, hold_until: float = 0) -> str:
    """Write an OutboxProbe row, then wait until the time `hold_until` (seconds since the epoch) before
    committing: a worker killed while it waits must leave no row, and its redelivery exactly one."""
    OutboxProbe.objects.create(token=token[:64])
    time.sleep(max(0.0, min(hold_until - time.time(), PROBE_MAX_HOLD_SECONDS)))
    return token
