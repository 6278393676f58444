import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from globalir.regions import Region

from .validators import document_type_of, validate_credential_document


class Profession(models.TextChoices):
    IR_PHYSICIAN = "ir_physician", _("Interventional radiologist")
    RADIOLOGIST = "radiologist", _("Diagnostic radiologist")
    RADIOGRAPHER = "radiographer", _("Radiographer / technologist")
    SONOGRAPHER = "sonographer", _("Sonographer")
    IR_NURSE = "ir_nurse", _("IR nurse")
    PHYSICIST = "physicist", _("Medical physicist")
    IMAGING_IT = "imaging_it", _("Imaging IT / PACS specialist")
    TRAINEE = "trainee", _("Trainee (resident or fellow)")
    STUDENT = "student", _("Medical student")


class CareerStage(models.TextChoices):
    STUDENT = "student", _("Student")
    TRAINEE = "trainee", _("In training")
    EARLY = "early", _("Early career (under 5 years)")
    ESTABLISHED = "established", _("Established (5–15 years)")
    SENIOR = "senior", _("Senior (over 15 years)")
    RETIRED = "retired", _("Retired")


class Proficiency(models.IntegerChoices):
    BASIC = 1, _("Basic")
    WORKING = 2, _("Working")
    FLUENT = 3, _("Fluent")
    NATIVE = 4, _("Native")


class SkillQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Skill(models.Model):
    """One entry of the curated skills taxonomy (seeded by a data migration)."""

    class Category(models.TextChoices):
        PROCEDURE = "procedure", _("IR procedure")
        MODALITY = "modality", _("Imaging modality")
        PROFESSIONAL = "professional", _("Teaching, research and service development")

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = SkillQuerySet.as_manager()

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self):
        # The seeded taxonomy is in the catalogues (volunteers/migrations/0002_seed_taxonomy.py); a skill an
        # admin adds later shows as it was typed.
        return gettext(self.name)

    @property
    def description_shown(self) -> str:
        return gettext(self.description) if self.description else ""


class Language(models.Model):
    """A spoken language, keyed by its ISO 639-1 code (seeded by a data migration)."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        # In the reader's language, like a skill.
        return gettext(self.name)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class VolunteerProfileQuerySet(models.QuerySet):
    def consenting(self):
        return self.filter(consent_to_share=True)

    def offering_onsite(self):
        return self.filter(offers_onsite=True)

    def offering_remote(self):
        return self.filter(offers_remote=True)


class VolunteerProfile(models.Model):
    """What a volunteer tells coordinators about themselves. Never shown publicly."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="volunteer_profile",
    )
    # One field in the volunteer's own words, not first and last names: naming customs differ, and
    # this is what coordinators call them. Blank only for profiles made before it was asked.
    name = models.CharField(
        _("name"), max_length=150, blank=True, help_text=_("The name the volunteer wants to be called by.")
    )
    title = models.CharField(_("title"), max_length=30, blank=True, help_text=_("For example: Dr, Prof."))
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices)
    career_stage = models.CharField(_("career stage"), max_length=20, choices=CareerStage.choices)
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), default=0, validators=[MaxValueValidator(70)]
    )
    home_country = CountryField(_("home country"), blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="volunteers")
    offers_onsite = models.BooleanField(_("offers on-site volunteering"), default=False)
    offers_remote = models.BooleanField(_("offers remote volunteering"), default=False)
    preferred_regions = models.JSONField(_("preferred regions"), default=list, blank=True)
    bio = models.TextField(_("short bio"), max_length=2000, blank=True)
    consent_to_share = models.BooleanField(
        _("consent to be shown to coordinators"),
        default=False,
        help_text=_("Coordinators of needs you apply to or are suggested for may see your profile."),
    )
    consent_given_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(_("consent withdrawn at"), null=True, blank=True)
    calendar_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    onboarding_step = models.PositiveSmallIntegerField(_("onboarding step reached"), default=0)
    onboarding_completed_at = models.DateTimeField(_("onboarding completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VolunteerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer profile")
        verbose_name_plural = _("volunteer profiles")
        constraints = [
            models.CheckConstraint(condition=Q(years_experience__lte=70), name="profile_years_experience_plausible"),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.get_profession_display()})"

    @property
    def display_name(self) -> str:
        """The volunteer as they asked to be called, with their title ("Dr Amina Okafor").

        Whether coordinators may see it is decided by volunteers.selectors.volunteer_label. A profile
        from before the name was asked falls back on the account's name, then on the whole e-mail
        address: coordinators who may see the volunteer see that address anyway, and its local part
        alone ("journey-1202134203") told them nothing.
        """
        if self.name:
            return f"{self.title} {self.name}" if self.title else self.name
        return self.user.get_full_name() or self.user.email

    def clean(self):
        regions = self.preferred_regions or []
        if not isinstance(regions, list) or not all(isinstance(region, str) for region in regions):
            raise ValidationError({"preferred_regions": _("Preferred regions must be a list of region codes.")})
        unknown = set(regions) - set(Region.values)
        if unknown:
            raise ValidationError(
                {"preferred_regions": _("Unknown region: %(regions)s.") % {"regions": ", ".join(sorted(unknown))}}
            )
        if self.profession == Profession.STUDENT and self.years_experience > 10:
            raise ValidationError(
                {"years_experience": _("A medical student cannot have more than 10 years of experience.")}
            )

    @property
    def modes(self) -> list[str]:
        return [mode for mode, offered in (("onsite", self.offers_onsite), ("remote", self.offers_remote)) if offered]


