"""Teams on rotations: a team need names its roles and its rotations, and every rotation × role is a slot.

A slot is backed by an ordinary `Need` (one per rotation and role, with the role's places and the rotation's
dates), so that applications, offers, placements, the calendar feed and match rounds work on slots as they do
on any need. The team need groups them for coordinators and volunteers.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from volunteers.models import Profession, Skill

from .models import Need, Programme, Site


class TeamNeed(models.Model):
    """A team a programme sends on rotations: its roles, its host site and its schedule."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="team_needs"
    )
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    host_site = models.ForeignKey(
        Site, verbose_name=_("host site"), on_delete=models.PROTECT, related_name="team_needs"
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("team need")
        verbose_name_plural = _("team needs")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("placements:team-detail", kwargs={"pk": self.pk})


class TeamRole(models.Model):
    """One role of the team (an IR attending, an IR nurse…): how many on each rotation, and what they need."""

    team = models.ForeignKey(TeamNeed, verbose_name=_("team need"), on_delete=models.CASCADE, related_name="roles")
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices)
    places = models.PositiveSmallIntegerField(
        _("places on each rotation"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    required_skills = models.ManyToManyField(
        Skill, verbose_name=_("required skills"), blank=True, related_name="team_roles_requiring"
    )
    requires_verified_credential = models.BooleanField(_("a verified credential is required"), default=False)

    class Meta:
        ordering = ["team", "pk"]
        verbose_name = _("team role")
        verbose_name_plural = _("team roles")
        constraints = [
            models.UniqueConstraint(fields=["team", "profession"], name="team_role_one_per_profession"),
            models.CheckConstraint(condition=Q(places__gte=1), name="team_role_at_least_one_place"),
        ]

    def __str__(self):
        return f"{self.get_profession_display()} × {self.places}"


class Rotation(models.Model):
    """One stay of the team at its host site."""

    team = models.ForeignKey(TeamNeed, verbose_name=_("team need"), on_delete=models.CASCADE, related_name="rotations")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        ordering = ["team", "start_date"]
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        constraints = [
            models.UniqueConstraint(fields=["team", "start_date"], name="rotation_one_per_start"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="rotation_end_after_start"),
        ]

    def __str__(self):
        return f"{self.team}: {self.start_date:%Y-%m-%d} → {self.end_date:%Y-%m-%d}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A rotation cannot end before it starts.")})

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class TeamSlot(models.Model):
    """A rotation × role, with the need that holds its places and applications."""

    rotation = models.ForeignKey(Rotation, verbose_name=_("rotation"), on_delete=models.CASCADE, related_name="slots")
    role = models.ForeignKey(TeamRole, verbose_name=_("role"), on_delete=models.CASCADE, related_name="slots")
    need = models.OneToOneField(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="team_slot")

    class Meta:
        ordering = ["rotation__start_date", "role__pk"]
        verbose_name = _("team slot")
        verbose_name_plural = _("team slots")
        constraints = [
            models.UniqueConstraint(fields=["rotation", "role"], name="team_slot_one_per_rotation_role"),
        ]

    def __str__(self):
        return f"{self.rotation} · {self.role.get_profession_display()}"


def rotation_dates(
    *, first_start: datetime.date, last_start: datetime.date, every_weeks: int, length_days: int
) -> list[tuple[datetime.date, datetime.date]]:
    """The (start, end) of each rotation starting every `every_weeks` weeks from `first_start` until
    `last_start` included, each `length_days` days long."""
    step = datetime.timedelta(weeks=every_weeks)
    length = datetime.timedelta(days=length_days - 1)
    dates = []
    start = first_start
    while start <= last_start:
        dates.append((start, start + length))
        start += step
    return dates
