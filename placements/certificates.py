"""Certificates of service: what a volunteer's completed placement was, as printed on the PDF they download.

A certificate is a snapshot taken when it is first issued (placements.certification): the names, dates and
figures it printed stay what anyone verifying its code reads, whatever later happens to the need, the
programme or the organisation. Erasing the holder's account revokes it (the holder's name goes, and
/verify/<code>/ then answers "revoked"); a coordinator who erases their account leaves certificates valid,
without their name.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Placement

# Capitals and digits without the look-alikes 0/O, 1/I/L: a code read off paper and typed in is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# 31 ** 12 is about 2 ** 59: codes cannot be guessed, and twelve characters still fit on a line.
CODE_LENGTH = 12
CODE_GROUP = 4


def new_certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_certificate_code(text: str) -> str:
    """The code as stored, from what someone typed: case, spaces and dashes do not matter."""
    return "".join(character for character in text.upper() if character.isalnum())


class Certificate(models.Model):
    # Kept when the placement goes (its need deleted): the certificate stays verifiable.
    placement = models.OneToOneField(
        Placement,
        verbose_name=_("placement"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="certificate",
    )
    code = models.CharField(_("verification code"), max_length=CODE_LENGTH, unique=True, default=new_certificate_code)
    holder_name = models.CharField(_("holder's name"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200)
    programme_title = models.CharField(_("programme"), max_length=200)
    need_title = models.CharField(_("role"), max_length=200)
    profession = models.CharField(_("profession"), max_length=20)
    mode = models.CharField(_("mode"), max_length=10)
    site_name = models.CharField(_("site"), max_length=200, blank=True)
    site_city = models.CharField(_("city"), max_length=100, blank=True)
    site_country = models.CharField(_("country"), max_length=2, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week (remote work)"), default=0)
    days_on_site = models.PositiveIntegerField(_("days on site"), default=0)
    remote_hours = models.PositiveIntegerField(_("hours of remote work"), default=0)
    # The coordinator who marked the placement completed, as the audit trail recorded them.
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    coordinator_name = models.CharField(_("coordinator's name"), max_length=300, blank=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("certificate of service")
        verbose_name_plural = _("certificates of service")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="certificate_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.display_code}: {self.organisation_name}, {self.start_date:%Y-%m-%d} → {self.end_date:%Y-%m-%d}"

    @property
    def display_code(self) -> str:
        """The code in groups of four, as printed: "ABCD-EFGH-JKMN"."""
        return "-".join(self.code[i : i + CODE_GROUP] for i in range(0, len(self.code), CODE_GROUP))

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
