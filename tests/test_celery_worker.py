"""A task travels through a real broker to a real Celery worker process.

With REDIS_URL set (CI on PostgreSQL + Redis) the broker is Redis; on the embedded default it
is kombu's filesystem transport, so a newcomer's machine with nothing but Python still proves
the worker path. If the worker or broker cannot be reached the test fails, it never skips.
"""

import datetime
import email
import email.policy
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from notifications import services as notification_services
from notifications.models import Notification, NotificationPreference
from programmes.models import Need
from tests.factories import NeedFactory, UserFactory

WORKER_TIMEOUT_SECONDS = 60


def database_environment() -> dict[str, str]:
    """Point the worker at the database this test uses (the test database), with the tests' settings (their
    own tasks, such as the outbox probe, are registered only there)."""
    db = connection.settings_dict
    env = {"DJANGO_SETTINGS_MODULE": "tests.settings"}
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return {**env, "SQLITE_PATH": str(db["NAME"])}
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return {**env, "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"}


def broker_settings(tmp_path: Path) -> tuple[dict[str, str], Celery]:
    """The worker's broker environment and a client app that sends to the same broker."""
    if settings.REDIS_URL:
        env = {"REDIS_URL": settings.REDIS_URL}
        client = Celery(broker=settings.REDIS_URL)
    else:
        folder = tmp_path / "broker"
        env = {"CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_FOLDER": str(folder)}
        client = Celery(broker="filesystem://")
        for name in ("queue", "processed", "control"):
            (folder / name).mkdir(parents=True)
        client.conf.broker_transport_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
        }
    return env, client


