"""Benchmark of the coordinator's workspace (/coordinate/) for a large organisation (`make bench-pages` runs it).

    .venv/bin/python bench/coordinate.py

Loads, with the demo generator and a fixed seed, 10,000 volunteers and 2,000 needs (--volunteers, --needs)
into a throwaway database: a SQLite file in a temporary folder by default; with DATABASE_URL set, a
database named ``<name>_bench_coordinate`` on the same server, created for the run and dropped after it.
The coordinator of the demo organisation with the most programmes is signed in; then, in-process with
django.test.Client (middleware, views, templates; no network): the median and p95 server time of
/coordinate/ over --repeat requests after --warmup, its queries (on one more request) and its bytes of
HTML; the same for the section of a programme's needs the page fetches when it is opened (htmx), if the
page has one; and the bare page (templates/base.html for the same visitor) as the floor.

Targets (issue 20): /coordinate/ ≤ 60 ms and ≤ 60 KB at 10,000 × 2,000, in a number of queries that does not
grow with the data (tests/programmes/test_workspace.py asserts that at two sizes).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere
sys.path.insert(0, str(ROOT / "bench"))

from common import bench_urlconf, configure_environment, percentile, throwaway_database  # noqa: E402

TIME_TARGET = 0.060  # seconds
SIZE_TARGET = 60_000  # bytes of HTML


def measure(client, url: str, args, **headers) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(args.warmup):
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "queries": len(queries),
        "bytes": len(response.content),
        "html": response.content.decode(),
    }


def run(args) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from demo.loader import demo_data_replace
    from organisations.models import Membership, Organisation

    settings.ROOT_URLCONF = bench_urlconf()
    start = time.perf_counter()
    demo_data_replace(volunteers=args.volunteers, needs=args.needs, seed=args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from programmes.models import Need, Programme

    top = Programme.objects.values("lead_organisation").annotate(n=Count("pk")).order_by("-n", "lead_organisation")[0]
    organisation = Organisation.objects.get(pk=top["lead_organisation"])
    user = Membership.objects.filter(organisation=organisation).select_related("user").order_by("pk").first().user
    programmes = Programme.objects.filter(lead_organisation=organisation).count()
    needs = Need.objects.filter(programme__lead_organisation=organisation).count()
    print(
        f"  {organisation}: {programmes} programmes, {needs:,} needs "
        f"(demo data loaded in {time.perf_counter() - start:.1f} s, not counted)"
    )

    client = Client()
    client.force_login(user)
    load_before = os.getloadavg()  # a demo coordinator has an authenticator app: the workspace, not the set-up
    bare = measure(client, "/__bench__/bare/", args)
    page = measure(client, "/coordinate/", args)
    if page["html"].count("<h1") == 0 or "Coordinate" not in page["html"]:
        raise SystemExit("/coordinate/ did not show the workspace (signed in as a coordinator?)")
    figures = {"database": connection.vendor, "bare": bare, "page": page}
    section = re.search(r'hx-get="(/coordinate/programmes/\d+/needs/)"', page["html"])
    if section:
        figures["section"] = measure(client, section.group(1), args, HX_Request="true")
    figures["load"] = (load_before, os.getloadavg())
    rows = page["html"].count("<tr>")
    print(f"  /coordinate/ shows {rows} table rows and {page['html'].count('<form')} forms")
    return figures


def report(figures: dict) -> None:
    bare, page = figures["bare"], figures["page"]
    print(f"Coordinator's workspace on {figures['database']}")
    rows = [("bare page (floor)", bare), ("/coordinate/", page)]
    if "section" in figures:
        rows.append(("a programme's needs section (htmx)", figures["section"]))
    for label, row in rows:
        print(
            f"  {label:<40} median {row['median'] * 1000:7.1f} ms  p95 {row['p95'] * 1000:7.1f} ms  "
            f"{row['queries']:3d} queries  {row['bytes'] / 1000:7.1f} KB  ({row['median'] / bare['median']:.1f}× bare)"
        )
    print("Figures against the targets (× bare: the median over the bare page's, measured in the same run)")
    ratio = page["median"] / bare["median"]
    for ok, label, figure, aim in (
        (
            page["median"] <= TIME_TARGET,
            "/coordinate/ median time",
            f"{page['median'] * 1000:.1f} ms ({ratio:.1f}× bare)",
            "≤ 60 ms",
        ),
        (page["bytes"] <= SIZE_TARGET, "/coordinate/ HTML", f"{page['bytes'] / 1000:.1f} KB", "≤ 60 KB"),
    ):
        print(f"  {'PASS' if ok else 'FAIL'}  {label:<30} {figure:>26}  ({aim})")
    before, after = figures["load"]
    print(
        f"  load average before / after: {' '.join(f'{x:.2f}' for x in before)} / {' '.join(f'{x:.2f}' for x in after)}"
        " (a loaded machine slows every figure; the ratio to the bare page less so)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    configure_environment()
    os.environ.pop("REDIS_URL", None)
    with throwaway_database("coordinate"):
        import django

        django.setup()
        figures = run(args)
    report(figures)


if __name__ == "__main__":
    main()
