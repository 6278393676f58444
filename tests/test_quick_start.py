"""A newcomer's first hour: `make run` in a fresh copy of the project, then every command the README's quick
start and `make run`'s own output give, typed exactly as printed in a second terminal.

The copy stands for a fresh `git clone`: the project's files without its database, `.env.dev` or caches, and
the installed virtual environment linked in as `.venv` (so nothing is downloaded).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

README = settings.BASE_DIR / "README.md"
# What a newcomer's shell does not set: the settings and make's own variables of the run that started pytest.
NOT_IN_A_NEWCOMERS_SHELL = re.compile(
    r"^(DEBUG|SECRET_KEY|SITE_URL|SQLITE_PATH|DATABASE_URL|REDIS_URL|REDIS_CACHE_URL|CELERY_BROKER_URL|"
    r"CELERY_BROKER_FOLDER|ALLOWED_HOSTS|STATIC_MANIFEST|STATIC_ROOT|SECURE_.*|SESSION_COOKIE_SECURE|CSRF_COOKIE_SECURE|"
    r"EMAIL_.*|DJANGO_SETTINGS_MODULE|PORT|MAKEFLAGS|MFLAGS|MAKELEVEL|MAKEOVERRIDES|PYTEST_.*|VIRTUAL_ENV)$"
)
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".env.dev",
    "*.sqlite3*",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".broker",
    "staticfiles",
    "private-media",
    "media",
    "test-results",
    "celerybeat-schedule*",
)
SMALL_DEMO = {"DEMO_VOLUNTEERS": "5", "DEMO_NEEDS": "5"}
STARTUP_SECONDS = 240


def newcomer_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not NOT_IN_A_NEWCOMERS_SHELL.match(name)}
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shell(command: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=newcomer_env(**extra), capture_output=True, text=True, timeout=600
    )


def manage_py_shell(clone: Path, code: str, **extra: str) -> str:
    """What `.venv/bin/python manage.py shell -c CODE` prints in the clone."""
    result = subprocess.run(
        [".venv/bin/python", "manage.py", "shell", "--no-imports", "-c", code],
        cwd=clone,
        env=newcomer_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


SETTINGS = "from django.conf import settings; "
USERS = "from globalir.accounts.models import User; "


class Server:
    """`make run` in the background, as typed in the first terminal."""

    def __init__(self, clone: Path, port: int, sqlite_path: Path, log: Path):
        self.clone, self.port, self.log = clone, port, log
        self.process = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=newcomer_env(PORT=str(port), SQLITE_PATH=str(sqlite_path), **SMALL_DEMO),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text()

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"make run stopped:\n{self.output()}"
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"make run did not serve {self.url} within {STARTUP_SECONDS} s:\n{self.output()}")

    def stop(self) -> None:
        # The process group this test started: make, runserver and its autoreloader child.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def fresh_clone(parent: Path) -> Path:
    folder = parent / "globalir"
    shutil.copytree(settings.BASE_DIR, folder, ignore=NOT_IN_A_CLONE)
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return folder


@dataclass
class Runs:
    clone: Path
    database: dict[str, str]  # SQLITE_PATH, for the checks that look into the database from outside
    first_output: str
    second: Server  # still serving


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """`PORT=… SQLITE_PATH=… make run` on a fresh clone; stopped; an account created; `make run` again, on
    another port, left serving while the tests type their commands."""
    folder = tmp_path_factory.mktemp("newcomer")
    clone = fresh_clone(folder)
    database = {"SQLITE_PATH": str(folder / "db.sqlite3")}
    first = Server(clone, free_port(), folder / "db.sqlite3", folder / "first.log")
    try:
        first.wait_until_serving()
    finally:
        first.stop()
    manage_py_shell(
        clone, USERS + "User.objects.create_user(email='kept@example.org', password='pass-1234!')", **database
    )
    second = Server(clone, free_port(), folder / "db.sqlite3", folder / "second.log")
    try:
        second.wait_until_serving()
        yield Runs(clone=clone, database=database, first_output=first.output(), second=second)
    finally:
        second.stop()


def quick_start() -> str:
    text = README.read_text()
    section = text[text.index("## Quick start") :]
    return section[: section.index("\n## ", 1)]


def quick_start_commands() -> list[str]:
    """The commands of the README's quick start one types once `make run` serves: `make …` other than
    `make run` and `make test`, and `.venv/bin/…`, from code spans and from the lines of code blocks."""
    section = quick_start()
    candidates = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.DOTALL):
        candidates += [line.split("  #")[0].strip() for line in block.splitlines()]
    candidates += re.findall(r"(?<!`)`([^`\n]+)`(?!`)", re.sub(r"```.*?```", "", section, flags=re.DOTALL))
    return [
        command
        for command in dict.fromkeys(candidates)
        if command.startswith(".venv/bin/")
        or (command.startswith("make ") and command not in ("make run", "make test"))
    ]


def printed_commands(output: str) -> list[str]:
    """The manage.py commands `make run` (and load_demo, which it runs) print for the newcomer to type."""
    # After a colon, as in "print the current code with: …": not make's echo of its own recipe lines.
    return list(dict.fromkeys(re.findall(r":\s+(\S*python\S* manage\.py [a-z_]+[^\n`]*?)\s*$", output, flags=re.M)))


def test_every_path_the_quick_start_names_is_a_page_of_the_portal():
    paths = sorted(set(re.findall(r"`(/[^`\s]*/)`", quick_start())))
    assert {"/me/welcome/", "/opportunities/", "/coordinate/", "/organisations/<slug>/members/"} <= set(paths)

    unknown = []
    for path in paths:
        try:
            resolve(path.replace("<slug>", "road2ir"))
        except Resolver404:
            unknown.append(path)

    assert unknown == []


def test_the_first_run_loads_the_directory_and_the_demo_data_and_says_where_it_serves(runs):
    output = runs.first_output

    assert "Organisations: 60 created" in output
    assert "Demo data for seed 1 created" in output
    assert "GlobalIR on http://127.0.0.1:" in output
    assert "Your data is kept between runs: `make demo-reset` replaces the demo data with a fresh set." in output


def test_a_second_run_keeps_what_one_created_and_says_so(runs):
    output = runs.second.output()

    assert f"GlobalIR on {runs.second.url} (the address in e-mails and the calendar feed)" in output
    assert "The database already holds organisations: the directory was not loaded again" in output
    assert "The database already holds accounts: kept them" in output
    assert "Demo data for seed" not in output
    kept = USERS + "print(User.objects.filter(email='kept@example.org').exists())"
    demo_volunteers = USERS + "print(User.objects.filter(email__startswith='demo-volunteer-').count())"
    assert manage_py_shell(runs.clone, kept, **runs.database) == "True"
    assert manage_py_shell(runs.clone, demo_volunteers, **runs.database) == "5"


def test_every_command_the_quick_start_and_make_run_give_works_as_printed(runs):
    documented = quick_start_commands()
    printed = printed_commands(runs.first_output + runs.second.output())
    # The extraction found what a newcomer needs most: the two-factor code and a fresh demo set.
    assert ".venv/bin/python manage.py demo_totp_code" in documented
    assert "make demo-reset" in documented
    assert ".venv/bin/python manage.py demo_totp_code" in printed

    failed = []
    for command in [*documented, *printed]:
        result = shell(command, runs.clone)
        if result.returncode != 0:
            failed.append(f"$ {command}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")

    assert not failed, "\n\n".join(failed)
    # They worked on the database `make run` serves (make demo-reset replaced its demo data and kept the rest),
    # not on a new one in the project folder.
    assert not (runs.clone / "db.sqlite3").exists()
    kept = USERS + "print(User.objects.filter(email='kept@example.org').exists())"
    assert manage_py_shell(runs.clone, kept, **runs.database) == "True"


def test_the_two_factor_code_printed_is_six_digits(runs):
    result = shell(".venv/bin/python manage.py demo_totp_code", runs.clone)

    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d{6}", result.stdout.strip())


def test_site_url_follows_the_port_make_run_serves_on(runs):
    server = runs.second
    # The manage.py commands one types (e-mails sent from the shell, the nightly jobs run by hand) and the
    # server itself: a new account's confirmation e-mail, printed on make run's console, links to the port.
    assert manage_py_shell(runs.clone, SETTINGS + "print(settings.SITE_URL)") == server.url

    signup = f"{server.url}/accounts/signup/"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(signup, timeout=30) as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
    form = {
        "csrfmiddlewaretoken": token,
        "email": "newcomer@example.org",
        "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
    }
    with opener.open(signup, data=urllib.parse.urlencode(form).encode(), timeout=30) as response:
        assert response.status == 200
    deadline = time.monotonic() + 30
    while "/accounts/confirm-email/" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.2)

    links = re.findall(r"https?://[^/\s]+/accounts/confirm-email/", server.output())
    assert links == [f"{server.url}/accounts/confirm-email/"]


def test_production_and_the_test_run_never_read_the_development_file(tmp_path):
    clone = fresh_clone(tmp_path)
    (clone / ".env.dev").write_text("DEBUG=1\nSITE_URL=http://127.0.0.1:8123\n")
    debug_and_site = SETTINGS + "print(settings.DEBUG, settings.SITE_URL)"

    # A deployment (and `make test`) sets SECRET_KEY: manage.py then leaves the file alone.
    with_key = manage_py_shell(clone, debug_and_site, SECRET_KEY="a-real-secret", SECURE_SSL_REDIRECT="0")
    # gunicorn (and Celery, and pytest) load the settings without manage.py: no key, no DEBUG, no start.
    wsgi = shell(".venv/bin/python -c 'import globalir.wsgi'", clone)
    # Only for manage.py without a key does the file apply, and a variable of the environment still wins.
    without_key = manage_py_shell(clone, debug_and_site)
    environment_wins = manage_py_shell(clone, debug_and_site, SITE_URL="https://portal.example.org")

    assert with_key == "False http://127.0.0.1:8000"
    assert wsgi.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in wsgi.stderr
    assert without_key == "True http://127.0.0.1:8123"
    assert environment_wins == "True https://portal.example.org"
