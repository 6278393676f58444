import datetime

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from globalir.content_language import content_language_field
from globalir.regions import countries_in
from organisations.models import Organisation
from volunteers.models import (
    LICENCE_TO_PRACTISE,
    REQUIRABLE_CREDENTIALS,
    Language,
    Profession,
    Skill,
    credential_requirement_label,
)


class Mode(models.TextChoices):
    ONSITE = "onsite", _("On-site")
    REMOTE = "remote", _("Remote")
    HYBRID = "hybrid", _("Hybrid")


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

    # What a coordinator sets, in the order of the form: the form, the services and the copies use this list.
    EDITABLE_FIELDS = ("name", "city", "country", "website", "description")

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
    content_language = content_language_field(
        help_text=_("The language its title, summary and description are written in; its new needs start in it.")
    )
    countries = CountryField(_("countries"), multiple=True, blank=True)
    sites = models.ManyToManyField(Site, verbose_name=_("sites"), blank=True, related_name="programmes")
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProgrammeQuerySet.as_manager()
    # Who published or closed it, and when; the texts are the programme's own page, not its trail.
    history = HistoricalRecords(excluded_fields=["summary", "description", "content_language", "updated_at"])

    # What a coordinator sets, in the order of the form: the form, the services and the copies use this list.
    EDITABLE_FIELDS = (
        "title",
        "kind",
        "summary",
        "description",
        "content_language",
        "countries",
        "sites",
        "start_date",
        "end_date",
        "partners",
    )

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

    def still_running(self, today: datetime.date):
        """Needs whose date window has not ended and whose application deadline has not passed
        (`Need.is_running` for one need)."""
        return self.filter(
            Q(application_deadline__isnull=True) | Q(application_deadline__gte=today), window_end__gte=today
        )

    def expired(self, today: datetime.date):
        """Needs whose date window has ended or whose application deadline has passed: the others of
        `still_running`."""
        return self.filter(Q(window_end__lt=today) | Q(application_deadline__lt=today))

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
    content_language = content_language_field(
        help_text=_("The language its title and description are written in. Volunteers can look for needs by it.")
    )
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
    # A licence to practise (volunteers.selectors.LICENCE_TO_PRACTISE_KINDS); the matcher reads this one.
    requires_verified_credential = models.BooleanField(_("a verified credential is required"), default=False)
    # Credentials required besides the licence (Credential.Kind values of REQUIRABLE_CREDENTIALS), each
    # verified and valid through the placement's end, checked when an offer is made and accepted.
    required_credentials = models.JSONField(_("other credentials required"), default=list, blank=True)
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
    # What a coordinator sets, in the order of the form: the form, the services and the copies use this list.
    # Never the status (need_status_change) nor the programme.
    EDITABLE_FIELDS = (
        "title",
        "description",
        "content_language",
        "profession",
        "places",
        "required_skills",
        "preferred_skills",
        "required_languages",
        "mode",
        "host_site",
        "window_start",
        "window_end",
        "min_duration_days",
        "hours_per_week",
        "min_years_experience",
        "requires_verified_credential",
        "required_credentials",
        *SUPPORT_FIELDS,
        "support_notes",
        "application_deadline",
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

    # The need's status rules. Its status changes only through programmes.services.need_status_change.

    def is_running(self, today: datetime.date) -> bool:
        """Its date window has not ended and its application deadline has not passed: an open need that is
        not running is closed by the nightly job, and a need that is not running cannot reopen."""
        return self.window_end >= today and not (self.application_deadline and self.application_deadline < today)

    def accepts_applications(self, today: datetime.date) -> bool:
        return self.status == self.Status.OPEN and self.is_running(today)

    def is_listed(self) -> bool:
        """`Need.objects.listed()` for one need loaded with its programme and lead organisation."""
        return (
            self.status == self.Status.OPEN
            and self.programme.status == Programme.Status.PUBLISHED
            and self.programme.lead_organisation.status == Organisation.Status.VERIFIED
        )

    def is_full(self, taken: int) -> bool:
        """Every place is taken when `taken` volunteers hold an accepted or completed placement."""
        return taken >= self.places

    @property
    def written_in(self) -> str:
        """The language of its title and description: its own, else its programme's ("" when nobody said)."""
        return self.content_language or self.programme.content_language

    @property
    def window_days(self) -> int:
        return (self.window_end - self.window_start).days + 1

    @property
    def is_remote(self) -> bool:
        return self.mode == Mode.REMOTE

    @property
    def needs_host_site(self) -> bool:
        return self.mode in (Mode.ONSITE, Mode.HYBRID)

    @property
    def credential_requirements(self) -> list[str]:
        """Every credential the need requires, as volunteers.selectors.credential_shortfalls takes them: the
        licence to practise first when it is asked."""
        wanted = [LICENCE_TO_PRACTISE] if self.requires_verified_credential else []
        return wanted + [kind for kind in REQUIRABLE_CREDENTIALS if kind in (self.required_credentials or [])]

    def other_credential_labels(self) -> list[str]:
        """The credentials required besides the licence to practise, in a sentence's words."""
        wanted = self.credential_requirements
        return [credential_requirement_label(kind) for kind in wanted if kind != LICENCE_TO_PRACTISE]

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
        wanted = self.required_credentials
        if not isinstance(wanted, list) or not set(wanted) <= set(REQUIRABLE_CREDENTIALS):
            errors["required_credentials"] = _("Choose the credentials required from the list.")
        if self.mode in (Mode.REMOTE, Mode.HYBRID) and not self.hours_per_week:
            errors["hours_per_week"] = _("Say how many hours per week the remote work takes.")
        if errors:
            raise ValidationError(errors)


class ListingVersion(models.Model):
    """Counters whose sum moves on with every write to a table /opportunities/ reads (needs, programmes, sites,
    electives, organisations, skills, languages and the links between them): the caches of the list are filed
    under it (programmes.listing_cache).

    Database triggers bump them (migration 0011), inside the writing statement's transaction: queryset
    updates, bulk inserts, the admin and raw SQL are all counted, and the new sum is seen exactly when the
    change is. On PostgreSQL each writing transaction bumps one of 16 rows (by its transaction id), so that
    writers to different needs do not queue behind one row until they commit. One more row, written once
    when the table is created, starts the sum at a random number.
    """

    number = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("opportunity list version")
        verbose_name_plural = _("opportunity list versions")

    def __str__(self):
        return str(self.number)

    @classmethod
    def current_expression(cls) -> RawSQL:
        """The current version as an expression, to read with other rows in the same statement."""
        return RawSQL("SELECT COALESCE(SUM(number), 0) FROM programmes_listingversion", ())


# Electives (needs with a supervisor), host requests (of visiting-professor programmes) and teams on rotations
# live in modules of their own, beside their reads and writes; imported here so that Django registers them.
from .checklist_templates import ChecklistTemplateItem  # noqa: E402, F401
from .electives import Elective  # noqa: E402, F401
from .host_requests import HostRequest  # noqa: E402, F401
from .teams import Rotation, TeamNeed, TeamRole, TeamSlot  # noqa: E402, F401
