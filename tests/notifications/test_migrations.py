"""A database of the days when e-mails had a relay of their own migrates with none lost: each e-mail still
waiting gets a task in the task outbox, and the outbox probe's table leaves the production schema."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from globalir.outbox import services as outbox
from globalir.outbox.models import OutboxTask
from notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("notifications", "0002_notification_language"), ("outbox", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    state = executor.migrate(targets)
    state.clear_delayed_apps_cache()
    return state.apps


@pytest.fixture
def old_apps():
    try:
        yield migrate(BEFORE)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_emails_waiting_when_the_database_is_migrated_get_an_outbox_task_and_are_sent(old_apps, mailoutbox):
    user = old_apps.get_model("accounts", "User").objects.create(email="waiting@example.org", password="!")
    old_notification = old_apps.get_model("notifications", "Notification")
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    ids = {}
    for status in ("pending", "sending", "sent", "skipped", "failed"):
        ids[status] = old_notification.objects.create(
            kind="weekly_digest" if status == "skipped" else "organisation_verified",
            event_key=f"migration:{status}",
            recipient=user,
            email=user.email,
            context={"organisation": "Migration Partners", "url": "http://127.0.0.1:8000/"},
            status=status,
            claimed_at=long_ago if status == "sending" else None,
        ).pk
    old_apps.get_model("outbox", "OutboxProbe").objects.create(token="deployment check")
    assert "outbox_outboxprobe" in connection.introspection.table_names()

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert "outbox_outboxprobe" not in connection.introspection.table_names()
    queued = OutboxTask.objects.filter(task_name="notifications.tasks.send_notification")
    assert sorted(queued.values_list("args", "owner_id", "status")) == [
        ([ids["pending"]], user.pk, OutboxTask.Status.PENDING),
        ([ids["sending"]], user.pk, OutboxTask.Status.PENDING),
    ]
    assert Notification.objects.count() == 5

    # The relay sends them (tasks run eagerly here): the one a dead worker had claimed long ago as well.
    assert outbox.outbox_relay(now=timezone.now() + outbox.RELAY_GRACE) == 2
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert (statuses[ids["pending"]], statuses[ids["sending"]]) == (Notification.Status.SENT, Notification.Status.SENT)
    assert (statuses[ids["failed"]], statuses[ids["sent"]]) == (Notification.Status.FAILED, Notification.Status.SENT)
    assert [message.to for message in mailoutbox] == [["waiting@example.org"], ["waiting@example.org"]]
