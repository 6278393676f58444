"""Celery tasks of the matcher: thin wrappers around its services, registered under stable names that the
apps below enqueue (globalir.refresh, matcher.rounds) through the task outbox.

They take ids, are idempotent (a refresh stores the same rows however often it runs; a round's run claims
the round first), retry with backoff when the database is unreachable, have time limits, and are
acknowledged only once they finished (acks_late with reject_on_worker_lost: a worker killed mid-refresh
leaves the task to another one; the refresh's transaction rolls back, so the previous results stay in
place meanwhile). Enqueued through the outbox (globalir.tasks.RELIABLE): a delivery of work already done does
nothing, and each refresh's writes commit with its "done" mark (outbox_atomic).
"""

from celery import shared_task
from django.db import transaction

from globalir.refresh import REFRESH_ALL_TASK, REFRESH_NEED_TASK, REFRESH_VOLUNTEER_TASK
from globalir.tasks import RELIABLE

from . import digest, host_rounds, round_run, store
from .models import MatchRound
from .round_selectors import match_round_ids_due
from .rounds import RUN_MATCH_ROUND_TASK, match_round_run_later

# A refresh's effects are all in the database: they commit with its outbox row's "done" mark.
REFRESH = {**RELIABLE, "outbox_atomic": True}


@shared_task(name=REFRESH_VOLUNTEER_TASK, **REFRESH, time_limit=120, soft_time_limit=100)
def refresh_volunteer_recommendations(volunteer_id: int) -> int:
    """Recompute one volunteer's recommendations; returns the number of rows written."""
    return store.recommendations_refresh_volunteers(volunteer_ids=[volunteer_id]).inserted


@shared_task(name=REFRESH_NEED_TASK, **REFRESH, time_limit=300, soft_time_limit=270)
def refresh_need_recommendations(need_id: int) -> int:
    """Recompute one need's suggested volunteers; returns the number of rows written."""
    return store.recommendations_refresh_needs(need_ids=[need_id]).inserted


@shared_task(name=REFRESH_ALL_TASK, **REFRESH, time_limit=1800, soft_time_limit=1700)
def refresh_all_recommendations() -> int:
    """Recompute every recommendation (nightly, and on demand from the admin); returns rows written."""
    return store.recommendations_refresh().inserted


@shared_task(name="matcher.send_weekly_digests", **RELIABLE, time_limit=3600, soft_time_limit=3300)
def send_weekly_digests() -> int:
    # Safe to run again: each volunteer's digest is keyed by the ISO week, so nobody gets two.
    return digest.digests_weekly_send()


# Enqueued through the task outbox (match_round_run_later): a delivery of a run already done does nothing.
@shared_task(name=RUN_MATCH_ROUND_TASK, **RELIABLE, time_limit=900, soft_time_limit=840)
def run_match_round(round_id: int, dry_run: bool = False) -> str:
    """Run one match round (or its dry run). Safe to deliver twice: the run claims the round first."""
    match_round = MatchRound.objects.filter(pk=round_id).first()
    if match_round is None:
        return "missing"
    return round_run.match_round_run(match_round=match_round, dry_run=dry_run).status


@shared_task(name="matcher.start_due_match_rounds", **RELIABLE, time_limit=120, soft_time_limit=100)
def start_due_match_rounds() -> int:
    """Every few minutes: run the rounds whose ranking deadline has passed (and any whose worker died)."""
    due = match_round_ids_due()
    with transaction.atomic():
        for round_id in due:
            match_round_run_later(round_id=round_id, dry_run=False, again=True)
    return len(due)


@shared_task(name="matcher.run_due_host_rounds", **RELIABLE, time_limit=300, soft_time_limit=270)
def run_due_host_rounds() -> int:
    """Every few minutes: run the host rounds (visiting professors) whose ranking deadline has passed. Each
    runs in its own transaction and is claimed first, so a delivery twice over runs nothing twice."""
    return host_rounds.host_rounds_run_due()
