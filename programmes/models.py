import datetime

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from globalir.regions import countries_in
from organisations.models import Organisation
from volunteers.models import Language, Profession, Skill, VolunteerProfile


class Mode(models.TextChoices):
    ONSITE = "onsite", _("On-site")
    REMOTE = "remote", _("Remote")
    HYBRID = "hybrid", _("Hybrid")


# The name of Placement's exclusion constraint, which services.offer_accept recognises in the error.
PLACEMENT_NO_OVERLAP = "placement_no_onsite_overlap"


class DateRange(models.Func):
    """PostgreSQL's daterange(start, end, bounds): the days a row covers, for exclusion constraints."""

    function = "DATERANGE"
    output_field = DateRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that exists on PostgreSQL only.

    SQLite has neither exclusion constraints nor GiST indexes: there the table is created without it,
    model validation skips it, and the services' locked sections (SQLite's IMMEDIATE transactions,
    see settings.DATABASES) remain the only guard. On PostgreSQL the database refuses an offending row
    whichever path writes it (a service, the admin, a bulk insert), and model validation (the admin's
    forms) reports it as a form error before the insert is even tried.
    """

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if connections[using].vendor != "postgresql":
            return
        super().validate(model, instance, exclude=exclude, using=using)


class Site(models.Model):
    """A hospital or institution that hosts volunteers."""

    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("managed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sites",
        help_text=_("The organisation whose coordinators keep this site's details up to date."),
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["country", "city", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["name", "city", "country"], name="site_unique_name_city_country"),
        ]

    def __str__(self):
        return f"{self.name}, {self.city} ({self.country.code})"


class ProgrammeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Programme.Status.PUBLISHED)

    def of_organisation(self, organisation):
        return self.filter(Q(lead_organisation=organisation) | Q(partners=organisation)).distinct()


class Programme(models.Model):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Training / fellowship")
        VISITING_PROFESSOR = "visiting_professor", _("Visiting professorship")
        CLINICAL_SUPPORT = "clinical_support", _("Clinical service support")
        TELERADIOLOGY = "teleradiology", _("Tele-radiology reporting")
        EDUCATION = "education", _("Education & lectures")
        RESEARCH = "research", _("Research")
        EQUIPMENT = "equipment", _("Equipment & infrastructure")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    lead_organisation = models.ForeignKey(
        Organisation, verbose_name=_("lead organisation"), on_delete=models.PROTECT, related_name="led_programmes"
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partner organisations"), blank=True, related_name="partner_programmes"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    countries = CountryField(_("countries"), multiple=True, blank=True)
    sites = models.ManyToManyField(Site, verbose_name=_("sites"), blank=True, related_name="programmes")
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProgrammeQuerySet.as_manager()
    # Who published or closed it, and when; the texts are the programme's own page, not its trail.
    history = HistoricalRecords(excluded_fields=["summary", "description", "updated_at"])

    class Meta:
        ordering = ["title"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="programme_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The programme cannot end before it starts.")})


class NeedQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Need.Status.OPEN)

    def listed(self):
        """Open needs of published programmes led by verified organisations."""
        return self.open().filter(
            programme__status=Programme.Status.PUBLISHED,
            programme__lead_organisation__status=Organisation.Status.VERIFIED,
        )

    def in_country(self, country_code: str):
        return self.filter(
            Q(host_site__country=country_code) | Q(host_site__isnull=True, programme__countries__contains=country_code)
        )

    def in_region(self, region: str):
        codes = countries_in(region)
        # Remote needs have no host site: they belong to the countries of their programme,
        # stored as comma-separated ISO codes.
        programme_countries = r"(^|,)({})(,|$)".format("|".join(codes))
        return self.filter(
            Q(host_site__country__in=codes) | Q(host_site__isnull=True, programme__countries__regex=programme_countries)
        )


class Need(models.Model):
    """A partner-led request for volunteers, inside a programme."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FILLED = "filled", _("Filled")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="needs"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    profession = models.CharField(_("profession wanted"), max_length=20, choices=Profession.choices)
    places = models.PositiveSmallIntegerField(
        _("number of places"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    required_skills = models.ManyToManyField(
        Skill, verbose_name=_("required skills"), blank=True, related_name="needs_requiring"
    )
    preferred_skills = models.ManyToManyField(
        Skill, verbose_name=_("preferred skills"), blank=True, related_name="needs_preferring"
    )
    required_languages = models.ManyToManyField(
        Language, verbose_name=_("required languages"), blank=True, related_name="needs"
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ONSITE)
    host_site = models.ForeignKey(
        Site, verbose_name=_("host site"), null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    window_start = models.DateField(_("earliest start"))
    window_end = models.DateField(_("latest end"))
    min_duration_days = models.PositiveSmallIntegerField(
        _("minimum duration (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week (remote work)"), default=0, validators=[MaxValueValidator(60)]
    )
    min_years_experience = models.PositiveSmallIntegerField(
        _("minimum years of experience"), default=0, validators=[MaxValueValidator(40)]
    )
    requires_verified_credential = models.BooleanField(_("a verified credential is required"), default=False)
    offers_accommodation = models.BooleanField(_("accommodation"), default=False)
    offers_travel = models.BooleanField(_("travel costs"), default=False)
    offers_visa_letter = models.BooleanField(_("visa invitation letter"), default=False)
    offers_meals = models.BooleanField(_("meals"), default=False)
    offers_local_transport = models.BooleanField(_("local transport"), default=False)
    offers_licensing_help = models.BooleanField(_("help with temporary licensing"), default=False)
    support_notes = models.TextField(_("other support offered"), blank=True)
    application_deadline = models.DateField(_("application deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    filled_at = models.DateTimeField(_("filled at"), null=True, blank=True)

    objects = NeedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    SUPPORT_FIELDS = (
        "offers_accommodation",
        "offers_travel",
        "offers_visa_letter",
        "offers_meals",
        "offers_local_transport",
        "offers_licensing_help",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["status", "application_deadline"])]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="need_at_least_one_place"),
            models.CheckConstraint(condition=Q(window_end__gte=F("window_start")), name="need_window_end_after_start"),
            models.CheckConstraint(condition=Q(min_duration_days__gte=1), name="need_min_duration_positive"),
        ]

    def __str__(self):
        return f"{self.title} – {self.programme}"

    def get_absolute_url(self):
        return reverse("programmes:need-detail", kwargs={"pk": self.pk})

    @property
    def window_days(self) -> int:
        return (self.window_end - self.window_start).days + 1

    @property
    def is_remote(self) -> bool:
        return self.mode == Mode.REMOTE

    @property
    def needs_host_site(self) -> bool:
        return self.mode in (Mode.ONSITE, Mode.HYBRID)

    def support_offered(self) -> list[str]:
        labels = [str(self._meta.get_field(name).verbose_name) for name in self.SUPPORT_FIELDS if getattr(self, name)]
        return labels

    def clean(self):
        errors = {}
        if self.window_start and self.window_end:
            if self.window_end < self.window_start:
                errors["window_end"] = _("The latest end cannot be before the earliest start.")
            elif self.min_duration_days and self.min_duration_days > self.window_days:
                errors["min_duration_days"] = _(
                    "The minimum duration (%(days)s days) is longer than the date window (%(window)s days)."
                ) % {"days": self.min_duration_days, "window": self.window_days}
            if (
                "window_end" not in errors
                and self.status == self.Status.OPEN
                and self.window_end < timezone.localdate()
            ):
                errors["window_end"] = _("This date window has already ended; an open need must end in the future.")
            if self.application_deadline and self.application_deadline > self.window_end:
                errors["application_deadline"] = _("The application deadline must be before the window ends.")
        if self.places is not None and self.places < 1:
            errors["places"] = _("A need must offer at least one place.")
        if self.needs_host_site and not self.host_site_id:
            errors["host_site"] = _(
                "On-site and hybrid needs must name a host site. Choose one, or make the need remote."
            )
        if self.mode in (Mode.REMOTE, Mode.HYBRID) and not self.hours_per_week:
            errors["hours_per_week"] = _("Say how many hours per week the remote work takes.")
        if errors:
            raise ValidationError(errors)


class ApplicationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Application.ACTIVE_STATUSES)

    def for_volunteer(self, profile):
        return self.filter(volunteer=profile)


class Application(models.Model):
    """A volunteer's interest in a need, and its way through the pipeline."""

    class Status(models.TextChoices):
        INTERESTED = "interested", _("Interested")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")

    ACTIVE_STATUSES = (Status.INTERESTED, Status.SHORTLISTED, Status.OFFERED, Status.ACCEPTED)
    TRANSITIONS = {
        Status.INTERESTED: {Status.SHORTLISTED, Status.OFFERED, Status.DECLINED, Status.WITHDRAWN},
        Status.SHORTLISTED: {Status.OFFERED, Status.DECLINED, Status.WITHDRAWN},
        Status.OFFERED: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
        Status.ACCEPTED: {Status.COMPLETED, Status.WITHDRAWN},
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
        Status.COMPLETED: set(),
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
                condition=Q(status__in=["interested", "shortlisted", "offered", "accepted"]),
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

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

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


class Recommendation(models.Model):
    """A stored matcher result: how well one volunteer fits one need, and why.

    Only each side's top results are kept (see settings.MATCHING_TOP_K). A refresh replaces a
    volunteer's or a need's rows in one transaction.
    """

    volunteer = models.ForeignKey(
        VolunteerProfile, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="recommendations"
    )
    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="recommendations")
    score = models.FloatField(_("score"), validators=[MinValueValidator(0), MaxValueValidator(100)])
    rank_for_volunteer = models.PositiveSmallIntegerField(_("rank among the volunteer's needs"), null=True, blank=True)
    rank_for_need = models.PositiveSmallIntegerField(_("rank among the need's volunteers"), null=True, blank=True)
    factors = models.JSONField(_("contribution of each factor"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["-score"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "need"], name="recommendation_unique_pair"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "rank_for_volunteer"]),
            models.Index(fields=["need", "rank_for_need"]),
        ]

    def __str__(self):
        return f"{self.volunteer_id} ↔ {self.need_id}: {self.score:.0f}"


class MatchRoundQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(status__in=[MatchRound.Status.OPEN, MatchRound.Status.RUNNING])


class MatchRound(models.Model):
    """A programme's match round: volunteers rank the needs they applied to, coordinators rank each
    need's applicants, and at the deadline a stable matching turns into offers."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for ranking")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="match_rounds"
    )
    ranking_deadline = models.DateTimeField(_("ranking deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    dry_run_at = models.DateTimeField(_("last dry run at"), null=True, blank=True)
    dry_run_result = models.JSONField(_("last dry run"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    objects = MatchRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("match round")
        verbose_name_plural = _("match rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(status__in=["open", "running"]),
                name="match_round_one_in_progress_per_programme",
                violation_error_message=_("This programme already has a match round in progress."),
            ),
        ]

    def __str__(self):
        return f"{self.programme} – {self.get_status_display()} ({self.ranking_deadline:%Y-%m-%d})"


class RoundRanking(models.Model):
    """An application's place in a round: how the volunteer ranks the need, how the need ranks the volunteer.

    A blank rank on either side makes the pair unacceptable to the matching.
    """

    class Outcome(models.TextChoices):
        PENDING = "", _("Not run yet")
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("Not matched")

    match_round = models.ForeignKey(
        MatchRound, verbose_name=_("match round"), on_delete=models.CASCADE, related_name="rankings"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="round_rankings"
    )
    volunteer_rank = models.PositiveSmallIntegerField(_("volunteer's rank of the need"), null=True, blank=True)
    need_rank = models.PositiveSmallIntegerField(_("need's rank of the volunteer"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default="", blank=True)
    explanation = models.TextField(_("explanation"), blank=True)

    class Meta:
        ordering = ["match_round", "application__need", "need_rank"]
        verbose_name = _("round ranking")
        verbose_name_plural = _("round rankings")
        constraints = [
            models.UniqueConstraint(fields=["match_round", "application"], name="round_ranking_unique_application"),
            models.CheckConstraint(
                condition=Q(volunteer_rank__isnull=True) | Q(volunteer_rank__gte=1),
                name="round_volunteer_rank_positive",
            ),
            models.CheckConstraint(
                condition=Q(need_rank__isnull=True) | Q(need_rank__gte=1), name="round_need_rank_positive"
            ),
        ]

    def __str__(self):
        return f"{self.match_round_id}: application {self.application_id}"
