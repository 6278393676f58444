"""A placement's own pre-departure checklist, copied from its programme's template when the placement is
created (placements.checklist_services), with due dates counted back from its start date."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programmes.checklist_templates import ChecklistWho, default_title
from volunteers.validators import document_type_of, validate_credential_document


def checklist_document_upload_to(instance, filename):
    # A generated name, as for credentials: nothing of the uploader's filename is kept.
    kind = document_type_of(instance.document)
    return f"checklists/{uuid.uuid4().hex}{kind.extensions[0] if kind else ''}"


class PlacementChecklistItem(models.Model):
    """One step a placement must take before it starts, ticked with who and when."""

    Who = ChecklistWho

    placement = models.ForeignKey(
        "placements.Placement",
        verbose_name=_("placement"),
        on_delete=models.CASCADE,
        related_name="checklist_items",
    )
    # A default step keeps its key, so that each reader sees its title in their own language; a step of
    # the programme's own template is shown as its coordinators wrote it.
    key = models.CharField(_("default step"), max_length=40, blank=True)
    title = models.CharField(_("what must be done"), max_length=200)
    who_acts = models.CharField(_("who does it"), max_length=12, choices=ChecklistWho.choices)
    due_on = models.DateField(_("due on"))
    needs_document = models.BooleanField(_("a document is needed"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    document = models.FileField(
        _("document"),
        upload_to=checklist_document_upload_to,
        blank=True,
        max_length=255,
        validators=[validate_credential_document],
    )
    document_uploaded_at = models.DateTimeField(_("document uploaded at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The side that ticked it (kept when done_by goes with an erased account): only that side unticks it.
    done_side = models.CharField(_("ticked by"), max_length=12, choices=ChecklistWho.choices, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["placement", "due_on", "position", "pk"]
        verbose_name = _("pre-departure checklist item")
        verbose_name_plural = _("pre-departure checklist items")
        constraints = [
            # A placement's copy is made once, even when two first views make it at the same moment.
            models.UniqueConstraint(fields=["placement", "position"], name="checklist_item_one_per_position"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_side="") | Q(done_at__isnull=False) & ~Q(done_side=""),
                name="checklist_item_done_with_side",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return (default_title(self.key) if self.key else "") or self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
