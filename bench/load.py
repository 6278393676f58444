"""Load benchmark: the portal under gunicorn with PostgreSQL and Redis, 50, 100 then 200 simulated users.

    .venv/bin/python bench/load.py [--users 50,100,200] [--duration 45]       # or: make bench-load

Sets up, from nothing: a throwaway PostgreSQL database (bench/common.py; DATABASE_URL honoured: a
database named ``<name>_bench_load`` on its server; by default
postgres://postgres@127.0.0.1:5432/globalir_bench_load), created and migrated for the run and dropped
after it; Redis for Celery's broker and the cache (REDIS_URL and
REDIS_CACHE_URL honoured; by default an empty database number of the local Redis, claimed for the run
and emptied after it); the directory, demo data (10,000 volunteers and 2,000 needs, fixed seed), the
matcher's stored recommendations, collectstatic and fresh planner statistics (VACUUM ANALYZE). Then it
serves the portal with gunicorn on a free loopback port (never 8000), configured by gunicorn.conf.py as in
production (--worker-class, --workers and --threads override it, to compare), with production
settings: DEBUG off, a random SECRET_KEY, manifest static files, production password hashing (PBKDF2,
deliberately slow: each sign-in costs a worker a few hundred milliseconds of CPU). Only
SECURE_SSL_REDIRECT is off and ALLOWED_HOSTS is 127.0.0.1, as the bench speaks plain HTTP to 127.0.0.1.

For each number of --users in turn, that many virtual users (threads, http.client) run for --duration
seconds on the same server and data, each from its own loopback
address (127.0.1.x), so that allauth's per-address rate limits apply to each as to a real visitor, with
no setting relaxed. Each repeats, with a think time between two requests (--think, 1–3 s), one of:
  browse     (6 in 9)  the home page, /opportunities/, 1–3 filtered lists (random filters composed from
                       the filter form's own fields, as a browser submits it: half as full pages, half as
                       the htmx fragment the form asks for when JavaScript runs), 1–2 need pages;
  directory  (2 in 9)  /organisations/, sometimes filtered, and an organisation's page;
  sign in    (1 in 9)  the login form, the POST of a demo volunteer's e-mail and password, the
                       dashboard, the opportunities sorted by fit, and sign out (POST).
  api        (--api N: N in 9+N; off by default) a partner's site reading the public API: /api/v1/needs/ with
                       1–3 of the same random filters, its next cursor page or two, and one need.
Static files are not requested (browsers cache them; whitenoise serves them without touching Django).

Prints, for each number of users (a stage), per group of pages and overall: requests, requests per second,
p50/p95/p99/max latency as the client measured it (connect to last byte, exact percentiles over every
request), and errors (a connection failure, a 5xx, or any status the step did not expect, such as a 429
from a rate limit or a login form shown again). Sign-ins (the POST that checks a password: a few hundred
milliseconds of CPU by design) are counted apart from browsing (every other request), with latency rows of
their own. The CPU that gunicorn and the bench database's PostgreSQL backends used is read from /proc every
half second by a sampler thread through each stage and through the whole run, so that a backend that
comes and goes in between (Django reopens its connections after CONN_MAX_AGE) still counts. Last, one
table of every stage: browsing and sign-ins, p50/p95/max, throughput and errors, each with its aim and
PASS/FAIL. Aims: browsing p95 < 300 ms and zero errors at every stage (200 users is the issue's bar), on
this 2-core machine; sign-ins zero errors (their latency is shown, not judged: the hashing is slow by
design).
The gunicorn workers and the database are torn down at the end, also on Ctrl-C.

Why not locust: its dependencies (gevent, Flask, pyzmq, …) would join requirements-dev.txt for one
script; its percentiles are bucketed; and it cannot give each user its own source address.
"""

from __future__ import annotations

import argparse
import html
import http.client
import os
import random
import re
import resource
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere
sys.path.insert(0, str(ROOT / "bench"))

