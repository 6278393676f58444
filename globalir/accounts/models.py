from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address; there are no usernames."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=7,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        # Also in the database, for rows written without the field (an older migration's state, raw SQL).
        db_default="",
        help_text=_(
            "The language of the pages once logged in and of every e-mail sent to this person. Set at sign-up "
            "from the browser's language; the person changes it under Account."
        ),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@")[0]

    @property
    def reading_language(self) -> str:
        """The language to write to this person in: theirs, or the portal's default until they have one."""
        return self.language or settings.LANGUAGE_CODE


class AuditEvent(models.Model):
    """One security-relevant event: a login, a failed login, a refused access, a change of site role.

    Changes to the portal's own records (an organisation verified, a need closed, a member's role)
    are in their django-simple-history trails; these events are the ones that change no such record.
    Nothing secret is kept: no password, no token, no query string. The e-mail address typed into a
    failed login is kept, normalised, so that an attack on one account can be seen; it is erased
    with that account (see `globalir.accounts.audit.audit_events_erase`).
    """

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", _("login succeeded")
        LOGIN_FAILED = "login_failed", _("login failed")
        ACCESS_REFUSED = "access_refused", _("access refused")
        SITE_ROLE_CHANGED = "site_role_changed", _("site role changed")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        help_text=_("Who acted; for a failed login, the account that was tried, when it exists."),
    )
    subject = models.ForeignKey(
        "accounts.User",
        verbose_name=_("about"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events_about",
        help_text=_("The user whose account was changed."),
    )
    email = models.EmailField(_("e-mail address tried"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    what = models.CharField(_("what"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("audit trail: security events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="auditevent_kind_created"),
            models.Index(fields=["email"], name="auditevent_email"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M:%S}"
