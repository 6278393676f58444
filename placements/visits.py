"""Visiting professors: a volunteer's candidacy to a visiting-professor programme, the visit a match round
makes of a host request and a candidate, and the feedback both sides give after it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from programmes.models import HostRequest, Programme
from volunteers.models import CareerStage, Profession, Skill, VolunteerProfile

# Who may be a visiting professor: a practising interventional or diagnostic radiologist with at least five
# years of practice (or retired from it).
VISITING_PROFESSIONS = (Profession.IR_PHYSICIAN, Profession.RADIOLOGIST)
VISITING_CAREER_STAGES = (CareerStage.ESTABLISHED, CareerStage.SENIOR, CareerStage.RETIRED)


class VisitCandidacy(models.Model):
    """A volunteer's offer to be one of a programme's visiting professors."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="visit_candidacies"
    )
    # NULL once the volunteer's account is erased: a candidacy whose visit took place stays, anonymised, for
    # the programme's report (placements.privacy.erase deletes the others).
    volunteer = models.ForeignKey(
        VolunteerProfile,
        verbose_name=_("volunteer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="visit_candidacies",
    )
    topics = models.ManyToManyField(Skill, verbose_name=_("topics you can teach"), related_name="+")
    statement = models.TextField(_("what you would bring"), max_length=3000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("visiting-professor candidacy")
        verbose_name_plural = _("visiting-professor candidacies")
        constraints = [
            models.UniqueConstraint(fields=["programme", "volunteer"], name="visit_candidacy_once_per_programme"),
        ]

    def __str__(self):
        return f"{self.volunteer} – {self.programme}"


class Visit(models.Model):
    """A visiting professor's visit to a host, as a match round decided it."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CANCELLED = "cancelled", _("Cancelled")

    host_request = models.OneToOneField(
        HostRequest, verbose_name=_("host request"), on_delete=models.CASCADE, related_name="visit"
    )
    candidacy = models.ForeignKey(
        VisitCandidacy, verbose_name=_("visiting professor"), on_delete=models.CASCADE, related_name="visits"
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="visit_end_after_start"),
        ]

    def __str__(self):
        return f"{self.candidacy.volunteer} → {self.host_request}"


class VisitFeedback(models.Model):
    """One side's word on a visit once it is over: the host's or the visiting professor's."""

    class Side(models.TextChoices):
        HOST = "host", _("Host")
        PROFESSOR = "professor", _("Visiting professor")

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="feedback")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("From 1 (poor) to 5 (excellent)."),
    )
    comments = models.TextField(_("comments"), max_length=3000, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("given by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("visit feedback")
        verbose_name_plural = _("visit feedback")
        constraints = [
            models.UniqueConstraint(fields=["visit", "side"], name="visit_feedback_once_per_side"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="visit_feedback_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.get_side_display()}: {self.rating}/5 – {self.visit}"
