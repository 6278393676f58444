from celery import shared_task
from django.db import OperationalError, transaction

from globalir.outbox.tasks import OutboxAwareTask

from . import coordination, pipeline, services

# Every task here: acknowledged only once it ran (a worker killed mid-task leaves it to another),
# retried with backoff while the database is unreachable, and safe to run twice (see each service).
RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**RELIABLE, time_limit=300, soft_time_limit=240)
def close_expired_needs() -> int:
    return services.needs_close_expired()


@shared_task(**RELIABLE, time_limit=3600, soft_time_limit=3300)
def send_weekly_digests() -> int:
    # Safe to run again: each volunteer's digest is keyed by the ISO week, so nobody gets two.
    return services.digests_weekly_send()


@shared_task(**RELIABLE, time_limit=600, soft_time_limit=540)
def send_deadline_reminders() -> int:
    # Safe to run again: each reminder is keyed by need, deadline and coordinator, so nobody gets two.
    return coordination.needs_deadline_reminders_send()


@shared_task(**RELIABLE, time_limit=600, soft_time_limit=540)
def placements_feedback_request() -> int:
    # Safe to run again: each request is keyed by placement, side and recipient, so nobody is asked twice.
    return pipeline.placements_feedback_request_send()


# Match rounds (programmes.matching.rounds)


# Enqueued through the task outbox (match_round_run_later): a delivery of a run already done does nothing.
@shared_task(**RELIABLE, base=OutboxAwareTask, time_limit=900, soft_time_limit=840)
def run_match_round(round_id: int, dry_run: bool = False) -> str:
    """Run one match round (or its dry run). Safe to deliver twice: the run claims the round first."""
    from matcher.models import MatchRound

    from .matching.rounds import match_round_run

    match_round = MatchRound.objects.filter(pk=round_id).first()
    if match_round is None:
        return "missing"
    return match_round_run(match_round=match_round, dry_run=dry_run).status


@shared_task(**RELIABLE, time_limit=120, soft_time_limit=100)
def start_due_match_rounds() -> int:
    """Every few minutes: run the rounds whose ranking deadline has passed (and any whose worker died)."""
    from .matching.rounds import match_round_ids_due, match_round_run_later

    due = match_round_ids_due()
    with transaction.atomic():
        for round_id in due:
            match_round_run_later(round_id=round_id, dry_run=False, again=True)
    return len(due)


# The matcher's refresh tasks live in programmes/matching/tasks.py; importing them here registers them
# with the worker, whose autodiscovery looks in <app>.tasks only.
from .matching import tasks as matching_tasks  # noqa: E402, F401
