from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NotificationPreference(models.Model):
    """Which non-essential e-mails a user wants. E-mails about their own offers and invitations always go."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    application_updates = models.BooleanField(
        _("new applications to my organisation's needs"),
        default=True,
        help_text=_(
            "For coordinators: an e-mail when a volunteer applies, and when a place frees up on a full need "
            "with a waiting list."
        ),
    )
    deadline_reminders = models.BooleanField(
        _("deadline reminders"),
        default=True,
        help_text=_(
            "An e-mail three days before the application deadline of a need you coordinate or applied to, and "
            "a week before the pre-departure steps of a placement are due."
        ),
    )
    feedback_requests = models.BooleanField(
        _("requests for feedback"), default=True, help_text=_("An e-mail when a placement ends, asking how it went.")
    )
    weekly_digest = models.BooleanField(
        _("weekly digest of suitable opportunities"),
        default=False,
        help_text=_("Once a week, new opportunities that fit your volunteer profile."),
    )
    conversation_messages = models.BooleanField(
        _("new messages in my conversations"),
        default=True,
        help_text=_("At most one e-mail per conversation every 15 minutes; you reply on the web."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)


class Notification(models.Model):
    """One e-mail for one event and one recipient, written in the event's transaction together with the
    task that sends it (a row of the task outbox, globalir.outbox).

    ``event_key`` is unique, so the same event can never produce a second e-mail; the task that
    sends it claims the row first, so a retried or redelivered task does not send it twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", pgettext_lazy("e-mail status", "Sent")
        SKIPPED = "skipped", _("Not sent: the recipient opted out")
        FAILED = "failed", pgettext_lazy("e-mail status", "Failed")

    kind = models.CharField(_("kind"), max_length=50)
    event_key = models.CharField(_("event"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(
        _("language"),
        max_length=7,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "The language of the page where the event happened. The e-mail is written in the recipient's "
            "language; this one serves for an address that has no account."
        ),
    )
    context = models.JSONField(_("context"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("e-mail notification")
        verbose_name_plural = _("e-mail notifications")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.kind} → {self.email} ({self.get_status_display()})"
