"""Volunteers' part of a person's export and erasure (globalir.privacy): the volunteer profile, its
languages, skills, availability and credentials with their documents."""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from globalir.accounts.models import User
from globalir.accounts.services import admin_log_erase
from globalir.privacy import export_record
from globalir.regions import Region

from .models import AvailabilityWindow, Credential, Skill, VolunteerLanguage, VolunteerProfile
from .speakers import SpeakerProfile

EXPORT_PROFILE_FIELDS = (
    "name",
    "title",
    "profession",
    "career_stage",
    "years_experience",
    "home_country",
    "institution",
    "offers_onsite",
    "offers_remote",
    "preferred_regions",
    "bio",
    "consent_to_share",
    "consent_given_at",
    "consent_withdrawn_at",
    "onboarding_step",
    "onboarding_completed_at",
    "created_at",
    "updated_at",
)
EXPORT_LANGUAGE_FIELDS = ("proficiency",)
EXPORT_SPEAKER_FIELDS = (
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
    "listed_at",
    "created_at",
    "updated_at",
)
EXPORT_AVAILABILITY_FIELDS = ("start_date", "end_date", "hours_per_week")
EXPORT_CREDENTIAL_FIELDS = (
    "id",
    "kind",
    "title",
    "issuing_body",
    "issuing_country",
    "number",
    "issued_on",
    "expires_on",
    "status",
    "verified_at",
    "rejection_reason",
    "created_at",
)


def export(user: User) -> dict[str, Any]:
    export: dict[str, Any] = {
        "volunteer_profile": None,
        "languages": [],
        "skills": [],
        "availability": [],
        "credentials": [],
        "speaker_profile": None,
    }
    profile = (
        VolunteerProfile.objects.filter(user=user)
        .select_related("speaker")
        .prefetch_related(
            Prefetch("languages", queryset=VolunteerLanguage.objects.select_related("language")),
            Prefetch("skills", queryset=Skill.objects.order_by("category", "name")),
            Prefetch("availability", queryset=AvailabilityWindow.objects.order_by("start_date", "pk")),
            Prefetch("credentials", queryset=Credential.objects.order_by("created_at", "pk")),
            "speaker__topics",
            "speaker__languages",
        )
        .first()
    )
    if profile is None:
        return export
    export["volunteer_profile"] = {
        **export_record(profile, EXPORT_PROFILE_FIELDS),
        "preferred_regions_display": [
            str(Region(code).label) for code in profile.preferred_regions or [] if code in Region.values
        ],
    }
    export["languages"] = [
        {"code": row.language.code, "language": row.language.name, **export_record(row, EXPORT_LANGUAGE_FIELDS)}
        for row in profile.languages.all()
    ]
    export["skills"] = [
        {"slug": skill.slug, "name": skill.name, "category": skill.get_category_display()}
        for skill in profile.skills.all()
    ]
    export["availability"] = [
        export_record(window, EXPORT_AVAILABILITY_FIELDS) for window in profile.availability.all()
    ]
    export["credentials"] = [
        {**export_record(credential, EXPORT_CREDENTIAL_FIELDS), "has_document": bool(credential.document)}
        for credential in profile.credentials.all()
    ]
    speaker = getattr(profile, "speaker", None)
    if speaker is not None:
        export["speaker_profile"] = {
            **export_record(speaker, EXPORT_SPEAKER_FIELDS),
            "topics": sorted(skill.name for skill in speaker.topics.all()),
            "languages": sorted(language.code for language in speaker.languages.all()),
        }
    return export


def erase_preview(user: User, today: datetime.date) -> dict[str, Any]:
    profile = VolunteerProfile.objects.filter(user=user).first()
    return {
        "has_profile": profile is not None,
        "credential_count": Credential.objects.filter(profile=profile).count() if profile is not None else 0,
        "has_speaker_profile": profile is not None and SpeakerProfile.objects.filter(profile=profile).exists(),
    }


def erase(user: User) -> dict[str, int] | None:
    """The credentials (their documents are deleted from storage once the erasure is committed), the
    languages, availability and profile, their audit trail and the admin's log about them."""
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    credentials = Credential.objects.filter(profile=profile)
    credential_pks = list(credentials.values_list("pk", flat=True))
    files = [(credential.document.storage, credential.document.name) for credential in credentials]
    files = [(storage, name) for storage, name in files if name]
    credentials.delete()
    for storage, name in files:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))

    # The speaker profile goes with everything the volunteer said in it.
    SpeakerProfile.objects.filter(profile=profile).delete()
    profile.languages.all().delete()
    profile.availability.all().delete()
    profile.skills.clear()
    profile_pk = profile.pk
    profile.delete()
    # The audit trail keeps what happened, not who it happened to.
    Credential.history.filter(profile_id=profile_pk).delete()
    # The admin's log of changes made to their profile and credentials names them.
    admin_log_erase(model=VolunteerProfile, pks=[profile_pk])
    admin_log_erase(model=Credential, pks=credential_pks)
    return {"credential documents deleted": len(files)}
