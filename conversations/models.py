"""Message threads on applications and placements.

One thread per application (the volunteer and the coordinators of the need's lead organisation), and one
group thread per need, or per rotation of a team, for everyone confirmed on it (an accepted or completed
place) and the coordinators. A thread is created with its first message (services.message_post).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from placements.models import Application
from programmes.models import Need
from programmes.teams import Rotation
from volunteers.validators import document_type_of, validate_credential_document

BODY_MAX_LENGTH = 5000


class Thread(models.Model):
    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application")
        GROUP = "group", _("Everyone confirmed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="thread",
    )
    need = models.OneToOneField(
        Need, verbose_name=_("need"), null=True, blank=True, on_delete=models.CASCADE, related_name="group_thread"
    )
    rotation = models.OneToOneField(
        Rotation,
        verbose_name=_("rotation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="group_thread",
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            # Exactly one subject: an application, or a need or a rotation for the group.
            models.CheckConstraint(
                condition=Q(kind="application", application__isnull=False, need__isnull=True, rotation__isnull=True)
                | Q(kind="group", application__isnull=True, need__isnull=False, rotation__isnull=True)
                | Q(kind="group", application__isnull=True, need__isnull=True, rotation__isnull=False),
                name="thread_one_subject",
            ),
        ]

    def __str__(self):
        if self.application_id:
            return _("Application #%(number)s") % {"number": self.application_id}
        if self.need_id:
            return _("Everyone confirmed on need #%(number)s") % {"number": self.need_id}
        return _("Everyone confirmed on rotation #%(number)s") % {"number": self.rotation_id}


def attachment_upload_to(instance, filename):
    # As for credentials: a generated name, the extension taken from the checked content.
    kind = document_type_of(instance.attachment)
    return f"conversations/{uuid.uuid4().hex}{kind.extensions[0] if kind else ''}"


class Message(models.Model):
    thread = models.ForeignKey(
        Thread, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH, blank=True)
    attachment = models.FileField(
        _("attachment"),
        upload_to=attachment_upload_to,
        blank=True,
        max_length=255,
        # The checks of a credential's document, wherever the file comes from.
        validators=[validate_credential_document],
    )
    # Set when the author's account is erased: the body is emptied and the attachment deleted.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["thread", "id"], name="message_thread_id")]

    def __str__(self):
        return _("Message #%(number)s") % {"number": self.pk}


class ReadState(models.Model):
    """How far one participant has read a thread (read receipts, unread counts), and when they were last
    e-mailed about it (at most one e-mail per thread and participant every 15 minutes)."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="read_states"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    # Message ids grow: everything up to this one has been read.
    last_read_message_id = models.PositiveBigIntegerField(_("last message read"), default=0)
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)
    last_emailed_at = models.DateTimeField(_("last e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="read_state_one_per_participant")]

    def __str__(self):
        return f"{self.user} · {self.thread}"
