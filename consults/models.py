"""A partner clinician's consult request, its de-identified images, the volunteer's report and the thread.

Images live on the private "consults" storage (settings.STORAGES), never under static files; they are
streamed by a view to the people allowed to see them, and every view is written to ConsultImageView.
"""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from volunteers.models import Profession


def consults_storage():
    """The storage of consult images (a callable so that a deployment's STORAGES["consults"] is used, S3 included)."""
    return storages["consults"]


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


def image_path(instance: "ConsultImage", filename: str) -> str:
    # No original file name: it may carry a patient's name.
    return f"consults/{instance.request.public_id}/{secrets.token_hex(8)}{_extension(instance.content_type)}"


def preview_path(instance: "ConsultImage", filename: str) -> str:
    return f"consults/{instance.request.public_id}/previews/{filename}"


def _extension(content_type: str) -> str:
    return {"application/dicom": ".dcm", "image/jpeg": ".jpg", "image/png": ".png"}.get(content_type, ".bin")


class ConsultRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ConsultRequest.Status.OPEN)


class ConsultRequest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft: images to check")
        OPEN = "open", _("Waiting for a volunteer")
        CLAIMED = "claimed", _("Being reported")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Within 24 hours")

    class Modality(models.TextChoices):
        CT = "CT", _("CT")
        MR = "MR", _("MRI")
        CR = "CR", _("X-ray")
        US = "US", _("Ultrasound")
        MG = "MG", _("Mammography")
        XA = "XA", _("Angiography")
        OTHER = "OT", _("Other")

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    site = models.ForeignKey(
        "programmes.Site", verbose_name=_("host site"), on_delete=models.CASCADE, related_name="consult_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="consult_requests",
    )
    question = models.TextField(_("clinical question"), max_length=2000)
    history = models.TextField(_("short history"), max_length=4000, blank=True)
    modality = models.CharField(_("modality"), max_length=4, choices=Modality.choices)
    body_part = models.CharField(_("body part"), max_length=100)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    language = models.ForeignKey(
        "volunteers.Language", verbose_name=_("language"), on_delete=models.PROTECT, related_name="+"
    )
    profession = models.CharField(
        _("answered by"), max_length=20, choices=Profession.choices, default=Profession.RADIOLOGIST
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("offered to a wider pool at"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        "volunteers.VolunteerProfile",
        verbose_name=_("claimed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consults_claimed",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    objects = ConsultRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("consult request")
        verbose_name_plural = _("consult requests")
        indexes = [models.Index(fields=["status", "urgency"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(claimed_by__isnull=True) | Q(claimed_at__isnull=False), name="consult_claim_has_time"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="consult_rating_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.get_modality_display()} {self.body_part} ({self.public_id})"

    def get_absolute_url(self):
        return reverse("consults:detail", kwargs={"public_id": self.public_id})

    @property
    def images_to_check(self) -> bool:
        return any(image.needs_burn_in_check for image in self.images.all())


class ConsultImage(models.Model):
    """One de-identified image: the file is what consults.imaging returned, never the upload."""

    class Kind(models.TextChoices):
        DICOM = "dicom", _("DICOM")
        PHOTO = "photo", _("Photo")

    request = models.ForeignKey(ConsultRequest, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(_("file"), storage=consults_storage, upload_to=image_path, max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    modality = models.CharField(_("modality"), max_length=8, blank=True)
    series_uid = models.CharField(max_length=80, blank=True)
    instance_number = models.IntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    default_preset = models.CharField(max_length=20, blank=True)
    burn_in_suspected = models.BooleanField(_("text may be burnt into the image"), default=False)
    burn_in_confirmed = models.BooleanField(_("checked free of names"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "series_uid", "position", "pk"]
        verbose_name = _("consult image")
        verbose_name_plural = _("consult images")

    def __str__(self):
        return f"{self.request.public_id} #{self.position}"

    @property
    def needs_burn_in_check(self) -> bool:
        return self.burn_in_suspected and not self.burn_in_confirmed


class ConsultReport(models.Model):
    """The claiming volunteer's structured answer."""

    class Confidence(models.TextChoices):
        LOW = "low", _("Low")
        MODERATE = "moderate", _("Moderate")
        HIGH = "high", _("High")

    request = models.OneToOneField(ConsultRequest, on_delete=models.CASCADE, related_name="report")
    author = models.ForeignKey(
        "volunteers.VolunteerProfile", verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    findings = models.TextField(_("findings"), max_length=8000)
    impression = models.TextField(_("impression"), max_length=4000)
    recommendation = models.TextField(_("recommendation"), max_length=4000, blank=True)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)
    hours_spent = models.DecimalField(
        _("hours spent"),
        max_digits=4,
        decimal_places=1,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
        help_text=_("Counted in your hours of remote work."),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consult report")
        verbose_name_plural = _("consult reports")

    def __str__(self):
        return str(self.request)


class ConsultMessage(models.Model):
    """A question or an answer in a request's thread, between its clinicians and the claiming volunteer."""

    request = models.ForeignKey(ConsultRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("consult message")
        verbose_name_plural = _("consult messages")

    def __str__(self):
        return f"{self.request.public_id}: {self.created_at:%Y-%m-%d %H:%M}"


class ConsultImageView(models.Model):
    """The audit trail of images: who opened which image, how, and when. Never edited."""

    class How(models.TextChoices):
        PREVIEW = "preview", _("preview")
        DOWNLOAD = "download", _("download")

    image = models.ForeignKey(
        ConsultImage, verbose_name=_("image"), null=True, on_delete=models.SET_NULL, related_name="views"
    )
    # Kept when the image is deleted by the retention rule, so the trail still says which request it was.
    request_public_id = models.CharField(_("request"), max_length=24, db_index=True)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    preset = models.CharField(_("window"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("image view")
        verbose_name_plural = _("audit trail: consult image views")

    def __str__(self):
        return f"{self.request_public_id} {self.created_at:%Y-%m-%d %H:%M:%S}"
