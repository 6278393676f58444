"""A need's waiting list: volunteers who would take a place of a full need if one reopens.

An entry is active until its volunteer leaves the list or is offered a place from it
(placements.waiting_list_services); the list is ranked by the matcher's fit score, then by time joined.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programmes.models import Need
from volunteers.models import VolunteerProfile

from .models import Application


class WaitingListEntryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_at__isnull=True, offered_at__isnull=True)


class WaitingListEntry(models.Model):
    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="waiting_list_entries"
    )
    # Deleted with the account (placements.privacy.erase): a place waited for is no record partners report on.
    volunteer = models.ForeignKey(
        VolunteerProfile,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="waiting_list_entries",
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    offered_at = models.DateTimeField(_("offered a place at"), null=True, blank=True)
    # The application offered the place, when the list gave one.
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = WaitingListEntryQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "volunteer"],
                condition=Q(left_at__isnull=True, offered_at__isnull=True),
                name="waiting_list_one_active_per_need",
                violation_error_message=_("You are already on the waiting list for this need."),
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} ⧗ {self.need.title}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None and self.offered_at is None
