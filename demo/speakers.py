"""The Speakers Bureau in the demo: a handful of opted-in speakers, and invitations to speak from the first
demo organisation (one waiting for its answer, one accepted)."""

import datetime

from django.utils import timezone

from globalir.regions import region_of
from organisations.models import Membership, Organisation
from placements.talks import SpeakingInvitation, TalkFormat
from volunteers.models import Profession, VolunteerProfile
from volunteers.speaker_services import speaker_profile_save

SPEAKER_COUNT = 6
SPEAKER_PROFESSIONS = (Profession.IR_PHYSICIAN, Profession.RADIOLOGIST, Profession.IR_NURSE, Profession.TRAINEE)


def demo_speakers(*, organisations: list[Organisation], today: datetime.date) -> dict[str, int]:
    """Opt in the first demo volunteers of SPEAKER_PROFESSIONS (through the service a volunteer's page uses),
    each showing a different set of fields, and invite two of them. Returns the counts for the summary."""
    profiles = list(
        VolunteerProfile.objects.filter(
            user__email__startswith="demo-volunteer-",
            onboarding_completed_at__isnull=False,
            profession__in=SPEAKER_PROFESSIONS,
        )
        .prefetch_related("skills", "languages__language")
        .order_by("user__email")[:SPEAKER_COUNT]
    )
    for index, profile in enumerate(profiles):
        country = profile.home_country.code or ""
        speaker_profile_save(
            profile=profile,
            data={
                "is_listed": True,
                "topics": list(profile.skills.all())[:4],
                "languages": [row.language for row in profile.languages.all()],
                "region": region_of(country) or "",
                "bio": "A fictional speaker of the demo, who teaches at meetings and workshops.",
                "woman_in_ir": index % 2 == 0,
                "early_career": profile.career_stage in ("trainee", "early"),
                "outside_us": country != "US",
                "show_topics": bool(profile.skills.all()),
                "show_languages": True,
                "show_region": True,
                "show_career_stage": index % 3 != 2,
                "show_identity": index != 1,  # one speaker keeps what they said to themselves
                "show_bio": True,
            },
        )
    if len(profiles) < 2 or not organisations:
        return {"speakers": len(profiles), "invitations to speak": 0}
    organisation = organisations[0]
    inviter = Membership.objects.filter(organisation=organisation).select_related("user").first()
    invitations = [
        SpeakingInvitation(
            organisation=organisation,
            invited_by=inviter.user if inviter else None,
            speaker=profiles[0],
            event="Regional IR workshop (demo): keynote",
            topic="Image-guided drainage in low-resource settings",
            date=today + datetime.timedelta(days=45),
            format=TalkFormat.REMOTE,
            audience="About 80 radiologists and IR trainees",
            message="We would be delighted to hear you. A fictional invitation of the demo.",
        ),
        SpeakingInvitation(
            organisation=organisation,
            invited_by=inviter.user if inviter else None,
            speaker=profiles[1],
            event="National radiology congress (demo): IR session",
            date=today + datetime.timedelta(days=20),
            format=TalkFormat.ONSITE,
            location="Demo Convention Centre",
            audience="About 200 radiologists",
            status=SpeakingInvitation.Status.ACCEPTED,
            answered_at=timezone.now(),
        ),
    ]
    SpeakingInvitation.objects.bulk_create(invitations)
    return {"speakers": len(profiles), "invitations to speak": len(invitations)}
