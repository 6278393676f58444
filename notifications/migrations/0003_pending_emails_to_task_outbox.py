from django.db import migrations

SEND_NOTIFICATION_TASK = "notifications.tasks.send_notification"


def queue_unsent(apps, schema_editor):
    """E-mails waiting to be sent (or claimed by a worker that may have died) were re-sent by the
    notifications' own relay, which is gone: each gets a task in the task outbox, whose relay sends it
    within a minute or two. The send's claim on the e-mail keeps one that is being sent from going twice."""
    Notification = apps.get_model("notifications", "Notification")
    OutboxTask = apps.get_model("outbox", "OutboxTask")
    unsent = Notification.objects.filter(status__in=["pending", "sending"]).order_by("pk")
    OutboxTask.objects.bulk_create(
        [
            OutboxTask(task_name=SEND_NOTIFICATION_TASK, args=[pk], kwargs={}, owner_id=recipient_id)
            for pk, recipient_id in unsent.values_list("pk", "recipient_id").iterator()
        ],
        batch_size=500,
    )


def forget_queued(apps, schema_editor):
    OutboxTask = apps.get_model("outbox", "OutboxTask")
    OutboxTask.objects.filter(task_name=SEND_NOTIFICATION_TASK, status__in=["pending", "sent"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification_language"),
        ("outbox", "0002_remove_outboxprobe"),
    ]

    operations = [
        migrations.RunPython(queue_unsent, forget_queued),
    ]