from common import percentile, throwaway_database  # noqa: E402 - once the path is set

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/globalir"  # the bench's is <name>_bench_load
DEFAULT_REDIS = ("127.0.0.1", 6379)
REDIS_CLAIM_KEY = "globalir:bench-load:claim"
P95_TARGET_MS = 300.0
SIGN_IN_GROUP = "sign-in (POST, PBKDF2)"
SCENARIOS = {"browse": 6, "directory": 2, "sign_in": 1}
API_GROUP = "api: "  # the API scenario's groups (--api), also reported together
KEYWORDS = ["embolisation", "ultrasound", "training", "drainage", "biopsy", "reporting", "CT", "nurse", "Tanzania"]


# --------------------------------------------------------------------------------------------------
# Setting up and tearing down: database, Redis, gunicorn
# --------------------------------------------------------------------------------------------------


def admin_connection(database_url: str, *, database: str = "postgres"):
    """An autocommit connection to the server's maintenance database (to create and drop the bench's),
    or to another of its databases."""
    import psycopg2

    parts = urlsplit(database_url)
    connection = psycopg2.connect(
        dbname=database,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
    )
    connection.autocommit = True
    return connection


def database_analyze(database_url: str) -> float:
    """Fresh planner statistics, as a database that has been running has: rows just loaded have none until
    autovacuum comes by, and the planner's guesses then slow the first minute of the run."""
    start = time.perf_counter()
    connection = admin_connection(database_url, database=urlsplit(database_url).path.lstrip("/"))
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()
    return time.perf_counter() - start


@dataclass
class RedisChoice:
    broker_url: str
    cache_url: str
    claimed_db: int | None = None  # a database this run claimed (it was empty) and empties at the end


def redis_choose(duration: int) -> RedisChoice:
    """REDIS_URL (and REDIS_CACHE_URL) when set; otherwise an empty database number of the local Redis,
    claimed with a key so that two bench runs never share one."""
    url = os.environ.get("REDIS_URL")
    if url:
        cache = os.environ.get("REDIS_CACHE_URL") or urlsplit(url)._replace(path="/1").geturl()
        return RedisChoice(url, cache)
    import redis

    host, port = DEFAULT_REDIS
    for number in range(15, 0, -1):
        client = redis.Redis(host=host, port=port, db=number)
        if client.dbsize() == 0 and client.set(REDIS_CLAIM_KEY, os.getpid(), nx=True, ex=duration + 3600):
            url = f"redis://{host}:{port}/{number}"
            return RedisChoice(url, url, claimed_db=number)
    raise SystemExit(f"no empty Redis database on {host}:{port}: set REDIS_URL")


def redis_release(choice: RedisChoice) -> None:
    """Empties the database this run claimed (the broker's unconsumed tasks, the cache), if still ours."""
    if choice.claimed_db is None:
        return
    import redis

    client = redis.Redis(host=DEFAULT_REDIS[0], port=DEFAULT_REDIS[1], db=choice.claimed_db)
    if client.get(REDIS_CLAIM_KEY) == str(os.getpid()).encode():
        client.flushdb()


def free_port() -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port != 8000:
            return port


