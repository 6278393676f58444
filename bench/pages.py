"""Benchmark of the opportunity pages (/opportunities/ and /opportunities/<id>/) against a bare Django page.

    .venv/bin/python bench/pages.py            # or: make bench-pages

Loads, with the demo generator and a fixed seed, 10,000 volunteers and 2,000 needs into a throwaway
database: a SQLite file in a temporary folder by default; with DATABASE_URL set, a database named
``<name>_bench_pages`` on the same server, created for the run and dropped after it. Then, in-process
with django.test.Client (middleware, views, templates; no network), for each page: median and p95
server time over --repeat requests after --warmup (pages timed in interleaved rounds, so that a busy
machine slows them all alike), queries per request (CaptureQueriesContext, on one more request so that
its bookkeeping is not timed), bytes of HTML and the same gzip-compressed (level 6, as GZipMiddleware
would send it). The floor is a bare view rendering templates/base.html, mounted next to the real URLs
by a small URLconf of this script, asked for by the same visitor (anonymous, or the signed-in
volunteer: session and user queries included); each page's median is printed as a multiple of it.
Last, the bytes a first visit transfers compressed: the list page's HTML plus every stylesheet and
script it links (gzip level 9, as whitenoise precompresses them).

The matcher's recommendations are stored first (as its nightly refresh would), so that "best fit" is
sorted by them in the database. Pages named "new query" add a parameter never asked for before: the
anonymous page is then rendered, not served from the shared cache (the first visitor after a change).

Targets: the list page, its htmx results fragment with 5 filters and the "best fit" order within 3x the
bare floor for the same visitor, at most 15 queries per request, "best fit" as fast over every need as
over a handful (the same queries, median within 1.5x: sorted in the database, a page reads its own rows),
under 60 KB (60,000 bytes) of HTML+CSS+JS transferred compressed on a first visit.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
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

QUERY_TARGET = 15
RATIO_TARGET = 3.0
CONSTANT_TARGET = 1.5  # "best fit" over every need / over a handful
FIRST_VISIT_TARGET = 60_000  # bytes


def gzipped(data: bytes, level: int) -> int:
    return len(gzip.compress(data, compresslevel=level, mtime=0))


def result_count(html: str) -> str:
    match = re.search(r"of (\d+) opportunit", html) or re.search(r"(\d+) opportunit", html)
    return match.group(1) if match else "-"


class Page:
    """One page to measure: who asks for what."""

    def __init__(
        self, name: str, client, url: str, *, params=None, headers=None, floor=None, is_list=False, new_query=False
    ):
        self.name, self.client, self.url = name, client, url
        self.params, self.headers = params or {}, headers or {}
        self.floor = floor  # the bare page for the same visitor; None for a floor itself
        self.is_list = is_list  # its ratio to the floor is a target
        self.new_query = new_query  # a query string never asked for before on each request
        self.requests = 0
        self.seconds: list[float] = []
        self.queries = 0
        self.html = b""

    def get(self):
        self.requests += 1
        params = {**self.params, "visit": self.requests} if self.new_query else self.params
        response = self.client.get(self.url, params, headers=self.headers)
        if response.status_code != 200:
            raise SystemExit(f"{self.name}: {self.url} answered {response.status_code}")
        return response

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.seconds, 0.95) * 1000

    @property
    def ratio(self) -> float:
        return self.median_ms / (self.floor or self).median_ms


def measure(pages: list[Page], *, warmup: int, repeat: int) -> None:
    """Times every page `repeat` times, in interleaved rounds so that a busy machine slows them all alike;
    then counts the queries of one more request of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        for _ in range(warmup):
            page.get()
    for _ in range(repeat):
        for page in pages:
            start = time.perf_counter()
            page.get()
            page.seconds.append(time.perf_counter() - start)
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            page.html = page.get().content
        page.queries = len(queries)


