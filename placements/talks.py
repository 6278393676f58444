"""Invitations to speak: an organisation invites a speaker of the Speakers Bureau to give a talk.

Accepted, an invitation is a placement of its own kind: it is in the speaker's record of placements and
in their calendar feed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisations.models import Organisation
from volunteers.models import VolunteerProfile


class TalkFormat(models.TextChoices):
    REMOTE = "remote", _("Remote")
    ONSITE = "onsite", _("On site")


class SpeakingInvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=SpeakingInvitation.Status.PENDING)

    def accepted(self):
        return self.filter(status=SpeakingInvitation.Status.ACCEPTED)


class SpeakingInvitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the speaker's answer")
        # The status words an invitation shares with others, in the context that gives them its gender.
        ACCEPTED = "accepted", pgettext_lazy("invitation status", "Accepted")
        DECLINED = "declined", pgettext_lazy("invitation status", "Declined")
        WITHDRAWN = "withdrawn", pgettext_lazy("invitation status", "Withdrawn")

    Format = TalkFormat

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="speaking_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept (anonymised) when the speaker erases their account: the organisation keeps its programme's history.
    speaker = models.ForeignKey(
        VolunteerProfile,
        verbose_name=_("speaker"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="speaking_invitations",
    )
    event = models.CharField(
        _("event"), max_length=200, help_text=_("For example: Annual meeting of the national IR society, keynote.")
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    format = models.CharField(_("format"), max_length=10, choices=TalkFormat.choices)
    location = models.CharField(
        _("venue"), max_length=200, blank=True, help_text=_("Where the talk is given, if on site.")
    )
    audience = models.CharField(
        _("audience"), max_length=200, help_text=_("For example: about 150 radiologists and IR trainees.")
    )
    message = models.TextField(_("message to the speaker"), max_length=3000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SpeakingInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("invitation to speak")
        verbose_name_plural = _("invitations to speak")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="pending") | models.Q(answered_at__isnull=True),
                name="speaking_invitation_pending_unanswered",
            ),
        ]

    def __str__(self):
        return f"{self.event} ({self.date:%Y-%m-%d})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
