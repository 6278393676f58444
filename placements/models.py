import datetime

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programmes.models import DateRange, Mode, Need, PostgresExclusionConstraint
from volunteers.models import VolunteerProfile

# The name of Placement's exclusion constraint, which services.offer_accept recognises in the error.
PLACEMENT_NO_OVERLAP = "placement_no_onsite_overlap"


class ApplicationStatus(models.TextChoices):
    INTERESTED = "interested", _("Interested")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Completed")


# The named groups of statuses, defined here once: Application.<NAME> and the ApplicationQuerySet methods of
# the same meaning use them (module constants, so that the database constraint below can use them too).
# Going: at most one per volunteer and need.
ACTIVE_STATUSES = (
    ApplicationStatus.INTERESTED,
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.OFFERED,
    ApplicationStatus.ACCEPTED,
)
# Waiting for a decision (the coordinators' or, once offered, the volunteer's): withdrawn when the account is
# erased.
UNDECIDED_STATUSES = (ApplicationStatus.INTERESTED, ApplicationStatus.SHORTLISTED, ApplicationStatus.OFFERED)
# Considered by the coordinators, no offer yet: the applications a match round ranks.
UNDER_REVIEW_STATUSES = (ApplicationStatus.INTERESTED, ApplicationStatus.SHORTLISTED)
# Holding one of the need's places: an offer waiting for its answer counts against the places.
HOLDING_STATUSES = (ApplicationStatus.OFFERED, ApplicationStatus.ACCEPTED, ApplicationStatus.COMPLETED)
# Taking place: an accepted or completed placement, the need's places taken.
TAKING_PLACE_STATUSES = (ApplicationStatus.ACCEPTED, ApplicationStatus.COMPLETED)
# Over without a placement.
CLOSED_STATUSES = (ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN)


class ApplicationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def undecided(self):
        return self.filter(status__in=UNDECIDED_STATUSES)

    def under_review(self):
        return self.filter(status__in=UNDER_REVIEW_STATUSES)

    def holding(self):
        return self.filter(status__in=HOLDING_STATUSES)

    def taking_place(self):
        return self.filter(status__in=TAKING_PLACE_STATUSES)

    def for_volunteer(self, profile):
        return self.filter(volunteer=profile)


