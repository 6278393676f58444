"""The task outbox (globalir.outbox): a task is recorded with the change that asks for it, sent once that
commits, never lost when the broker is down, run once however often its message comes, and cancelled
with the account it was for. The real broker and worker are in test_outbox_processes.py."""

import datetime
import importlib
import socket
import threading
import uuid

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from globalir import privacy
from globalir.celery import app
from globalir.outbox import services as outbox
from globalir.outbox.models import OutboxTask
from globalir.tasks import RELIABLE, OutboxAwareTask
from notifications.models import Notification
from notifications.services import notify
from tests.factories import VolunteerProfileFactory
from tests.outbox_probe.models import OutboxProbe
from tests.outbox_probe.tasks import probe
from volunteers.services import profiles_recommendations_refresh_later

pytestmark = pytest.mark.django_db


def probe_later(token: str = "", **options) -> OutboxTask:
    return outbox.task_enqueue(probe, args=[token or uuid.uuid4().hex], **options)


def deliver(row: OutboxTask):
    """Run a delivery of the row's message in this process, as a worker would."""
    return probe.apply(args=row.args, task_id=outbox.outbox_task_id(row.pk))


def test_a_task_asked_for_by_a_change_that_rolls_back_is_neither_recorded_nor_run(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            probe_later("rolled-back")
            raise RuntimeError("the save failed")

    assert not OutboxTask.objects.exists()
    assert not OutboxProbe.objects.exists()


def test_a_task_runs_once_its_change_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = probe_later("committed")
    assert not OutboxProbe.objects.exists()

    for callback in callbacks:
        callback()

    row.refresh_from_db()
    assert (row.status, row.attempts, row.finished_at is not None) == (OutboxTask.Status.DONE, 1, True)
    assert list(OutboxProbe.objects.values_list("token", flat=True)) == ["committed"]


def test_requests_for_the_same_work_share_the_queued_task_and_the_database_refuses_a_second(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        first = probe_later("a", dedupe_key="probe:a")
        again = probe_later("a", dedupe_key="probe:a")
        other = probe_later("b", dedupe_key="probe:b")

    assert again.pk == first.pk and other.pk != first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxTask.objects.create(task_name=probe.name, dedupe_key="probe:a", status=OutboxTask.Status.SENT)
    # Once the task has run, the same request queues it again.
    deliver(first)
    with django_capture_on_commit_callbacks(execute=False):
        assert probe_later("a", dedupe_key="probe:a").pk not in (first.pk, other.pk)


def test_a_message_delivered_again_after_its_task_ran_does_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = probe_later("once")

    for _ in range(2):
        assert deliver(row).get() is None

    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxTask.Status.DONE, 1)
    assert OutboxProbe.objects.filter(token="once").count() == 1


def test_a_task_failing_midway_leaves_none_of_its_writes_and_the_row_says_why(
    monkeypatch, django_capture_on_commit_callbacks
):
    def interrupted(seconds):
        raise RuntimeError("disk full")

    monkeypatch.setattr("tests.outbox_probe.tasks.time.sleep", interrupted)
    with django_capture_on_commit_callbacks(execute=True):
        row = probe_later("failing")

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxTask.Status.FAILED, 1, "RuntimeError: disk full")
    assert not OutboxProbe.objects.exists()  # written before the failure, rolled back with it
    deliver(row)  # a late redelivery does not run it again
    assert not OutboxProbe.objects.exists()


def test_tasks_called_outside_the_outbox_run_as_usual():
    assert probe.apply(args=["direct"]).get() == "direct"
    assert OutboxProbe.objects.filter(token="direct").count() == 1
    assert not OutboxTask.objects.exists()


def test_cancelling_a_users_tasks_stops_them_and_forgets_whose_they_were(django_capture_on_commit_callbacks):
    profile, other = VolunteerProfileFactory(), VolunteerProfileFactory()
    with django_capture_on_commit_callbacks(execute=False):
        mine = probe_later("mine", owner_id=profile.user_id, dedupe_key=f"probe:{profile.pk}")
        theirs = probe_later("theirs", owner_id=other.user_id)

    assert outbox.tasks_cancel_for_user(user_id=profile.user_id) == 1
    deliver(mine)

    mine.refresh_from_db()
    assert (mine.status, mine.owner_id, mine.args, mine.dedupe_key) == (OutboxTask.Status.CANCELLED, None, [], "")
    assert not OutboxProbe.objects.filter(token="mine").exists()
    theirs.refresh_from_db()
    assert (theirs.status, theirs.owner_id) == (OutboxTask.Status.PENDING, other.user_id)


