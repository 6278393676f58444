"""Host requests: a host (an IR society from the directory, or the organisation managing a hospital site)
asks a visiting-professor programme for a visiting professor."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from organisations.models import Organisation
from volunteers.models import Language, Skill


class HostRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=HostRequest.Status.OPEN)

    def listed(self):
        """Open requests of published programmes led and hosted by verified organisations."""
        return self.open().filter(
            programme__status="published",
            programme__lead_organisation__status=Organisation.Status.VERIFIED,
            host_organisation__status=Organisation.Status.VERIFIED,
        )


class HostRequest(models.Model):
    """What a host asks of a visiting professor: topics, dates, language, what it covers, and the kind of visit."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Society meeting")
        TEACHING_WEEK = "teaching_week", _("Hospital teaching week")
        BOTH = "both", _("Society meeting and hospital teaching week")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MATCHED = "matched", _("Matched")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="host_requests",
    )
    host_organisation = models.ForeignKey(
        Organisation, verbose_name=_("host"), on_delete=models.PROTECT, related_name="host_requests"
    )
    host_site = models.ForeignKey(
        "programmes.Site",
        verbose_name=_("host hospital"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="host_requests",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind of visit"), max_length=20, choices=Kind.choices, default=Kind.BOTH)
    topics = models.ManyToManyField(Skill, verbose_name=_("topics wanted"), related_name="host_requests")
    language = models.ForeignKey(
        Language, verbose_name=_("language of the visit"), on_delete=models.PROTECT, related_name="+"
    )
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100)
    preferred_start = models.DateField(_("preferred start"))
    preferred_end = models.DateField(_("preferred end"))
    covers_accommodation = models.BooleanField(_("accommodation"), default=False)
    covers_local_travel = models.BooleanField(_("local travel"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    objects = HostRequestQuerySet.as_manager()

    class Meta:
        ordering = ["preferred_start", "pk"]
        verbose_name = _("host request")
        verbose_name_plural = _("host requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_end__gte=F("preferred_start")), name="host_request_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.host_organisation})"

    def clean(self):
        if self.preferred_start and self.preferred_end and self.preferred_end < self.preferred_start:
            raise ValidationError({"preferred_end": _("The end must not be before the start.")})
        if (
            self.host_site_id
            and self.host_organisation_id
            and self.host_site.organisation_id != self.host_organisation_id
        ):
            raise ValidationError({"host_site": _("Choose a hospital site your organisation manages.")})

    @property
    def covers(self) -> list[str]:
        labels = [(self.covers_accommodation, _("accommodation")), (self.covers_local_travel, _("local travel"))]
        return [str(label) for offered, label in labels if offered]