def server_environment(database_url: str, redis: RedisChoice) -> dict[str, str]:
    """Production settings, on the bench's database and Redis, reachable over plain HTTP on 127.0.0.1."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Whatever the caller's shell sets for development does not apply to this server.
        if key not in {"DEBUG", "STATIC_MANIFEST", "SQLITE_PATH", "CELERY_BROKER_URL", "CSRF_TRUSTED_ORIGINS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="globalir.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis.broker_url,
        REDIS_CACHE_URL=redis.cache_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str, log: Path) -> float:
    start = time.perf_counter()
    with log.open("a") as out:
        out.write(f"$ manage.py {' '.join(args)}\n")
        out.flush()
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, stdout=out, stderr=out
        )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed; see {log}:\n{log.read_text()[-3000:]}")
    return time.perf_counter() - start


class Server:
    """gunicorn serving globalir.wsgi in a process group of its own (so that it is stopped whole)."""

    def __init__(self, env: dict[str, str], *, port: int, log: Path):
        self.port, self.log = port, log
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603 - the virtualenv's gunicorn, fixed arguments
            [
                str(gunicorn),
                "--config=gunicorn.conf.py",
                "globalir.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--graceful-timeout=5",
                "--backlog=2048",
            ],
            env=env,
            cwd=ROOT,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/", headers={"Host": f"127.0.0.1:{self.port}"})
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return
                raise SystemExit(f"gunicorn answers / with {status}:\n{self.log.read_text()[-3000:]}")
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU each process has used so far (Linux /proc), by process id."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


def server_processes(server: Server, database_url: str) -> dict[str, list[int]]:
    """gunicorn's master and workers (its process group) and the PostgreSQL backends of the bench database.

    A backend that closed before the second reading is missing from it (Django reopens its connections
    after DB_CONN_MAX_AGE, 60 s), so PostgreSQL's figure is a floor."""
    group = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == server.process.pid:
                group.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    connection = admin_connection(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [urlsplit(database_url).path[1:]])
            backends = [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()
    return {"gunicorn": group, "PostgreSQL": backends}


def cpu_used_between(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds each side used between two readings (a process started in between counts whole)."""
    return {side: sum(seconds - before[side].get(pid, 0.0) for pid, seconds in after[side].items()) for side in after}


class CpuSampler(threading.Thread):
    """The CPU gunicorn's processes and the bench database's PostgreSQL backends use, read every `interval`
    seconds while the users run: a backend that closes meanwhile (Django reopens its connections after
    CONN_MAX_AGE) keeps what it used up to its last reading, instead of vanishing from the total."""

    def __init__(self, server: Server, database_url: str, *, interval: float = 0.5):
        super().__init__(name="cpu-sampler", daemon=True)
        self.server, self.database_url, self.interval = server, database_url, interval
        self.stop_event = threading.Event()
        self.first: dict[str, dict[int, float]] = {}
        self.last: dict[str, dict[int, float]] = defaultdict(dict)

    def read(self) -> dict[str, dict[int, float]]:
        return {side: cpu_seconds(pids) for side, pids in server_processes(self.server, self.database_url).items()}

    def run(self) -> None:
        while True:
            for side, used in self.read().items():
                self.last[side].update(used)
            if self.stop_event.wait(self.interval):
                break

    def __enter__(self) -> CpuSampler:
        self.first = self.read()
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.join()
        for side, used in self.read().items():
            self.last[side].update(used)

    def used(self) -> dict[str, float]:
        """CPU seconds each side used during the run (a process started in between counts whole)."""
        return cpu_used_between(self.first, dict(self.last))


# --------------------------------------------------------------------------------------------------
# The simulated users
# --------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    group: str
    seconds: float
    status: int
    ok: bool
    path: str


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


@dataclass
class SiteMap:
    """What the users pick from: need pages, organisation pages, the filter forms' fields, accounts."""

    need_paths: list[str]
    organisation_paths: list[str]
    opportunity_fields: dict[str, list[str]]  # field name → option values ([] for a free-text or date field)
    directory_fields: dict[str, list[str]]
    volunteer_emails: list[str]
    password: str


def form_fields(page: str, form_class: str) -> dict[str, list[str]]:
    """The named fields of the first <form> whose class contains form_class, with their <option> values."""
    match = re.search(rf'<form[^>]*class="[^"]*{form_class}[^"]*"[^>]*>(.*?)</form>', page, re.S)
    if not match:
        raise SystemExit(f"no form with class {form_class!r} on the page")
    body = match.group(1)
    fields: dict[str, list[str]] = {}
    for tag, name in re.findall(r'<(select|input)[^>]*\bname="([^"]+)"', body):
        fields[name] = []
        if tag == "select":
            select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', body, re.S)
            values = re.findall(r'<option[^>]*value="([^"]*)"', select.group(1)) if select else []
            fields[name] = [html.unescape(value) for value in values if value]
    return fields


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise ValueError("no CSRF token on the page")
    return match.group(1)


class VirtualUser(threading.Thread):
    def __init__(self, index: int, *, port: int, site: SiteMap, recorder: Recorder, args, stop: threading.Event):
        super().__init__(name=f"user-{index}", daemon=True)
        self.index, self.port, self.site, self.recorder, self.stop_event = index, port, site, recorder, stop
        self.rng = random.Random(index)  # noqa: S311 - traffic shape, not security
        self.address = f"127.0.{1 + index // 250}.{1 + index % 250}"
        self.think = args.think
        self.api_weight = args.api
        self.deadline = 0.0
        self.start_after = 0.0
        self.cookies: dict[str, str] = {}

    # HTTP, with a cookie jar of its own (the Secure flag is ignored: the bench speaks plain HTTP)

    def request(self, method: str, path: str, group: str, *, form=None, headers=None, expect=(200,)) -> str:
        body = urlencode(form).encode() if form is not None else None
        sent = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "globalir-bench-load", "Accept": "text/html"}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.address, 0))
        start = time.perf_counter()
        status, text = 0, ""
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            seconds = time.perf_counter() - start
            status = response.status
            text = data.decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                self.remember(header)
        except (OSError, http.client.HTTPException):
            seconds = time.perf_counter() - start
        finally:
            connection.close()
        self.recorder.add(Sample(group, seconds, status, status in expect, path))
        self.pause()
        return text if status in expect else ""

    def remember(self, header: str) -> None:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def pause(self) -> None:
        self.stop_event.wait(self.rng.uniform(*self.think))

    @property
    def over(self) -> bool:
        return self.stop_event.is_set() or time.monotonic() >= self.deadline

    # What a visitor does

    def filtered_query(self, fields: dict[str, list[str]], *, sort: str | None = None) -> str:
        """A random choice of 1–3 filters, every other field of the form sent empty, as a browser does."""
        values = dict.fromkeys(fields, "")
        candidates = [name for name in fields if name not in {"sort", "page"}]
        for name in self.rng.sample(candidates, min(len(candidates), self.rng.randint(1, 3))):
            options = fields[name]
            if options:
                values[name] = self.rng.choice(options)
            elif name == "q":
                values[name] = self.rng.choice(KEYWORDS)
            elif name.startswith("available_"):
                values[name] = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * self.rng.randint(10, 300)))
            elif name.startswith("duration_"):
                values[name] = str(self.rng.choice([7, 14, 30, 60, 90]))
        if sort is not None:
            values["sort"] = sort
        elif fields.get("sort") and self.rng.random() < 0.3:
            values["sort"] = self.rng.choice(fields["sort"])
        return urlencode(values)

    def browse(self) -> None:
        self.request("GET", "/", "home")
        if self.over:
            return
        page = self.request("GET", "/opportunities/", "opportunities")
        for _ in range(self.rng.randint(1, 3)):
            if self.over:
                return
            query = self.filtered_query(self.site.opportunity_fields)
            if self.rng.random() < 0.5:
                self.request("GET", f"/opportunities/?{query}", "opportunities, filtered (page)")
            else:
                headers = {"HX-Request": "true", "HX-Current-URL": f"http://127.0.0.1:{self.port}/opportunities/"}
                self.request("GET", f"/opportunities/?{query}", "opportunities, filtered (htmx)", headers=headers)
        listed = re.findall(r'href="(/opportunities/\d+/)"', page) or self.site.need_paths
        for _ in range(self.rng.randint(1, 2)):
            if self.over:
                return
            self.request("GET", self.rng.choice(listed), "need detail")

    def directory(self) -> None:
        path = "/organisations/"
        if self.rng.random() < 0.5:
            path += "?" + self.filtered_query(self.site.directory_fields)
        page = self.request("GET", path, "directory")
        organisations = re.findall(r'href="(/organisations/[a-z0-9-]+/)"', page)
        organisations = [p for p in organisations if p.rsplit("/", 2)[1] not in {"request", "requests"}]
        if not self.over:
            self.request("GET", self.rng.choice(organisations or self.site.organisation_paths), "organisation")

    def sign_in(self) -> None:
        email = self.site.volunteer_emails[self.index % len(self.site.volunteer_emails)]
        self.cookies.clear()
        form = self.request("GET", "/accounts/login/", "sign-in form")
        if not form or self.over:
            return
        credentials = {"login": email, "password": self.site.password, "csrfmiddlewaretoken": csrf_token(form)}
        # Signed in: a redirect and a session cookie (a login form shown again is an error: not a 302).
        self.request("POST", "/accounts/login/", SIGN_IN_GROUP, form=credentials, expect=(302,))
        if "sessionid" not in self.cookies or self.over:
            return
        dashboard = self.request("GET", "/me/", "dashboard")
        if not self.over:
            # "Best fit" first: the order only a volunteer with a profile is offered.
            query = self.filtered_query(self.site.opportunity_fields, sort="fit")
            self.request("GET", f"/opportunities/?{query}", "opportunities by fit (signed in)")
        if dashboard:
            token = {"csrfmiddlewaretoken": csrf_token(dashboard)}
            self.request("POST", "/accounts/logout/", "sign-out (POST)", form=token, expect=(302,))
        self.cookies.clear()

    def api(self) -> None:
        """A partner's site reading the public API: filtered needs, the next pages, one need. A 400 is the API's
        answer to random filters that contradict each other (an end before the start), not an error."""
        headers = {"Accept": "application/json"}
        query = self.filtered_query(self.site.opportunity_fields)
        text = self.request(
            "GET", f"/api/v1/needs/?{query}", API_GROUP + "needs, filtered", headers=headers, expect=(200, 400)
        )
        for _ in range(self.rng.randint(1, 2)):
            match = re.search(r'"next":"(http[^"]+)"', text)
            if not match or self.over:
                break
            next_page = urlsplit(match.group(1))
            text = self.request("GET", f"{next_page.path}?{next_page.query}", API_GROUP + "next page", headers=headers)
        ids = re.findall(r'"id":(\d+),"title"', text) or [path.split("/")[2] for path in self.site.need_paths]
        if ids and not self.over:
            self.request("GET", f"/api/v1/needs/{self.rng.choice(ids)}/", API_GROUP + "one need", headers=headers)

    def run(self) -> None:
        self.stop_event.wait(max(0.0, self.start_after - time.monotonic()))
        scenarios = {**SCENARIOS, "api": self.api_weight} if self.api_weight else SCENARIOS
        names, weights = zip(*scenarios.items(), strict=True)
        while not self.over:
            scenario = self.rng.choices(names, weights)[0]
            try:
                getattr(self, scenario)()
            except ValueError:  # a page without the form it should have: already counted as an error
                self.pause()


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """One row of the final table: a kind of request in one stage."""

    requests: int
    rps: float
    p50: float  # ms
    p95: float
    max: float
    errors: int


