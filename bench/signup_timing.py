"""Benchmark of the sign-up page: how long it answers for an address that has an account and for a new one.

    .venv/bin/python bench/signup_timing.py            # or: make bench-signup

Both answers are the same page, so that nobody learns whether an address has an account
(ACCOUNT_PREVENT_ENUMERATION); they must take as long too. The production password hasher (Django's
default, PBKDF2) is used, on a throwaway database: a SQLite file in a temporary folder by default; with
DATABASE_URL set, a database named ``<name>_bench_signup`` on the same server, created for the run and
dropped after it (bench/common.py). In-process with django.test.Client, a known address and a new one are posted in
alternation, --repeat times each after --warmup: median, p10 and p90 of each, and the difference of the
medians; and the median CPU time of this process for each, which a busy machine disturbs less. Rate
limits are off and e-mails kept in memory, so that only the portal's own work is timed.

Target: the medians within 10 % of each other (a stopwatch on the far side of a network cannot then
tell them apart in the few tries the rate limits allow).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere
sys.path.insert(0, str(ROOT / "bench"))

from common import configure_environment, percentile, throwaway_database  # noqa: E402 - once the path is set

RATIO_TARGET = 1.10
PASSWORD = "a-long-enough-passphrase-2027"  # noqa: S105 - a throwaway database's


def run(args) -> None:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import get_hasher
    from django.core import mail
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from globalir.accounts.models import User

    call_command("createcachetable", verbosity=0)
    known = "known.volunteer@example.org"
    user = User.objects.create_user(email=known, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=known, verified=True, primary=True)
    print(f"  password hasher: {get_hasher().algorithm} ({getattr(get_hasher(), 'iterations', '-')} iterations)")

    url = reverse("account_signup")
    client = Client()
    times: dict[str, list[float]] = {"known address": [], "new address": []}
    cpu: dict[str, list[float]] = {"known address": [], "new address": []}
    counter = 0

    def post(address: str) -> tuple[float, float]:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.post(url, {"email": address, "password1": PASSWORD, "password2": PASSWORD})
        elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        if response.status_code != 302 or response["Location"] != reverse("account_email_verification_sent"):
            raise SystemExit(f"{address}: answered {response.status_code} {response.get('Location', '')}")
        return elapsed, elapsed_cpu

    with override_settings(ACCOUNT_RATE_LIMITS=False, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for round_number in range(args.warmup + args.repeat):
            counter += 1
            pair = [("known address", known), ("new address", f"new.volunteer.{counter}@example.org")]
            if round_number % 2:
                pair.reverse()  # neither side always goes first
            for label, address in pair:
                client.cookies.clear()
                elapsed, elapsed_cpu = post(address)
                if round_number >= args.warmup:
                    times[label].append(elapsed)
                    cpu[label].append(elapsed_cpu)
        emails = len(mail.outbox)

    print(f"  {args.repeat} sign-ups of each kind after {args.warmup} of warm-up; {emails} e-mails sent")
    print(f"  {'':<15}{'median':>10}{'p10':>10}{'p90':>10}{'CPU median':>12}")
    for label, values in times.items():
        print(
            f"  {label:<15}{statistics.median(values) * 1000:>8.1f}ms"
            f"{percentile(values, 0.1) * 1000:>8.1f}ms{percentile(values, 0.9) * 1000:>8.1f}ms"
            f"{statistics.median(cpu[label]) * 1000:>10.1f}ms"
        )
    print(f"  load average during the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    known_median, new_median = (statistics.median(values) for values in times.values())
    ratio = max(known_median, new_median) / min(known_median, new_median)
    print(f"  difference of the medians: {(new_median - known_median) * 1000:+.1f} ms (ratio {ratio:.2f})")
    print(f"  target: ratio at most {RATIO_TARGET:.2f} — {'met' if ratio <= RATIO_TARGET else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed sign-ups of each kind")
    parser.add_argument("--warmup", type=int, default=2, help="untimed sign-ups of each kind first")
    args = parser.parse_args()

    configure_environment()
    os.environ.pop("REDIS_URL", None)  # tasks run in-process; the cache is a table of the throwaway database
    print("Sign-up: a known address against a new one")
    with throwaway_database("signup"):
        import django

        django.setup()
        from django.db import connection

        print(f"  database: {connection.vendor}")
        run(args)


if __name__ == "__main__":
    main()
