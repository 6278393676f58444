"""A volunteer's ranked choice of rotations when they apply to a team role.

Applying to a role in several rotations makes one application per rotation's slot (each slot is a need);
the rank says which rotation the volunteer prefers, 1 first.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Application


class RotationChoice(models.Model):
    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="rotation_choice"
    )
    rank = models.PositiveSmallIntegerField(_("preference"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["rank"]
        verbose_name = _("rotation choice")
        verbose_name_plural = _("rotation choices")

    def __str__(self):
        return f"#{self.rank}: {self.application}"
