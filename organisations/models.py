import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from globalir.content_language import content_language_field

# How many partner sites may embed an organisation's listing (/embed/<slug>/): the header names each one.
MAX_EMBED_ORIGINS = 10
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def parse_embed_origins(text: str) -> list[str]:
    """The https origins typed one per line (or separated by spaces or commas), as the Content-Security-Policy
    names them: "https://www.example.org". Raises ValidationError naming each one that is not."""
    origins: list[str] = []
    wrong: list[str] = []
    for item in re.split(r"[\s,]+", text or ""):
        if not item:
            continue
        origin = _embed_origin(item)
        if origin is None:
            wrong.append(item[:100])
        elif origin not in origins:
            origins.append(origin)
    if wrong:
        raise ValidationError(
            _(
                "Not an address of a secure website: %(addresses)s. Write each as https://www.example.org, "
                "without a path."
            ),
            code="bad_origin",
            params={"addresses": ", ".join(wrong)},
        )
    if len(origins) > MAX_EMBED_ORIGINS:
        raise ValidationError(
            _("Name at most %(limit)d websites."), code="too_many_origins", params={"limit": MAX_EMBED_ORIGINS}
        )
    return origins


def _embed_origin(item: str) -> str | None:
    """The origin of an https address ("https://Example.org/" gives "https://example.org"), else None."""
    try:
        parts = urlsplit(item.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if (
        parts.scheme.lower() != "https"
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
        or not _HOST.match(host)
    ):
        return None
    return f"https://{host}" + (f":{port}" if port and port != 443 else "")


def validate_embed_origins(value: str) -> None:
    parse_embed_origins(value)


class OrganisationQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=Organisation.Status.VERIFIED)

    def listed(self):
        """Organisations the public directory may show."""
        return self.verified()

    def featured(self):
        return self.filter(featured=True)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NGO = "ngo", _("Non-governmental organisation")
        SOCIETY = "society", _("Professional society")
        ACADEMIC = "academic", _("Academic institution")
        HOSPITAL = "hospital", _("Hospital")
        INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental body")
        GOVERNMENT = "government", _("Government or ministry")
        FOUNDATION = "foundation", _("Foundation or funder")
        NETWORK = "network", _("Network or consortium")
        OTHER = "other", _("Other")

    # A context for the labels an organisation shares in English with a credential: they agree with
    # "organisation" (feminine in French), not with "credential".
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        VERIFIED = "verified", pgettext_lazy("organisation status", "Verified")
        REJECTED = "rejected", pgettext_lazy("organisation status", "Rejected")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NGO)
    description = models.TextField(_("description"), blank=True)
    content_language = content_language_field(help_text=_("The language its description is written in."))
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    twitter = models.CharField(
        _("X / Twitter handle"), max_length=50, blank=True, help_text=_("Without the @, e.g. Road2IR.")
    )
    instagram = models.CharField(_("Instagram handle"), max_length=50, blank=True)
    facebook = models.CharField(_("Facebook page"), max_length=100, blank=True)
    linkedin = models.CharField(_("LinkedIn page"), max_length=100, blank=True)
    headquarters_country = CountryField(_("headquarters country"), blank=True)
    countries = CountryField(_("countries where it works"), multiple=True, blank=True)
    status = models.CharField(_("listing status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    featured = models.BooleanField(_("featured"), default=False)
    embed_origins = models.TextField(
        _("sites allowed to embed your listing"),
        blank=True,
        max_length=2000,
        validators=[validate_embed_origins],
        help_text=_(
            "The secure websites (https) that may show the organisation's open needs in a frame, one per line, "
            "e.g. https://www.example.org. Empty: no other website may."
        ),
    )
    partners = models.ManyToManyField("self", verbose_name=_("partner organisations"), blank=True, symmetrical=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rejection_reason = models.TextField(
        _("reason for rejection"), max_length=1000, blank=True, help_text=_("Shown to the person who asked.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    # What the person asking to list an organisation fills in, in the order of the form; everything else
    # (status, featured, partners…) is the site admins' call.
    REQUEST_FIELDS = (
        "name",
        "acronym",
        "kind",
        "website",
        "contact_email",
        "headquarters_country",
        "countries",
        "description",
        "content_language",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(featured=False) | Q(status="verified"), name="organisation_featured_is_verified"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="organisation_rejection_has_reason"
            ),
        ]

    def __str__(self):
        if self.acronym and self.acronym.lower() != self.name.lower():
            return f"{self.name} ({self.acronym})"
        return self.name

    def get_absolute_url(self):
        return reverse("organisations:organisation-detail", kwargs={"slug": self.slug})

    def clean(self):
        for field in ("twitter", "instagram"):
            value = getattr(self, field)
            if value:
                setattr(self, field, value.strip().lstrip("@"))
        if self.featured and self.status != self.Status.VERIFIED:
            raise ValidationError({"featured": _("Only verified organisations can be featured.")})
        try:
            # Stored as the header will name them, one per line.
            self.embed_origins = "\n".join(parse_embed_origins(self.embed_origins))
        except ValidationError:
            pass  # the field's validator reports it

    @property
    def is_listed(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def embed_origin_list(self) -> list[str]:
        """The origins that may frame /embed/<slug>/ (empty when what is stored no longer parses)."""
        try:
            return parse_embed_origins(self.embed_origins)
        except ValidationError:
            return []


class MembershipQuerySet(models.QuerySet):
    def coordinators(self):
        return self.filter(role__in=Membership.COORDINATING_ROLES)

    def admins(self):
        return self.filter(role=Membership.Role.ADMIN)


class Membership(models.Model):
    """A user's role in an organisation. Organisation admins are coordinators too.

    A partner clinician (a host site's doctor who asks for consults) is a member who coordinates nothing:
    every coordinator's page, pipeline and two-factor rule goes by COORDINATING_ROLES, never by membership alone.
    """

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Programme coordinator")
        ADMIN = "admin", _("Organisation admin")
        CLINICIAN = "clinician", _("Partner clinician")

    COORDINATING_ROLES = (Role.COORDINATOR, Role.ADMIN)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.COORDINATOR)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_organisation")
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


class InvitationQuerySet(models.QuerySet):
    def pending(self, *, now=None):
        """Invitations that can still be accepted."""
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """An organisation admin's single-use, expiring invitation for someone to join as coordinator or admin.

    Only a hash of the token is stored: the link in the e-mail is the only copy of the token.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=20, choices=Membership.Role.choices, default=Membership.Role.COORDINATOR
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
