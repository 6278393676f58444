"""What the benchmarks share: a throwaway database, the bare page they measure against, percentiles.

    from common import throwaway_database, bench_urlconf

    with throwaway_database("pages") as url:   # before django.setup()
        django.setup()
        ...

`throwaway_database` never touches the database a developer works in: with DATABASE_URL set it creates
``<name>_bench_<suffix>`` on the same PostgreSQL server, otherwise a SQLite file in a temporary folder;
migrates it and creates the cache table (manage.py in a child process, so that the caller's Django is not
set up yet), points this
process's environment at it (DATABASE_URL, or SQLITE_PATH), yields its URL and drops it afterwards, also
after an error or Ctrl-C.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def configure_environment() -> None:
    """Production-like settings (DEBUG off) that the test client can reach over plain HTTP."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "globalir.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["SECURE_SSL_REDIRECT"] = "0"  # the test client speaks plain HTTP
    os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic needed; the files are the same
    hosts = [host for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host]
    os.environ["ALLOWED_HOSTS"] = ",".join([*hosts, "testserver"])


def _admin_connection(url: str):
    """An autocommit connection to the maintenance database of the server `url` names."""
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        dbname="postgres",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
    )
    connection.autocommit = True
    return connection


def _postgres(url: str, *, create: bool) -> None:
    """Drops the database `url` names (closing whatever is still connected to it), then creates it again
    when asked."""
    from psycopg2 import sql

    name = sql.Identifier(urlsplit(url).path.lstrip("/"))
    connection = _admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            if create:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    finally:
        connection.close()


def _close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


@contextmanager
def throwaway_database(suffix: str, *, migrate: bool = True) -> Iterator[str]:
    """A new, migrated database for one benchmark run: yields its URL with this process's environment
    pointing at it, and drops it at the end. Call before django.setup()."""
    saved = {name: os.environ.get(name) for name in ("DATABASE_URL", "SQLITE_PATH")}
    base = os.environ.get("DATABASE_URL")
    folder = None
    if base:
        parts = urlsplit(base)
        url = parts._replace(path=f"/{parts.path.lstrip('/') or 'globalir'}_bench_{suffix}").geturl()
        _postgres(url, create=True)
        os.environ["DATABASE_URL"] = url
    else:
        folder = tempfile.TemporaryDirectory(prefix=f"globalir-bench-{suffix}-")
        path = Path(folder.name) / "bench.sqlite3"
        url = f"sqlite:///{path}"
        os.environ["SQLITE_PATH"] = str(path)
    try:
        if migrate:
            env = {"SECRET_KEY": "bench-only-not-secret", "STATIC_MANIFEST": "0", **os.environ}
            # The cache table too: without REDIS_URL the cache (rate limits, the listing's shared cache) is a
            # table of this database, which migrate does not make.
            for command in (["migrate", "--noinput"], ["createcachetable"]):
                subprocess.run(  # noqa: S603 - our own interpreter and manage.py
                    [sys.executable, str(ROOT / "manage.py"), *command, "--verbosity=0"],
                    env=env,
                    cwd=ROOT,
                    check=True,
                )
        yield url
    finally:
        _close_django_connections()
        if base:
            _postgres(url, create=False)
        if folder is not None:
            folder.cleanup()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def bare_page(request):
    """The floor pages are measured against: the base template and nothing else (session, user and CSRF
    token as on every page)."""
    from django.shortcuts import render

    return render(request, "base.html")


BARE_PATH = "/__bench__/bare/"


def bench_urlconf() -> str:
    """The portal's URLs with the bare page mounted next to them at BARE_PATH: the module's name, for
    ROOT_URLCONF or override_settings."""
    from django.urls import include, path

    module = types.ModuleType("bench_common_urls")
    module.urlpatterns = [path(BARE_PATH.strip("/") + "/", bare_page), path("", include("globalir.urls"))]
    sys.modules[module.__name__] = module
    return module.__name__


def percentile(values: list[float], fraction: float) -> float:
    """The exact percentile (nearest rank) of a list of figures."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]
