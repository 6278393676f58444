"""Benchmark: opening and running a match round of 2,000 applications (`make bench-match` runs it last).

Demo data (demo.loader, seed 1; 2,000 volunteers × 400 needs by default) in a throwaway database: a SQLite
file in a temporary folder, or with DATABASE_URL set a database ``<name>_bench_rounds`` on the same server,
created for the run and dropped after it. The programme with the most open needs gets 2,000 applications
(1,000 volunteers applying to two of its needs each). Then, timed with their queries counted:

open   `match_round_open`: the rankings, each need's applicants pre-sorted by score, an e-mail per volunteer;
run    `match_round_run` once every volunteer has ranked their needs: the stable matching, an offer per
       matched pair, each ranking's outcome, an e-mail per volunteer and per coordinator.

Tasks go to an in-memory broker (``memory://``), so the figures include publishing one task per e-mail
after the commit, as with Redis, but not sending the e-mails (the workers' job).

Targets (issue 20, on a 2-core machine): open < 0.5 s, run < 1 s, each in a number of queries that does not
grow with the round (tests/matcher/test_match_rounds.py asserts that at two sizes).

The machine is shared, so each row also gives the less noisy figures: the CPU time of this process
(`time.process_time`, which leaves out the database server's work and the waits), the time spent in SQL
(measured around each statement with `connection.execute_wrapper`) and the load average when it ran.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere
sys.path.insert(0, str(ROOT / "bench"))

from common import throwaway_database  # noqa: E402

TARGETS = {
    # figure: (label, limit in seconds)
    "open_seconds": ("opening a match round (2,000 applications)", 0.5),
    "run_seconds": ("running a match round (2,000 applications)", 1.0),
}


def configure_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "globalir.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ.pop("REDIS_URL", None)
    # A broker that takes messages at once and never delivers them: the e-mails are not sent in this process.
    os.environ["CELERY_BROKER_URL"] = "memory://"


def add_applications(count: int):
    """`count` applications to the programme with the most open needs, two per volunteer."""
    from django.db.models import Count, Q

    from placements.models import Application
    from programmes.models import Need, Programme
    from volunteers.models import VolunteerProfile

    programme = (
        Programme.objects.filter(status=Programme.Status.PUBLISHED)
        .annotate(open_needs=Count("needs", filter=Q(needs__status=Need.Status.OPEN)))
        .order_by("-open_needs", "pk")
        .first()
    )
    needs = list(Need.objects.filter(programme=programme, status=Need.Status.OPEN).order_by("pk"))
    volunteers = list(VolunteerProfile.objects.order_by("pk").values_list("pk", flat=True)[: count // 2])
    applications = []
    n = len(needs)
    for index, volunteer_id in enumerate(volunteers):
        # Two different needs, spread so that every need has applicants who also want another one.
        for need in (needs[index % n], needs[(index + 1 + (index // n) % (n - 1)) % n]):
            applications.append(
                Application(
                    volunteer_id=volunteer_id,
                    need=need,
                    message="Benchmark application.",
                    proposed_start=need.window_start,
                    proposed_end=need.window_end,
                )
            )
    Application.objects.bulk_create(applications)
    return programme, len(needs), len(applications)


def run(args) -> dict:
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from demo.loader import demo_data_replace
    from globalir.accounts.models import User
    from matcher import round_run, rounds
    from matcher.models import MatchRound, RoundRanking
    from organisations.selectors import organisation_coordinators

    start = time.perf_counter()
    demo_data_replace(volunteers=args.volunteers, needs=args.needs, seed=args.seed)
    programme, needs, applications = add_applications(args.applications)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"  {applications:,} applications to {needs} open needs of one programme "
        f"(data loaded in {time.perf_counter() - start:.1f} s, not counted)"
    )
    by = organisation_coordinators(organisation_ids=[programme.lead_organisation_id]).get(
        programme.lead_organisation_id
    ) or [User.objects.filter(is_superuser=True).first()]

    # A running server has loaded its URLs and views before it opens a round: so does this process.
    reverse("placements:dashboard")
    deadline = timezone.now() + datetime.timedelta(days=7)
    with CaptureQueriesContext(connection) as opening:
        match_round, opening_times = timed(
            args, rounds.match_round_open, programme=programme, ranking_deadline=deadline, by=by[0]
        )

    # Every volunteer ranks their needs (not counted).
    rng = random.Random(args.seed)
    rankings = list(RoundRanking.objects.filter(match_round=match_round).select_related("application"))
    own: dict[int, list[RoundRanking]] = {}
    for ranking in rankings:
        own.setdefault(ranking.application.volunteer_id, []).append(ranking)
    for choices in own.values():
        rng.shuffle(choices)
        for rank, ranking in enumerate(choices, start=1):
            ranking.volunteer_rank = rank
    RoundRanking.objects.bulk_update(rankings, ["volunteer_rank"], batch_size=500)
    MatchRound.objects.filter(pk=match_round.pk).update(started_at=timezone.now())

    with CaptureQueriesContext(connection) as running:
        match_round, running_times = timed(args, round_run.match_round_run, match_round=match_round, dry_run=False)
    if match_round.status != MatchRound.Status.DONE:
        raise SystemExit(f"the round did not finish: {match_round.status} {match_round.error}")
    print(f"  {len(own):,} volunteers; pairs matched: {match_round.result['pairs']:,}")
    line("open a round", opening_times, f"{len(opening)} queries")
    line("run the round", running_times, f"{len(running)} queries")
    return {
        "open_seconds": opening_times.seconds,
        "open_queries": len(opening),
        "open_times": opening_times,
        "run_seconds": running_times.seconds,
        "run_queries": len(running),
        "run_times": running_times,
        "database": connection.vendor,
    }


@dataclass
class Times:
    seconds: float  # wall clock
    cpu: float  # this process's CPU time
    sql: float  # wall clock spent executing statements (database work and round trips)
    load: str  # the 1, 5 and 15 minute load averages just before the call

    def __str__(self) -> str:
        return f"{self.seconds:.3f} s (CPU {self.cpu:.3f} s, SQL {self.sql:.3f} s, load {self.load})"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # not Linux
        return "?"


def timed(args, func, **kwargs) -> tuple[object, Times]:
    """Call func and time it; with --profile, print where its time went (the figures then include the
    profiler's cost)."""
    from django.db import connection

    sql = 0.0
    statements: list[tuple[float, str]] = []

    def sql_timer(execute, statement, params, many, context):
        nonlocal sql
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            took = time.perf_counter() - started
            sql += took
            statements.append((took, statement))

    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    # The data loader leaves garbage a server process would not carry: collected first, so that the
    # cyclic collector's passes over it are not counted in the call.
    gc.collect()
    load = load_average()
    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(sql_timer):
        value = func(**kwargs)
    times = Times(seconds=time.perf_counter() - started, cpu=time.process_time() - cpu_started, sql=sql, load=load)
    for took, statement in sorted(statements, key=lambda item: -item[0])[: args.slow_sql]:
        print(f"    {took * 1000:8.1f} ms  {statement[:160]}")
    if args.all_sql:
        for took, statement in statements:
            print(f"    {took * 1000:8.1f} ms  {statement[:120]}")
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile).sort_stats(args.profile_sort).print_stats(args.profile_lines)
    return value, times