def test_erasing_an_account_cancels_the_refresh_queued_for_it(django_capture_on_commit_callbacks):
    profile, other = VolunteerProfileFactory(), VolunteerProfileFactory()
    with django_capture_on_commit_callbacks(execute=False):
        profiles_recommendations_refresh_later({profile.pk})
        profiles_recommendations_refresh_later({other.pk})
    queued = OutboxTask.objects.get(args=[profile.pk])
    assert queued.owner_id == profile.user_id

    with django_capture_on_commit_callbacks(execute=True):
        privacy.account_erase(user=profile.user)

    queued.refresh_from_db()
    assert (queued.status, queued.owner_id, queued.args) == (OutboxTask.Status.CANCELLED, None, [])
    assert OutboxTask.objects.get(owner_id=other.user_id).status == OutboxTask.Status.PENDING


@pytest.fixture
def hung_broker(monkeypatch):
    """A "Redis" that accepts connections and never answers, the worst case for a request; this process
    publishes to it instead of running tasks eagerly."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = f"redis://127.0.0.1:{server.getsockname()[1]}/0", False
    yield
    app.conf.broker_url, app.conf.task_always_eager = previous
    server.close()
    for connection in accepted:
        connection.close()


def test_a_hung_broker_is_tried_once_and_the_tasks_wait_for_the_relay(hung_broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = probe_later("waiting")
    with django_capture_on_commit_callbacks(execute=True):
        second = probe_later("waiting too")

    # The broker that timed out is left alone for a while: the next save does not try it again at once.
    second.refresh_from_db()
    assert second.status == OutboxTask.Status.PENDING
    assert second.last_error == ""
    row.refresh_from_db()
    assert row.status == OutboxTask.Status.PENDING
    assert row.last_error.startswith("Not sent: ")
    # The relay finds the broker still down: both rows keep waiting.
    assert outbox.outbox_relay(now=timezone.now() + outbox.RELAY_GRACE) == 0
    assert OutboxTask.objects.filter(status=OutboxTask.Status.PENDING).count() == 2


def test_an_email_asked_for_while_the_broker_hangs_waits_in_the_outbox(hung_broker, django_capture_on_commit_callbacks):
    reader = VolunteerProfileFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(kind="weekly_digest", event_key="outbox-test", recipient=reader, context={})

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    # Its task waits in the outbox, for the relay.
    row = OutboxTask.objects.get(task_name="notifications.tasks.send_notification")
    assert (row.args, row.status, row.owner_id) == ([notification.pk], OutboxTask.Status.PENDING, reader.pk)


def test_the_relay_sends_what_the_commit_could_not_and_cleans_up_old_rows(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        waiting = probe_later("waiting")  # its commit never reached the broker
    now = timezone.now()

    assert outbox.outbox_relay(now=now) == 0  # too young: its own commit may still be sending it
    assert outbox.outbox_relay(now=now + outbox.RELAY_GRACE + datetime.timedelta(seconds=1)) == 1
    waiting.refresh_from_db()
    assert waiting.status == OutboxTask.Status.DONE
    assert OutboxProbe.objects.filter(token="waiting").count() == 1

    outbox.outbox_relay(now=now + outbox.KEEP_FINISHED + datetime.timedelta(days=1))
    assert not OutboxTask.objects.exists()


def test_the_relay_runs_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["relay-outbox"]

    assert entry["task"] == "globalir.outbox.tasks.relay_outbox"
    assert entry["schedule"].minute == set(range(60))


def test_every_task_of_the_portal_runs_through_the_outbox_with_the_one_set_of_retry_options():
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}

    assert "notifications.tasks.send_notification" in ours and "tests.outbox_probe.probe" in ours
    for name, task in ours.items():
        assert isinstance(task, OutboxAwareTask), name
        options = {option: getattr(task, option) for option in RELIABLE if option != "base"}
        assert options == {option: value for option, value in RELIABLE.items() if option != "base"}, name


def test_every_scheduled_task_is_registered_and_only_the_outbox_relays():
    scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]

    assert [name for name in scheduled if name not in app.tasks] == []
    assert [name for name in scheduled if "relay" in name] == ["globalir.outbox.tasks.relay_outbox"]


def test_nothing_of_the_tests_is_installed_in_production():
    production = importlib.import_module("globalir.settings")

    assert "tests.outbox_probe" in settings.INSTALLED_APPS
    assert [name for name in production.INSTALLED_APPS if name.startswith("tests")] == []
