"""The task outbox: every Celery task the portal enqueues is first a row, written in the transaction of the
change that asks for it, then relayed to the broker (see services.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboxTaskQuerySet(models.QuerySet):
    def queued(self):
        """Recorded or sent to the broker, and not started yet: a new request for the same work can wait
        for this one."""
        return self.filter(status__in=OutboxTask.QUEUED)

    def unfinished(self):
        return self.filter(status__in=OutboxTask.UNFINISHED)


class OutboxTask(models.Model):
    """One task to run: its Celery name and JSON arguments, and how far it got.

    pending → sent (published to the broker) → started (a worker claimed it; a retry or a redelivery
    claims it again) → done, or failed (out of retries) or cancelled (the account it was for was erased).
    The message's task id names the row (``outbox-<pk>``), so a worker finding the row done or cancelled
    does nothing: a redelivered or twice-published message runs the work once.
    """

    # A context for the words a match round's status shares in English (a task and a round differ in gender).
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the broker")
        SENT = "sent", _("Sent to the broker")
        STARTED = "started", pgettext_lazy("outbox task status", "Running")
        DONE = "done", pgettext_lazy("outbox task status", "Done")
        FAILED = "failed", pgettext_lazy("outbox task status", "Failed")
        CANCELLED = "cancelled", pgettext_lazy("outbox task status", "Cancelled")

    QUEUED = (Status.PENDING, Status.SENT)
    UNFINISHED = (Status.PENDING, Status.SENT, Status.STARTED)

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    # Requests for the same work made while one is queued (a burst of edits) share that one run.
    dedupe_key = models.CharField(_("coalescing key"), max_length=200, blank=True)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    # Whose personal data the task handles: their queued tasks are cancelled when the account is erased.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("runs started"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = OutboxTaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            # The database keeps coalescing true under concurrent requests, not only the check before insert.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["pending", "sent"]) & ~Q(dedupe_key=""),
                name="outbox_one_queued_task_per_key",
            )
        ]

    def __str__(self):
        return f"{self.task_name} #{self.pk} ({self.get_status_display()})"