class Application(models.Model):
    """A volunteer's interest in a need, and its way through the pipeline.

    Its status changes only through placements.transitions.application_transition, which follows
    TRANSITIONS (and, for what volunteers do on their own pages, VOLUNTEER_TRANSITIONS).
    """

    Status = ApplicationStatus
    ACTIVE_STATUSES = ACTIVE_STATUSES
    UNDECIDED_STATUSES = UNDECIDED_STATUSES
    UNDER_REVIEW_STATUSES = UNDER_REVIEW_STATUSES
    HOLDING_STATUSES = HOLDING_STATUSES
    TAKING_PLACE_STATUSES = TAKING_PLACE_STATUSES
    CLOSED_STATUSES = CLOSED_STATUSES

    # Every move each status allows. The organisation makes them (its coordinators, a match round, a site
    # admin, also for a volunteer who wrote in), as do the volunteer's own pages within VOLUNTEER_TRANSITIONS.
    TRANSITIONS = {
        Status.INTERESTED: {Status.SHORTLISTED, Status.OFFERED, Status.DECLINED, Status.WITHDRAWN},
        Status.SHORTLISTED: {Status.OFFERED, Status.DECLINED, Status.WITHDRAWN},
        Status.OFFERED: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
        Status.ACCEPTED: {Status.COMPLETED, Status.WITHDRAWN},
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
        Status.COMPLETED: set(),
    }
    # The moves volunteers make themselves: withdrawing before they accept (an accepted placement is given up
    # by writing to the coordinators), and answering an offer.
    VOLUNTEER_TRANSITIONS = {
        Status.INTERESTED: {Status.WITHDRAWN},
        Status.SHORTLISTED: {Status.WITHDRAWN},
        Status.OFFERED: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
    }
    # The timestamp field recording when an application reached each status.
    STATUS_TIMESTAMPS = {
        Status.INTERESTED: "created_at",
        Status.SHORTLISTED: "shortlisted_at",
        Status.OFFERED: "offered_at",
        Status.ACCEPTED: "accepted_at",
        Status.DECLINED: "declined_at",
        Status.WITHDRAWN: "withdrawn_at",
        Status.COMPLETED: "completed_at",
    }

    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="applications")
    # Kept (anonymised) when a volunteer erases their account: partners report on past placements.
    volunteer = models.ForeignKey(
        VolunteerProfile,
        verbose_name=_("volunteer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    message = models.TextField(_("message"), max_length=3000, blank=True)
    proposed_start = models.DateField(_("proposed start"), null=True, blank=True)
    proposed_end = models.DateField(_("proposed end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.INTERESTED)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=500, blank=True, help_text=_("The volunteer sees this reason.")
    )
    coordinator_notes = models.TextField(
        _("internal notes"), max_length=5000, blank=True, help_text=_("Seen only by the organisation's coordinators.")
    )
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    shortlisted_at = models.DateTimeField(_("shortlisted at"), null=True, blank=True)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()
    # Status changes are audited; the volunteer's message and the coordinators' notes are not copied.
    history = HistoricalRecords(excluded_fields=["message", "coordinator_notes", "updated_at"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "volunteer"],
                condition=Q(status__in=list(ACTIVE_STATUSES)),
                name="application_one_active_per_need",
                violation_error_message=_("You already have an active application for this need."),
            ),
            models.CheckConstraint(
                condition=Q(proposed_end__isnull=True)
                | Q(proposed_start__isnull=True)
                | Q(proposed_end__gte=F("proposed_start")),
                name="application_proposed_end_after_start",
            ),
        ]

    def __str__(self):
        who = self.volunteer.display_name if self.volunteer_id else _("former volunteer")
        return f"{who} → {self.need.title} ({self.get_status_display()})"

    def clean(self):
        errors = {}
        if self.proposed_start and self.proposed_end and self.proposed_end < self.proposed_start:
            errors["proposed_end"] = _("The proposed end cannot be before the proposed start.")
        need = self.need if self.need_id else None
        if need:
            outside_window = _("Propose dates inside the need's window, from %(start)s until %(end)s.") % {
                "start": need.window_start,
                "end": need.window_end,
            }
            for field in ("proposed_start", "proposed_end"):
                day = getattr(self, field)
                if day and not need.window_start <= day <= need.window_end:
                    errors.setdefault(field, outside_window)
        if errors:
            raise ValidationError(errors)

    def can_become(self, status: str, *, by_volunteer: bool = False) -> bool:
        """Whether the application may move to `status` (by its volunteer, on their own pages)."""
        moves = self.VOLUNTEER_TRANSITIONS if by_volunteer else self.TRANSITIONS
        return status in moves.get(self.Status(self.status), ())

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class Placement(models.Model):
    """An accepted engagement with its actual dates."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="placement"
    )
    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.PROTECT, related_name="placements")
    volunteer = models.ForeignKey(
        VolunteerProfile,
        verbose_name=_("volunteer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="placements",
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week (remote work)"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="placement_end_after_start"),
            # No double bookings: one volunteer cannot be on site in two places on the same day. A
            # placement exists only once an offer is accepted (services.offer_accept), and it is
            # completed when its application is (pipeline.application_complete sets both), so
            # "accepted on-site placements", those offer_accept checks for overlaps, are the on-site
            # and hybrid rows not completed yet. This backs offer_accept's row lock: on PostgreSQL
            # neither the admin nor a bulk path can write an overlap (btree_gist, migration 0004).
            PostgresExclusionConstraint(
                name=PLACEMENT_NO_OVERLAP,
                expressions=[
                    ("volunteer", RangeOperators.EQUAL),
                    (
                        DateRange("start_date", "end_date", RangeBoundary(inclusive_lower=True, inclusive_upper=True)),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(mode__in=[Mode.ONSITE, Mode.HYBRID], volunteer__isnull=False, completed_at__isnull=True),
                violation_error_code="overlap",
                violation_error_message=_(
                    "This volunteer already has an accepted on-site placement on some of these dates."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.need.title}: {self.start_date:%Y-%m-%d} → {self.end_date:%Y-%m-%d}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A placement cannot end before it starts.")})

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def is_onsite(self) -> bool:
        return self.mode in (Mode.ONSITE, Mode.HYBRID)

    @property
    def remote_hours(self) -> int:
        """Hours of remote work the placement represents: the weekly hours over its weeks."""
        return round(self.hours_per_week * self.days / 7)

    def overlaps(self, start: datetime.date, end: datetime.date) -> bool:
        return self.start_date <= end and start <= self.end_date


class Feedback(models.Model):
    """One side's short feedback on a placement once it has ended."""

    class Side(models.TextChoices):
        VOLUNTEER = "volunteer", _("From the volunteer")
        ORGANISATION = "organisation", _("From the organisation")

    placement = models.ForeignKey(
        Placement, verbose_name=_("placement"), on_delete=models.CASCADE, related_name="feedback"
    )
    side = models.CharField(_("from"), max_length=12, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("From 1 (poor) to 5 (excellent)."),
    )
    comments = models.TextField(_("comments"), max_length=3000, blank=True)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["placement", "side"], name="feedback_once_per_side"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.get_side_display()}: {self.rating}/5 – {self.placement}"


# Visiting professors' candidacies, visits and feedback, a volunteer's ranked rotations, invitations to speak,
# needs' waiting lists, placements' checklists and certificates of service live in modules of their own; imported
# here so that Django registers them.
from .certificates import Certificate  # noqa: E402, F401
from .checklists import PlacementChecklistItem  # noqa: E402, F401
from .rotations import RotationChoice  # noqa: E402, F401
from .talks import SpeakingInvitation  # noqa: E402, F401
from .visits import Visit, VisitCandidacy, VisitFeedback  # noqa: E402, F401
from .waiting_list import WaitingListEntry  # noqa: E402, F401
