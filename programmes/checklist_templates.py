"""A programme's pre-departure checklist: what must be done before a placement starts, by whom, and how
many days before its start date.

A programme without items of its own uses the defaults below (one list for on-site stays, a shorter one for
remote work). Each placement gets its own copy when it is created (placements.checklist_services), so that
editing the template later never changes a checklist already under way.
"""

from dataclasses import dataclass

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Mode, Programme


class ChecklistWho(models.TextChoices):
    VOLUNTEER = "volunteer", _("The volunteer")
    COORDINATOR = "coordinator", _("The coordinators")


class ChecklistAppliesTo(models.TextChoices):
    ONSITE = "on_site", _("On-site placements")
    REMOTE = "remote", _("Remote placements")
    BOTH = "both", _("Every placement")


MAX_DAYS_BEFORE_START = 365


class ChecklistTemplateItem(models.Model):
    """One step of a programme's pre-departure checklist."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="checklist_items"
    )
    title = models.CharField(_("what must be done"), max_length=200)
    who_acts = models.CharField(
        _("who does it"), max_length=12, choices=ChecklistWho.choices, default=ChecklistWho.VOLUNTEER
    )
    days_before_start = models.PositiveSmallIntegerField(
        _("days before the start"), default=30, validators=[MaxValueValidator(MAX_DAYS_BEFORE_START)]
    )
    needs_document = models.BooleanField(_("a document is needed"), default=False)
    applies_to = models.CharField(
        _("applies to"), max_length=8, choices=ChecklistAppliesTo.choices, default=ChecklistAppliesTo.BOTH
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["programme", "position", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("pre-departure checklist")

    def __str__(self):
        return self.title


@dataclass(frozen=True)
class ChecklistStep:
    """A step as a placement copies it: from the programme's template, or a default (with its key, so that
    each reader sees its title in their own language)."""

    title: str
    who_acts: str
    days_before_start: int
    needs_document: bool
    key: str = ""


# The defaults, by key. Their titles are translated when shown, never stored translated.
DEFAULT_TITLES = {
    "invitation_letter": _("Invitation letter from the host"),
    "visa": _("Visa or entry permit"),
    "medical_licence": _("Temporary medical licence or registration with the host country's council"),
    "malpractice_cover": _("Malpractice cover"),
    "travel_insurance": _("Travel insurance"),
    "vaccinations": _("Vaccinations and malaria prophylaxis"),
    "flights": _("Flights booked"),
    "accommodation": _("Accommodation arranged"),
    "local_contact": _("Local contact named"),
    "security_briefing": _("Security briefing"),
    "data_sharing": _("Data-sharing agreement signed"),
    "pacs_access": _("PACS or teleradiology access set up"),
}
V, C = ChecklistWho.VOLUNTEER.value, ChecklistWho.COORDINATOR.value
# (key, who acts, days before the start, a document is needed)
DEFAULT_ONSITE = (
    ("invitation_letter", C, 90, True),
    ("medical_licence", V, 60, True),
    ("visa", V, 45, True),
    ("malpractice_cover", V, 30, True),
    ("travel_insurance", V, 21, True),
    ("vaccinations", V, 30, False),
    ("flights", V, 30, False),
    ("accommodation", C, 21, False),
    ("local_contact", C, 14, False),
    ("security_briefing", C, 7, False),
)
DEFAULT_REMOTE = (
    ("data_sharing", V, 21, True),
    ("pacs_access", C, 14, False),
    ("local_contact", C, 7, False),
)


def default_steps(*, mode: str) -> list[ChecklistStep]:
    """The default checklist for a placement of this mode: a hybrid one does both lists (once each step)."""
    rows = []
    if mode in (Mode.ONSITE, Mode.HYBRID):
        rows.extend(DEFAULT_ONSITE)
    if mode in (Mode.REMOTE, Mode.HYBRID):
        keys = {row[0] for row in rows}
        rows.extend(row for row in DEFAULT_REMOTE if row[0] not in keys)
    return [
        ChecklistStep(
            title=str(DEFAULT_TITLES[key]), who_acts=who, days_before_start=days, needs_document=document, key=key
        )
        for key, who, days, document in rows
    ]


def default_title(key: str) -> str:
    title = DEFAULT_TITLES.get(key)
    return str(title) if title is not None else ""