def linked_assets(html: str) -> list[Path]:
    """The stylesheets and scripts the page links, as files of the static folders."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    prefix = "/" + settings.STATIC_URL.lstrip("/")
    urls = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    urls += re.findall(r'<script[^>]+src="([^"]+)"', html)
    files = []
    for url in urls:
        found = finders.find(url.removeprefix(prefix).split("?")[0])
        if not found:
            raise SystemExit(f"the page links {url}, which is not a static file")
        files.append(Path(found))
    return files


def load_data(volunteers: int, needs: int, seed: int) -> None:
    from django.db import connection

    from demo.loader import demo_data_replace

    start = time.perf_counter()
    summary = demo_data_replace(volunteers=volunteers, needs=needs, seed=seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics after the bulk load, as autovacuum would give
    print(
        f"  demo data: {summary.counts.get('volunteers', 0):,} volunteers, {summary.counts.get('needs', 0):,} needs "
        f"in {time.perf_counter() - start:.1f} s"
    )


def run(args) -> None:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from matcher import fit
    from matcher.store import recommendations_refresh
    from programmes.models import Need
    from programmes.selectors import need_listed_queryset
    from volunteers.models import Profession, VolunteerProfile

    load_data(args.volunteers, args.needs, args.seed)
    start = time.perf_counter()
    recommendations_refresh()
    print(f"  matcher's recommendations stored in {time.perf_counter() - start:.1f} s")
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    listed = need_listed_queryset()
    print(f"  listed needs: {listed.count():,}")

    volunteer = (
        VolunteerProfile.objects.filter(
            profession=Profession.IR_PHYSICIAN,
            consent_to_share=True,
            onboarding_completed_at__isnull=False,
            offers_onsite=True,
            offers_remote=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    scores = fit.need_fit_scores(volunteer=fit.volunteer_data(volunteer), needs=listed)
    best = max(scores, key=scores.get) if scores else listed.order_by("pk").values_list("pk", flat=True).first()
    need_url = Need.objects.get(pk=best).get_absolute_url()
    print(f"  signed-in volunteer: {volunteer.user.email} ({len(scores):,} needs they are eligible for)")

    today = timezone.localdate()
    filters = {
        "region": "ssa",
        "mode": "onsite",
        "profession": "ir_physician",
        "available_from": (today + datetime.timedelta(days=30)).isoformat(),
        "available_until": (today + datetime.timedelta(days=240)).isoformat(),
    }
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(volunteer.user)
    htmx = {"HX-Request": "true"}
    bare = Page("bare page (anonymous)", anonymous, "/__bench__/bare/")
    bare_signed_in = Page("bare page (volunteer)", signed_in, "/__bench__/bare/")
    # A handful of needs for "best fit" to sort: one organisation's.
    handful = {"organisation": Need.objects.get(pk=best).programme.lead_organisation.slug}
    fit_all = Page(
        "/opportunities/?sort=fit (volunteer)",
        signed_in,
        "/opportunities/",
        params={"sort": "fit"},
        floor=bare_signed_in,
        is_list=True,
    )
    fit_handful = Page(
        "  ?sort=fit, one organisation's needs",
        signed_in,
        "/opportunities/",
        params={"sort": "fit", **handful},
        floor=bare_signed_in,
    )
    fragment = Page(
        "  htmx fragment, 5 filters", anonymous, "/opportunities/", params=filters, headers=htmx, floor=bare
    )
    fragment.is_list = True
    lists = [
        Page("/opportunities/", anonymous, "/opportunities/", floor=bare, is_list=True),
        Page("/opportunities/ with 5 filters", anonymous, "/opportunities/", params=filters, floor=bare, is_list=True),
        Page("/opportunities/?page=2", anonymous, "/opportunities/", params={"page": 2}, floor=bare, is_list=True),
        fragment,
        Page("  new query (rendered)", anonymous, "/opportunities/", floor=bare, new_query=True),
        Page(
            "  fragment, new query (rendered)",
            anonymous,
            "/opportunities/",
            params=filters,
            headers=htmx,
            floor=bare,
            new_query=True,
        ),
        Page("/opportunities/ (volunteer)", signed_in, "/opportunities/", floor=bare_signed_in, is_list=True),
        Page(
            "/opportunities/ 5 filters (volunteer)",
            signed_in,
            "/opportunities/",
            params=filters,
            floor=bare_signed_in,
            is_list=True,
        ),
        fit_all,
        fit_handful,
    ]
    details = [
        Page("/opportunities/<id>/", anonymous, need_url, floor=bare),
        Page("/opportunities/<id>/ (volunteer, fit)", signed_in, need_url, floor=bare_signed_in),
    ]
    pages = [bare, bare_signed_in, *lists, *details]
    with override_settings(ROOT_URLCONF=bench_urlconf()):
        measure(pages, warmup=args.warmup, repeat=args.repeat)
    first_html = lists[0].html

    print()
    print(
        f"  {args.repeat} timed requests per page after {args.warmup} warm-up, in interleaved rounds; server time "
        "in-process; × floor = median / the bare page's median for the same visitor"
    )
    header = (
        f"  {'page':<40} {'median':>8} {'p95':>8} {'× floor':>7} {'queries':>7} {'HTML':>8} {'gzip':>7} {'results':>7}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for page in pages:
        print(
            f"  {page.name:<40} {page.median_ms:6.2f}ms {page.p95_ms:6.1f}ms {page.ratio:6.1f}× {page.queries:7d} "
            f"{len(page.html):8,} {gzipped(page.html, 6):7,} {result_count(page.html.decode()):>7}"
        )

    print()
    print("  First visit to /opportunities/, compressed (HTML gzip -6, static files gzip -9):")
    total = gzipped(first_html, 6)
    print(f"    {'HTML':<44} {len(first_html):8,} B → {total:7,} B")
    for path in linked_assets(first_html.decode()):
        data = path.read_bytes()
        size = gzipped(data, 9)
        total += size
        print(f"    {str(path.relative_to(ROOT)):<44} {len(data):8,} B → {size:7,} B")
    print(f"    {'total':<44} {'':8}   → {total:7,} B")

    print()
    print("  Targets")
    verdicts = []

    def target(label: str, ok: bool, figure: str) -> None:
        verdicts.append(ok)
        print(f"    {'PASS' if ok else 'FAIL'}  {label:<74} {figure}")

    for page in lists:
        if page.is_list:
            target(
                f"{page.name.strip()} ≤ {RATIO_TARGET:.0f}× the bare floor",
                page.ratio <= RATIO_TARGET,
                f"{page.ratio:.1f}×",
            )
    handful_count = result_count(fit_handful.html.decode())
    growth = fit_all.median_ms / fit_handful.median_ms
    target(
        f"?sort=fit over {result_count(fit_all.html.decode())} needs as over {handful_count}: same queries, "
        f"≤ {CONSTANT_TARGET}× the time",
        fit_all.queries == fit_handful.queries and growth <= CONSTANT_TARGET,
        f"{fit_all.queries} vs {fit_handful.queries} queries, {growth:.2f}×",
    )
    for page in [*lists, *details]:
        target(f"{page.name.strip()} ≤ {QUERY_TARGET} queries", page.queries <= QUERY_TARGET, f"{page.queries}")
    target(
        f"first visit < {FIRST_VISIT_TARGET:,} B compressed",
        total < FIRST_VISIT_TARGET,
        f"{total:,} B ({total / 1024:.1f} KiB)",
    )
    print(f"  load average before / after: {load_before} / {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    if not all(verdicts):
        print("  some targets were missed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    args = parser.parse_args()

    configure_environment()
    print(f"Opportunity pages, {args.volunteers:,} volunteers × {args.needs:,} needs")
    with throwaway_database("pages"):
        import django

        django.setup()
        run(args)


if __name__ == "__main__":
    main()