def line(label: str, times: Times, note: str = "") -> None:
    print(f"  {label:<24} {times}{'   ' + note if note else ''}", flush=True)


def summary(figures: dict) -> None:
    print("Match rounds against the targets")
    for key, (label, limit) in TARGETS.items():
        value = figures[key]
        queries = figures[key.replace("seconds", "queries")]
        times = figures[key.replace("seconds", "times")]
        print(
            f"  {'PASS' if value < limit else 'FAIL'}  {label + ' on ' + figures['database']:<66} "
            f"{value:7.3f} s  (aim < {limit} s; {queries} queries; CPU {times.cpu:.3f} s, SQL {times.sql:.3f} s, "
            f"load {times.load})"
        )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=2_000)
    parser.add_argument("--needs", type=int, default=400)
    parser.add_argument("--applications", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print where the time of each call went")
    parser.add_argument("--profile-sort", default="cumulative", help="pstats sort key (cumulative, tottime…)")
    parser.add_argument("--profile-lines", type=int, default=40)
    parser.add_argument("--slow-sql", type=int, default=0, help="print this many of the slowest statements")
    parser.add_argument("--all-sql", action="store_true", help="print every statement in order, with its time")
    args = parser.parse_args(argv)
    configure_environment()
    with throwaway_database("rounds"):
        import django

        django.setup()
        from django.db import connection

        print(f"Match rounds on {connection.vendor}")
        figures = run(args)
    summary(figures)
    return figures


if __name__ == "__main__":
    main()