def figures_of(rows: list[Sample], seconds: float) -> Figures:
    times = [row.seconds * 1000 for row in rows] or [0.0]
    return Figures(
        requests=len(rows),
        rps=len(rows) / seconds,
        p50=percentile(times, 0.5),
        p95=percentile(times, 0.95),
        max=max(times),
        errors=sum(1 for row in rows if not row.ok),
    )


def report(samples: list[Sample], seconds: float) -> dict[str, Figures]:
    groups: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        groups[sample.group].append(sample)
    header = f"  {'pages':<34} {'requests':>8} {'rps':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'errors':>6}"
    print(header)
    print("  " + "-" * (len(header) - 2))

    def line(name: str, rows: list[Sample]) -> None:
        times = [row.seconds * 1000 for row in rows]
        errors = sum(1 for row in rows if not row.ok)
        print(
            f"  {name:<34} {len(rows):8d} {len(rows) / seconds:6.1f} {percentile(times, 0.5):6.0f}ms "
            f"{percentile(times, 0.95):6.0f}ms {percentile(times, 0.99):6.0f}ms {max(times):6.0f}ms {errors:6d}"
        )

    for name in sorted(groups, key=lambda name: -len(groups[name])):
        line(name, groups[name])
    print("  " + "-" * (len(header) - 2))
    browsing = [sample for sample in samples if sample.group != SIGN_IN_GROUP]
    line("browsing (all but sign-ins)", browsing)
    if groups.get(SIGN_IN_GROUP):
        line("sign-ins", groups[SIGN_IN_GROUP])
    api = [sample for sample in samples if sample.group.startswith(API_GROUP)]
    if api:
        line("api (all its requests)", api)
    line("all", samples)
    errors = [sample for sample in samples if not sample.ok]
    for sample in errors[:10]:
        print(f"    error: {sample.group}: {sample.path} answered {sample.status or 'no response'}")
    return {
        "browsing": figures_of(browsing, seconds),
        "sign-ins": figures_of(groups.get(SIGN_IN_GROUP, []), seconds),
    }


# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------


def site_map(env: dict[str, str], port: int) -> SiteMap:
    """Accounts from the bench database (Django in this process), forms and links from the pages."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from demo.loader import DEMO_PASSWORD
    from globalir.accounts.models import User

    emails = list(
        User.objects.filter(
            email__startswith="demo-volunteer-", volunteer_profile__onboarding_completed_at__isnull=False
        )
        .order_by("email")
        .values_list("email", flat=True)[:500]
    )
    connection.close()

    def get(path: str) -> str:
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        client.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
        response = client.getresponse()
        text = response.read().decode()
        client.close()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        return text

    opportunities = get("/opportunities/")
    directory = get("/organisations/")
    return SiteMap(
        need_paths=sorted(set(re.findall(r'href="(/opportunities/\d+/)"', opportunities))),
        organisation_paths=sorted(
            path
            for path in set(re.findall(r'href="(/organisations/[a-z0-9-]+/)"', directory))
            if path not in {"/organisations/request/", "/organisations/requests/"}
        ),
        opportunity_fields=form_fields(opportunities, "opportunity-filters"),
        directory_fields=form_fields(directory, "filters"),
        volunteer_emails=emails,
        password=DEMO_PASSWORD,
    )


def warm_up(port: int, site: SiteMap, workers: int) -> None:
    """Every worker imports its templates and fills its caches before the timed run."""
    paths = ["/", "/opportunities/", "/organisations/", "/accounts/login/", *site.need_paths[:3]]
    for _ in range(workers):
        for path in paths:
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            client.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
            client.getresponse().read()
            client.close()


def run_users(port: int, site: SiteMap, args, *, count: int) -> tuple[list[Sample], float]:
    recorder, stop = Recorder(), threading.Event()
    users = [
        VirtualUser(index, port=port, site=site, recorder=recorder, args=args, stop=stop) for index in range(count)
    ]
    start = time.monotonic()
    ramp = min(5.0, args.duration / 10)  # users arrive over the first seconds, not all in the same instant
    for index, user in enumerate(users):
        user.start_after = start + ramp * index / len(users)
        user.deadline = start + args.duration
        user.start()
    try:
        for user in users:
            user.join(timeout=max(0.0, start + args.duration + 45 - time.monotonic()))
    finally:
        stop.set()
    with recorder.lock:
        samples = list(recorder.samples)
    return samples, time.monotonic() - start


@dataclass
class Stage:
    users: int
    rows: dict[str, Figures]
    postgres_cpu: float  # seconds
    gunicorn_cpu: float
    load: str


def run_stage(port: int, site: SiteMap, args, *, users: int, server: Server, database_url: str) -> Stage:
    """One timed run with `users` users; prints its figures and returns them."""
    print()
    print(f"  {users} users for {args.duration} s")
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    with CpuSampler(server, database_url) as sampler:
        samples, seconds = run_users(port, site, args, count=users)
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    print(f"  {len(samples):,} requests in {seconds:.1f} s: {len(samples) / seconds:.1f} requests per second")
    rows = report(samples, seconds)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  load average before / after: {load_before} / {load_after}")
    print(f"  cores: {os.cpu_count()}; client, gunicorn, PostgreSQL and Redis share them")
    # What the server spent, whatever else the machine was doing: a busy machine makes every request
    # wait longer, not cost more CPU. From it, the rate this machine could serve with nothing else on it.
    used = sampler.used()
    per_request = {side: 1000 * seconds / max(1, len(samples)) for side, seconds in used.items()}
    total = sum(per_request.values())
    print(
        "  server CPU: "
        + ", ".join(f"{side} {used[side]:.1f} s" for side in used)
        + "; per request: "
        + " + ".join(f"{side} {ms:.1f} ms" for side, ms in per_request.items())
        + f" = {total:.1f} ms; {os.cpu_count()} idle cores would serve about "
        f"{1000 * (os.cpu_count() or 1) / max(total, 0.001):.0f} requests per second at most"
    )
    client_seconds = sum(
        getattr(client_after, name) - getattr(client_before, name) for name in ("ru_utime", "ru_stime")
    )
    client_ms = 1000 * client_seconds / max(1, len(samples))
    print(f"  client CPU per request (the bench's own threads, on the same cores): {client_ms:.1f} ms")
    return Stage(users, rows, used.get("PostgreSQL", 0.0), used.get("gunicorn", 0.0), load_after)


# Aims per kind of request: p95 in ms (None: shown, not judged) and errors allowed.
AIMS = {"browsing": (P95_TARGET_MS, 0), "sign-ins": (None, 0)}


def summary(stages: list[Stage], run_cpu: dict[str, float], seconds: float) -> None:
    print()
    print("  Figures against the aims")
    header = f"    {'':4}  {'stage':<22} {'requests':>8} {'rps':>6} {'p50':>7} {'p95':>7} {'max':>7} {'errors':>6}  aim"
    print(header)
    for stage in stages:
        for kind, row in stage.rows.items():
            p95_aim, errors_aim = AIMS[kind]
            ok = row.errors <= errors_aim and (p95_aim is None or row.p95 < p95_aim)
            aim = (f"p95 < {p95_aim:.0f} ms, " if p95_aim is not None else "") + f"{errors_aim} errors"
            print(
                f"    {'PASS' if ok else 'FAIL'}  {f'{stage.users} users, {kind}':<22} {row.requests:8d} "
                f"{row.rps:6.1f} {row.p50:5.0f}ms {row.p95:5.0f}ms {row.max:5.0f}ms {row.errors:6d}  {aim}"
            )
    for stage in stages:
        print(
            f"    CPU at {stage.users} users: PostgreSQL {stage.postgres_cpu:.1f} s, "
            f"gunicorn {stage.gunicorn_cpu:.1f} s (load average after: {stage.load})"
        )
    print(
        f"    CPU over the whole run ({seconds:.0f} s, sampled every 0.5 s): "
        + ", ".join(f"{side} {value:.1f} s" for side, value in run_cpu.items())
    )


def gunicorn_settings(env: dict[str, str]) -> dict:
    """What gunicorn.conf.py gives with this environment (the bench's overrides included)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        values = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {name: values.get(name) for name in ("worker_class", "workers", "threads")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--users",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[50, 100, 200],
        help="simulated users at once, one stage for each number in turn (default 50,100,200)",
    )
    parser.add_argument("--duration", type=int, default=45, help="seconds of load per stage (default 45)")
    parser.add_argument(
        "--think",
        type=lambda text: tuple(float(part) for part in text.split(",")),
        default=(1.0, 3.0),
        help="think time between two requests of a user, min,max seconds (default 1,3)",
    )
    parser.add_argument(
        "--api",
        type=int,
        default=0,
        help="weight of the API scenario against browse 6, directory 2, sign in 1 (default 0: off)",
    )
    parser.add_argument("--worker-class", help="gunicorn worker class (default: gunicorn.conf.py's)")
    parser.add_argument("--workers", type=int, help="gunicorn processes (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="threads per gunicorn process (default: gunicorn.conf.py's)")
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not all(1 <= users <= 250 * 250 for users in args.users) or args.duration < 1:
        parser.error("--users from 1 to 62500 and --duration of at least 1 second")

    # Ctrl-C and SIGTERM both end in the finally blocks below.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    folder = Path(tempfile.mkdtemp(prefix="globalir-bench-load-"))
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)  # PostgreSQL, never the SQLite default
    redis = redis_choose(args.duration)
    try:
        with throwaway_database("load") as database_url:
            run(args, folder=folder, database_url=database_url, redis=redis)
    except KeyboardInterrupt:
        print("\n  interrupted: tearing down")
    finally:
        redis_release(redis)
        shutil.rmtree(folder, ignore_errors=True)


def run(args, *, folder: Path, database_url: str, redis: RedisChoice) -> None:
    env = server_environment(database_url, redis)
    overrides = {"worker_class": args.worker_class, "workers": args.workers, "threads": args.threads}
    env.update({f"GUNICORN_{name.upper()}": str(value) for name, value in overrides.items() if value is not None})
    gunicorn = gunicorn_settings(env)
    threads = f" × {gunicorn['threads']} threads" if gunicorn["worker_class"] == "gthread" else ""
    print(
        f"Load: {', then '.join(map(str, args.users))} users for {args.duration} s each, gunicorn "
        f"{gunicorn['workers']} {gunicorn['worker_class']} workers{threads}, "
        f"PostgreSQL ({urlsplit(database_url).path.lstrip('/')}) and Redis ({redis.broker_url})"
    )
    log = folder / "setup.log"
    timings = {
        "directory": manage(env, "load_directory", log=log),
        "demo data": manage(
            env,
            "load_demo",
            "--force",
            f"--volunteers={args.volunteers}",
            f"--needs={args.needs}",
            f"--seed={args.seed}",
            log=log,
        ),
        "recommendations": manage(env, "refresh_recommendations", log=log),
        "collectstatic": manage(env, "collectstatic", "--noinput", "--verbosity=0", log=log),
        "analyze": database_analyze(database_url),
    }
    print("  setup (after migrate): " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))
    print(f"  data: {args.volunteers:,} volunteers, {args.needs:,} needs (seed {args.seed})")

    port = free_port()
    server = Server(env, port=port, log=folder / "gunicorn.log")
    try:
        server.wait_until_up()
        site = site_map(env, port)
        warm_up(port, site, gunicorn["workers"] * (gunicorn["threads"] or 1))
        print(
            f"  serving on 127.0.0.1:{port}; {len(site.need_paths)} needs on the first page, "
            f"{len(site.volunteer_emails)} volunteer accounts to sign in with, think time "
            f"{args.think[0]:g}–{args.think[1]:g} s"
        )
        started = time.monotonic()
        with CpuSampler(server, database_url) as whole_run:
            stages = [
                run_stage(port, site, args, users=users, server=server, database_url=database_url)
                for users in args.users
            ]
        summary(stages, whole_run.used(), time.monotonic() - started)
    finally:
        server.stop()
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main()
