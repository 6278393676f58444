"""Writing the Speakers Bureau: a volunteer's speaker profile, from opting in to leaving."""

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import VolunteerProfile
from .speakers import SpeakerProfile

logger = logging.getLogger(__name__)

SPEAKER_FIELDS = (
    "is_listed",
    "region",
    "bio",
    "woman_in_ir",
    "early_career",
    "outside_us",
    "self_description",
    "show_topics",
    "show_languages",
    "show_region",
    "show_career_stage",
    "show_identity",
    "show_bio",
)


def speaker_profile_save(*, profile: VolunteerProfile, data: Mapping[str, Any]) -> SpeakerProfile:
    """Save the volunteer's speaker profile: `data` holds SPEAKER_FIELDS, `topics` (skills) and `languages`."""
    with transaction.atomic():
        speaker, _created = SpeakerProfile.objects.select_for_update().get_or_create(profile=profile)
        was_listed = speaker.is_listed
        for name in SPEAKER_FIELDS:
            if name in data:
                setattr(speaker, name, data[name])
        if speaker.is_listed and not was_listed:
            speaker.listed_at = timezone.now()
        elif not speaker.is_listed:
            speaker.listed_at = None
        speaker.full_clean()
        speaker.save()
        if "topics" in data:
            speaker.topics.set(data["topics"])
        if "languages" in data:
            speaker.languages.set(data["languages"])
    if speaker.is_listed != was_listed:
        logger.info("Volunteer %s %s the Speakers Bureau", profile.pk, "joined" if speaker.is_listed else "left")
    return speaker


def speaker_profile_delete(*, profile: VolunteerProfile) -> bool:
    """Remove the speaker profile altogether (the volunteer leaves the bureau and forgets what they said)."""
    deleted, _rows = SpeakerProfile.objects.filter(profile=profile).delete()
    return bool(deleted)
