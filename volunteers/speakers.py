"""The Speakers Bureau's side of a volunteer: the speaker profile they may opt in to.

Off by default. Each field is shown to the organisations' coordinators who search the bureau only if the
volunteer chose to show it; a field they keep hidden is neither shown nor searchable.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from globalir.regions import Region

from .models import Language, Skill, VolunteerProfile

# The fields a speaker chooses to show one by one: (name of the visibility flag, what it shows).
VISIBILITY_FLAGS = (
    "show_topics",
    "show_languages",
    "show_region",
    "show_career_stage",
    "show_identity",
    "show_bio",
)

# How coordinators see each self-described field that the speaker ticked and chose to show.
IDENTITY_LABELS = {
    "woman_in_ir": _("Woman in IR"),
    "early_career": _("Early career"),
    "outside_us": _("Based outside the US"),
}


class SpeakerProfileQuerySet(models.QuerySet):
    def listed(self):
        """Opted in, with a volunteer profile that is set up."""
        return self.filter(is_listed=True, profile__onboarding_completed_at__isnull=False)


class SpeakerProfile(models.Model):
    """A volunteer's entry in the Speakers Bureau, which organisations search to invite speakers."""

    profile = models.OneToOneField(
        VolunteerProfile, verbose_name=_("volunteer profile"), on_delete=models.CASCADE, related_name="speaker"
    )
    is_listed = models.BooleanField(
        _("listed in the Speakers Bureau"),
        default=False,
        help_text=_("Organisations' coordinators can find you and invite you to speak."),
    )
    topics = models.ManyToManyField(Skill, verbose_name=_("topics"), blank=True, related_name="+")
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages you can speak in"), blank=True, related_name="+"
    )
    region = models.CharField(_("region where you are based"), max_length=10, choices=Region.choices, blank=True)
    bio = models.TextField(_("speaker bio"), max_length=1500, blank=True)
    # Self-described, optional, never inferred: the bureau exists to bring these speakers forward.
    woman_in_ir = models.BooleanField(_("I am a woman in IR"), default=False)
    early_career = models.BooleanField(_("I am early in my career"), default=False)
    outside_us = models.BooleanField(_("I am based outside the United States"), default=False)
    self_description = models.CharField(
        _("in your own words"),
        max_length=200,
        blank=True,
        help_text=_("Anything else about who you are that you want organisers to know, for example a minority in IR."),
    )
    show_topics = models.BooleanField(_("show my topics"), default=False)
    show_languages = models.BooleanField(_("show my languages"), default=False)
    show_region = models.BooleanField(_("show my region"), default=False)
    show_career_stage = models.BooleanField(_("show my career stage"), default=False)
    show_identity = models.BooleanField(_("show what I said about who I am"), default=False)
    show_bio = models.BooleanField(_("show my speaker bio"), default=False)
    listed_at = models.DateTimeField(_("listed since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SpeakerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("speaker profile")
        verbose_name_plural = _("speaker profiles")

    def __str__(self):
        return str(self.profile.display_name)

    @property
    def identity_labels(self) -> list[str]:
        """What the speaker said about who they are, as they said it."""
        labels = [str(label) for name, label in IDENTITY_LABELS.items() if getattr(self, name)]
        if self.self_description:
            labels.append(self.self_description)
        return labels
