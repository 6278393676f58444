"""The probe: a task enqueued through the outbox whose one effect is a row, so that a test can count how
often it took effect (never twice, even when its worker is killed midway)."""

import time
from pathlib import Path

from celery import shared_task

from globalir.tasks import RELIABLE

from .models import OutboxProbe

# The longest a probe waits before it finishes.
PROBE_MAX_HOLD_SECONDS = 60


@shared_task(name="tests.outbox_probe.probe", **RELIABLE, outbox_atomic=True, time_limit=90, soft_time_limit=80)
def probe(token: str, hold_until: float = 0, release_file: str = "") -> str:
    """Write an OutboxProbe row, then wait until the time `hold_until` (seconds since the epoch), or until
    `release_file` exists, before committing: a worker killed while it waits must leave no row, and its
    redelivery exactly one. A test that kills the worker creates the file afterwards, so that it has the
    whole wait to see the probe running however late the worker started it, and the redelivery ends at once."""
    OutboxProbe.objects.create(token=token[:64])
    deadline = min(hold_until, time.time() + PROBE_MAX_HOLD_SECONDS)
    while True:
        time.sleep(max(0.0, min(0.05, deadline - time.time())))
        if time.time() >= deadline or (release_file and Path(release_file).exists()):
            return token
