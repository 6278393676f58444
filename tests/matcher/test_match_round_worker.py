"""A match round run by a real Celery worker, its task delivered twice as a broker may redeliver."""

import datetime
import time

import pytest
from django.utils import timezone

from matcher import rounds
from matcher.models import MatchRound, RoundRanking
from placements.models import Application
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    NeedFactory,
    ProgrammeFactory,
    VolunteerProfileFactory,
)
from tests.test_celery_worker import WORKER_TIMEOUT_SECONDS, worker  # noqa: F401 (the fixture)

pytestmark = pytest.mark.usefixtures("seeded_transactional_db")


def test_a_real_worker_runs_a_match_round_once_even_when_the_task_comes_twice(worker):  # noqa: F811
    client, queue, process, log_path = worker
    coordinator = MembershipFactory().user
    programme = ProgrammeFactory(lead_organisation=coordinator.memberships.get().organisation)
    need = NeedFactory(programme=programme, places=1)
    first, second = (ApplicationFactory(need=need, volunteer=VolunteerProfileFactory()) for _ in range(2))
    match_round = rounds.match_round_open(
        programme=programme, ranking_deadline=timezone.now() + datetime.timedelta(days=1), by=coordinator
    )
    for application in (first, second):
        rounds.match_round_rank_needs(match_round=match_round, profile=application.volunteer, ranks={need.pk: 1})

    for _ in range(2):
        client.send_task("matcher.run_match_round", args=[match_round.pk, False], queue=queue)

    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        match_round.refresh_from_db()
        if match_round.status == MatchRound.Status.DONE and log_path.read_text().count("run_match_round") >= 4:
            break  # each task logs "received" and "succeeded"
        assert process.poll() is None, f"The Celery worker exited early:\n{log_path.read_text()}"
        time.sleep(0.2)
    else:
        pytest.fail(f"The worker did not run the round within {WORKER_TIMEOUT_SECONDS}s:\n{log_path.read_text()}")

    # The applicant the coordinators ranked first (the earlier application) is offered the one place.
    assert list(Application.objects.filter(status=Application.Status.OFFERED)) == [first]
    assert RoundRanking.objects.filter(match_round=match_round, outcome=RoundRanking.Outcome.MATCHED).count() == 1
    assert match_round.progress == 100