class VolunteerLanguage(models.Model):
    profile = models.ForeignKey(VolunteerProfile, on_delete=models.CASCADE, related_name="languages")
    language = models.ForeignKey(Language, verbose_name=_("language"), on_delete=models.PROTECT, related_name="+")
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"), choices=Proficiency.choices, default=Proficiency.WORKING
    )

    class Meta:
        ordering = ["-proficiency", "language__name"]
        verbose_name = _("language spoken")
        verbose_name_plural = _("languages spoken")
        constraints = [
            models.UniqueConstraint(fields=["profile", "language"], name="volunteer_language_unique"),
        ]

    def __str__(self):
        return f"{self.language} ({self.get_proficiency_display()})"


class AvailabilityWindow(models.Model):
    """A period a volunteer can give; hours per week apply to remote work."""

    profile = models.ForeignKey(VolunteerProfile, on_delete=models.CASCADE, related_name="availability")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week for remote work"), default=0, validators=[MaxValueValidator(80)]
    )

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("availability window")
        verbose_name_plural = _("availability windows")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="availability_end_after_start"),
            models.CheckConstraint(condition=Q(hours_per_week__lte=80), name="availability_hours_plausible"),
        ]

    def __str__(self):
        return f"{self.start_date:%Y-%m-%d} → {self.end_date:%Y-%m-%d}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def credential_upload_to(instance, filename):
    # A generated name: nothing of the uploader's filename is used, not even its extension, which
    # comes from the content (checked by validate_credential_document before the file is saved).
    kind = document_type_of(instance.document)
    return f"credentials/{uuid.uuid4().hex}{kind.extensions[0] if kind else ''}"


class CredentialQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=Credential.Status.VERIFIED)

    def valid_on(self, day):
        return self.verified().filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))


class Credential(models.Model):
    class Kind(models.TextChoices):
        LICENCE = "licence", _("Medical or professional licence")
        BOARD = "board", _("Board certification")
        REGISTRATION = "registration", _("Professional registration")
        # What an elective asks of a student: their medical school's or training programme's letter.
        HOME_LETTER = "home_letter", _("Letter from the home institution")
        # What clinical governance at a host site asks of a visiting clinician, besides their licence.
        MALPRACTICE = "malpractice", _("Malpractice (professional indemnity) cover")
        OTHER = "other", _("Other certificate")

    # A context for the labels a credential shares in English with an organisation (their genders differ).
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", pgettext_lazy("credential status", "Verified")
        REJECTED = "rejected", pgettext_lazy("credential status", "Rejected")

    profile = models.ForeignKey(VolunteerProfile, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LICENCE)
    title = models.CharField(_("title"), max_length=200, help_text=_("For example: Board certification in radiology."))
    issuing_body = models.CharField(_("issuing body"), max_length=200, blank=True)
    issuing_country = CountryField(_("issuing country"))
    number = models.CharField(_("licence or certificate number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    document = models.FileField(
        _("document"),
        upload_to=credential_upload_to,
        blank=True,
        max_length=255,
        # The same checks as the volunteer's upload form, wherever a document comes from (the admin too).
        validators=[validate_credential_document],
    )
    status = models.CharField(_("verification status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = CredentialQuerySet.as_manager()
    # The audit trail keeps who verified what and when, never the document or its identifying details.
    history = HistoricalRecords(excluded_fields=["title", "issuing_body", "number", "issued_on", "document"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(issued_on__isnull=True) | Q(expires_on__gt=F("issued_on")),
                name="credential_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="credential_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.title} – {self.profile.user} ({self.get_status_display()})"

    def clean(self):
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": _("The expiry date must be after the issue date.")})
        if self.status == self.Status.REJECTED and not self.rejection_reason:
            raise ValidationError({"rejection_reason": _("Give the volunteer a reason for the rejection.")})

    def is_valid_on(self, day) -> bool:
        return self.status == self.Status.VERIFIED and (self.expires_on is None or self.expires_on >= day)


# What a need may require of a volunteer's credentials, each a Credential.Kind value. "licence" stands for
# a licence to practise (Need.requires_verified_credential): what attests it differs by profession, a
# doctor's licence or board certification, a radiographer's or nurse's registration.
LICENCE_TO_PRACTISE = Credential.Kind.LICENCE.value
LICENCE_TO_PRACTISE_KINDS = (Credential.Kind.LICENCE, Credential.Kind.BOARD, Credential.Kind.REGISTRATION)
# The requirement in a sentence ("Your licence to practise expires on…"): its own words, not the kind's label.
CREDENTIAL_REQUIREMENT_LABELS = {
    Credential.Kind.LICENCE.value: _("licence to practise"),
    Credential.Kind.BOARD.value: _("board certification"),
    Credential.Kind.REGISTRATION.value: _("professional registration"),
    Credential.Kind.MALPRACTICE.value: _("malpractice cover"),
}


def credential_requirement_label(requirement: str) -> str:
    return str(CREDENTIAL_REQUIREMENT_LABELS.get(requirement) or Credential.Kind(requirement).label)


# What a coordinator may ask of a need's volunteers besides a licence to practise (Need.required_credentials).
REQUIRABLE_CREDENTIALS = (
    Credential.Kind.MALPRACTICE.value,
    Credential.Kind.BOARD.value,
    Credential.Kind.REGISTRATION.value,
)


# Kept in a module of its own; imported here so that Django finds it with the app's models.
from .speakers import SpeakerProfile  # noqa: E402, F401
