"""No lost work, shown with real processes: a Redis server of the test's own, a real Celery worker, the
portal's real views and services in this process.

* Redis stopped while a volunteer saves their profile: the save succeeds at once, the refresh it asks for
  waits in the outbox, and once Redis is back the relay sends it and the worker runs it exactly once.
* A worker's pool process killed with SIGKILL in the middle of a task: the broker delivers the task again
  and its result exists exactly once.

The Redis server is started on a free port (never the shared one), with its append-only file, so the tests
run on the embedded default (SQLite) as on PostgreSQL. A missing `redis-server` binary is a failure.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from globalir.celery import app
from globalir.outbox import services as outbox
from globalir.outbox.models import OutboxTask
from matcher.models import Recommendation
from tests.factories import NeedFactory, VolunteerProfileFactory
from tests.outbox_probe.models import OutboxProbe
from tests.outbox_probe.tasks import probe
from tests.test_celery_worker import database_environment
from tests.volunteers.test_onboarding import availability_data, in_days, step_url

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_transactional_db"),
]

TIMEOUT = 40


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def wait_until(condition, what: str, log: Path | None = None, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}" + (f":\n{log.read_text()}" if log else ""))
        time.sleep(0.1)


class RedisServer:
    """A redis-server of this test's own: stopped and started again on the same port and data folder."""

    def __init__(self, folder: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("These tests need the redis-server binary: apt-get install redis-server (make test does).")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        arguments = ["--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder)]
        # Queued messages survive a restart in the append-only file, as in docker-compose.yml.
        arguments += ["--appendonly", "yes", "--save", "", "--protected-mode", "no"]
        with (self.folder / "redis.log").open("a") as log:
            self.process = subprocess.Popen([self.binary, *arguments], stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_until(lambda: self.answers(client), "redis-server to answer", self.folder / "redis.log", timeout=10)

    @staticmethod
    def answers(client: redis.Redis) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture(scope="module")
def redis_and_worker(django_db_setup, tmp_path_factory):
    """A Redis server and `celery worker` with one pool process (prefork, so that the pool process can be
    killed alone), shared by this module's tests (each starts in ~5 s on a busy machine)."""
    folder = tmp_path_factory.mktemp("outbox")
    server = RedisServer(folder / "redis")
    server.start()
    env = {**os.environ, **database_environment(), "CELERY_BROKER_URL": server.url}
    log_path = folder / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "globalir", "worker", "--pool=prefork", "--concurrency=1"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: " ready." in log_path.read_text() or process.poll() is not None, "the worker", log_path)
        assert process.poll() is None, f"The Celery worker exited:\n{log_path.read_text()}"
        yield server, process, log_path
    finally:
        process.send_signal(signal.SIGQUIT)  # cold shutdown: the tests are over, nothing to finish
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        server.stop()


class Worker:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process, self.log_path = process, log_path
        self.log_start = len(log_path.read_text())

    def log(self) -> str:
        """What the worker logged during this test."""
        return self.log_path.read_text()[self.log_start :]


@pytest.fixture
def own_redis(redis_and_worker, monkeypatch):
    """The test's Redis, up; this process publishes to it (instead of running tasks eagerly) meanwhile."""
    server = redis_and_worker[0]
    if server.process is None:
        server.start()
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery reads it before its settings
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = server.url, False
    try:
        yield server
    finally:
        app.conf.broker_url, app.conf.task_always_eager = previous


@pytest.fixture
def worker(redis_and_worker, own_redis) -> Worker:
    _server, process, log_path = redis_and_worker
    assert process.poll() is None, f"The Celery worker exited:\n{log_path.read_text()}"
    return Worker(process, log_path)


def send_again(row: OutboxTask) -> None:
    """What a broker may do: deliver a task's message once more after it ran."""
    with app.connection_for_write() as connection:
        app.tasks[row.task_name].apply_async(
            args=row.args, kwargs=row.kwargs, task_id=outbox.outbox_task_id(row.pk), connection=connection
        )


def succeeded(worker: Worker, row: OutboxTask) -> int:
    return worker.log().count(f"[{outbox.outbox_task_id(row.pk)}] succeeded")


def test_a_profile_saved_while_redis_is_down_is_refreshed_exactly_once_when_it_is_back(client, own_redis, worker):
    profile = VolunteerProfileFactory()  # onboarded, no availability yet: no need fits them
    need = NeedFactory()
    client.force_login(profile.user)

    own_redis.stop()
    started = time.monotonic()
    response = client.post(
        step_url("availability"), availability_data((in_days(30), in_days(120), "6"), onsite=True, remote=True)
    )
    elapsed = time.monotonic() - started

    # The save went through at once, and its refresh waits in the outbox.
    assert response.status_code == 302 and response["Location"] == reverse("volunteers:profile")
    assert elapsed < 2, f"The save took {elapsed:.2f}s with Redis down"
    assert profile.availability.count() == 1
    row = OutboxTask.objects.get()
    assert (row.task_name, row.args, row.status) == (
        "matcher.refresh_volunteer",
        [profile.pk],
        OutboxTask.Status.PENDING,
    )
    assert "Not sent" in row.last_error
    assert not Recommendation.objects.exists()

    own_redis.start()
    assert outbox.outbox_relay(now=timezone.now() + outbox.RELAY_GRACE) == 1

    wait_until(lambda: OutboxTask.objects.get().status == OutboxTask.Status.DONE, "the refresh", worker.log_path)
    row.refresh_from_db()
    assert row.attempts == 1
    recommendation = Recommendation.objects.get()
    assert (recommendation.volunteer_id, recommendation.need_id) == (profile.pk, need.pk)
    # Nothing is left to relay, and a message delivered once more does not run the refresh again.
    assert outbox.outbox_relay(now=timezone.now() + outbox.RELAY_GRACE) == 0
    send_again(row)
    wait_until(lambda: succeeded(worker, row) == 2, "the second delivery", worker.log_path)
    row.refresh_from_db()
    assert (row.attempts, row.status) == (1, OutboxTask.Status.DONE)
    assert list(Recommendation.objects.values_list("pk", "computed_at")) == [
        (recommendation.pk, recommendation.computed_at)
    ]
    assert worker.process.poll() is None


def pool_process(worker_pid: int) -> int:
    children = Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def test_a_task_whose_worker_is_killed_midway_is_delivered_again_and_its_result_exists_once(
    own_redis, worker, tmp_path
):
    token = uuid.uuid4().hex
    release = tmp_path / "release-the-probe"
    # The probe writes its row, then waits (uncommitted) until the release file exists: long enough to be killed,
    # even on a busy machine.
    with transaction.atomic():
        row = outbox.task_enqueue(probe, args=[token, time.time() + TIMEOUT, str(release)])

    wait_until(
        lambda: OutboxTask.objects.get(pk=row.pk).status == OutboxTask.Status.STARTED, "the probe", worker.log_path
    )
    killed = pool_process(worker.process.pid)
    time.sleep(0.5)  # inside the probe's transaction, its row written
    assert not OutboxProbe.objects.filter(token=token).exists()
    os.kill(killed, signal.SIGKILL)
    release.touch()  # the redelivered run commits at once

    wait_until(
        lambda: OutboxTask.objects.get(pk=row.pk).status == OutboxTask.Status.DONE, "the redelivery", worker.log_path
    )
    row.refresh_from_db()
    assert row.attempts == 2  # the killed run and the redelivered one
    assert OutboxProbe.objects.filter(token=token).count() == 1
    log = worker.log()
    assert "SIGKILL" in log and "WorkerLostError" in log, log
    assert pool_process(worker.process.pid) != killed  # the worker replaced its pool process and carried on