@pytest.fixture
def worker(transactional_db, tmp_path):
    """Start `celery worker` on a queue of its own; yield a client that sends to it."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    broker_env, client = broker_settings(tmp_path)
    # E-mails the worker sends are written as files in tmp_path / "mail" (globalir/settings.py).
    env = {**os.environ, **database_environment(), **broker_env, "EMAIL_FILE_PATH": str(tmp_path / "mail")}
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "globalir", "worker", "--pool=solo", "-Q", queue, "-l", "INFO"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield client, queue, process, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        client.close()


def test_a_real_worker_runs_a_task_sent_through_the_broker_and_writes_to_the_database(worker):
    client, queue, process, log_path = worker
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    expired = NeedFactory(application_deadline=yesterday)
    current = NeedFactory()

    client.send_task("programmes.close_expired_needs", queue=queue)

    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        expired.refresh_from_db()
        if expired.status == Need.Status.CLOSED:
            break
        assert process.poll() is None, f"The Celery worker exited early:\n{log_path.read_text()}"
        time.sleep(0.2)
    else:
        pytest.fail(f"The worker did not run the task within {WORKER_TIMEOUT_SECONDS}s:\n{log_path.read_text()}")

    current.refresh_from_db()
    assert current.status == Need.Status.OPEN
    assert "close_expired_needs" in log_path.read_text()


def test_a_real_worker_sends_a_notification_once_and_marks_it_sent(worker, tmp_path, monkeypatch):
    client, queue, process, log_path = worker
    reader = UserFactory(email="digest.reader@example.org")
    NotificationPreference.objects.create(user=reader, weekly_digest=True)
    # In this process Celery runs eagerly: left alone, the commit below would send the e-mail here.
    # Only the worker may send it, so the in-process enqueue is switched off and the task sent by hand.
    monkeypatch.setattr(notification_services, "_enqueue", lambda notification: None)
    with transaction.atomic():
        notification = notification_services.notify(
            kind="weekly_digest",
            event_key=f"weekly-digest:{reader.pk}:worker-test",
            recipient=reader,
            context={
                "count": 1,
                "week": "2026-W48",
                "opportunities_url": "http://127.0.0.1:8000/opportunities/",
                "needs": [
                    {
                        "title": "IR faculty for embolisation training",
                        "organisation": "Road to IR Test Partners",
                        "where": "Dar es Salaam, Tanzania",
                        "mode": "On-site",
                        "window_start": "1 March 2027",
                        "window_end": "30 April 2027",
                        "deadline": "",
                        "url": "http://127.0.0.1:8000/opportunities/1/",
                    }
                ],
            },
        )

    # Sent twice, as a broker may redeliver: one e-mail all the same.
    for _ in range(2):
        client.send_task("notifications.tasks.send_notification", args=[notification.pk], queue=queue)

    mail_folder = tmp_path / "mail"
    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        both_done = log_path.read_text().count("send_notification") and log_path.read_text().count("succeeded") >= 2
        if notification.status == Notification.Status.SENT and both_done:
            break
        assert process.poll() is None, f"The Celery worker exited early:\n{log_path.read_text()}"
        time.sleep(0.2)
    else:
        pytest.fail(f"The worker did not send the e-mail within {WORKER_TIMEOUT_SECONDS}s:\n{log_path.read_text()}")

    files = list(mail_folder.iterdir())
    assert len(files) == 1, [file.name for file in files]
    # The file backend appends a line of dashes after each message.
    message = email.message_from_string(files[0].read_text().rstrip().rstrip("-"), policy=email.policy.default)
    assert message["To"] == "digest.reader@example.org"
    assert message["Subject"] == "[GlobalIR] 1 new opportunity that fits your profile"
    assert message["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert (notification.attempts, notification.sent_at is not None) == (1, True)


def test_a_real_worker_writes_to_a_portuguese_speaking_volunteer_in_portuguese(worker, tmp_path, monkeypatch):
    client, queue, process, log_path = worker
    reader = UserFactory(email="leitora.worker@example.org", first_name="Ana", last_name="Machava", language="pt")
    NotificationPreference.objects.create(user=reader, weekly_digest=True)
    monkeypatch.setattr(notification_services, "_enqueue", lambda notification_id: None)
    # Recorded while English is active (the digest's beat task has no reader): the worker writes in hers.
    with translation.override("en"), transaction.atomic():
        notification = notification_services.notify(
            kind="weekly_digest",
            event_key=f"weekly-digest:{reader.pk}:worker-language-test",
            recipient=reader,
            context={
                "count": 1,
                "week": "2026-W49",
                "opportunities_url": "http://127.0.0.1:8000/opportunities/",
                "needs": [
                    {
                        # A partner's need written in French: quoted as written, marked as French.
                        "title": "Formation à l'embolisation à Dakar",
                        "title_language": "fr",
                        "organisation": "Road to IR Test Partners",
                        "where": "Remote",
                        "mode": "Remote",
                        "window_start": "2027-03-01",
                        "window_end": "2027-04-30",
                        "deadline": "",
                        "url": "http://127.0.0.1:8000/opportunities/1/",
                    }
                ],
            },
        )

    client.send_task("notifications.tasks.send_notification", args=[notification.pk], queue=queue)

    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.status == Notification.Status.SENT:
            break
        assert process.poll() is None, f"The Celery worker exited early:\n{log_path.read_text()}"
        time.sleep(0.2)
    else:
        pytest.fail(f"The worker did not send the e-mail within {WORKER_TIMEOUT_SECONDS}s:\n{log_path.read_text()}")

    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1, [file.name for file in files]
    # Bytes, not text: the parts are UTF-8 sent as 8bit, which the parser decodes by their charset.
    message = email.message_from_bytes(files[0].read_bytes().rstrip().rstrip(b"-"), policy=email.policy.default)
    assert message["To"] == "leitora.worker@example.org"
    assert message["Subject"] == "[GlobalIR] 1 nova oportunidade adequada ao seu perfil"
    text, html = (part.get_content() for part in message.iter_parts())
    for body in (text, html):
        assert "Ver todas as oportunidades" in body
        assert "Entre 1 de Março de 2027 e 30 de Abril de 2027" in body
        assert "See every opportunity" not in body and "Between" not in body
        assert "Formation à l'embolisation à Dakar" in body or "Formation à l&#x27;embolisation à Dakar" in body
    assert '<html lang="pt">' in html
    assert 'lang="fr" dir="ltr">Formation à l&#x27;embolisation à Dakar</a>' in html
