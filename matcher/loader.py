"""The matcher's candidates, and the database as the engine's records: volunteers and needs loaded in a
handful of queries, never one per row.

Candidates are the volunteers who finished onboarding, agreed to be shown to coordinators and have an
active account, and the needs listed and still taking applications (`programmes.selectors.need_listed_queryset`).
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import QuerySet

from placements.models import Application, Placement
from programmes.models import Mode, Need
from programmes.selectors import need_listed_queryset
from volunteers.models import AvailabilityWindow, Credential, VolunteerLanguage, VolunteerProfile

from . import engine
from .fit import need_region


def matching_weights() -> engine.Weights:
    return engine.Weights.from_mapping(settings.MATCHING_WEIGHTS)


def matching_top_k() -> int:
    return max(1, int(settings.MATCHING_TOP_K))


def candidate_volunteers() -> QuerySet[VolunteerProfile]:
    """Volunteers the matcher recommends needs to (and suggests to coordinators)."""
    return VolunteerProfile.objects.filter(
        onboarding_completed_at__isnull=False, consent_to_share=True, user__is_active=True
    )


def candidate_needs(*, today: datetime.date | None = None) -> QuerySet[Need]:
    """Needs the matcher recommends: listed and still taking applications."""
    return need_listed_queryset(today=today)


def volunteers_data(profiles: QuerySet[VolunteerProfile]) -> list[engine.VolunteerData]:
    """The engine's records of `profiles`, in six queries whatever their number.

    The same records as `matcher.fit.volunteer_data` builds one volunteer at a time for the need page.
    """
    rows = list(
        profiles.order_by().values_list(
            "pk",
            "profession",
            "offers_onsite",
            "offers_remote",
            "years_experience",
            "preferred_regions",
            "consent_to_share",
        )
    )
    if not rows:
        return []
    ids = profiles.order_by().values("pk")
    languages: dict[int, dict[str, int]] = defaultdict(dict)
    for profile_id, code, level in VolunteerLanguage.objects.filter(profile_id__in=ids).values_list(
        "profile_id", "language_id", "proficiency"
    ):
        languages[profile_id][code] = level
    skills: dict[int, set[int]] = defaultdict(set)
    for profile_id, skill_id in (
        VolunteerProfile.skills.through.objects.filter(volunteerprofile_id__in=ids)
        .order_by()
        .values_list("volunteerprofile_id", "skill_id")
    ):
        skills[profile_id].add(skill_id)
    availability: dict[int, list[tuple[datetime.date, datetime.date, int]]] = defaultdict(list)
    for profile_id, start, end, hours in (
        AvailabilityWindow.objects.filter(profile_id__in=ids)
        .order_by()
        .values_list("profile_id", "start_date", "end_date", "hours_per_week")
    ):
        availability[profile_id].append((start, end, hours))
    busy: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    engaged: dict[int, set[int]] = defaultdict(set)
    for profile_id, mode, start, end, organisation_id in (
        Placement.objects.filter(
            volunteer_id__in=ids,
            application__status__in=Application.TAKING_PLACE_STATUSES,
        )
        .order_by()
        .values_list("volunteer_id", "mode", "start_date", "end_date", "need__programme__lead_organisation_id")
    ):
        engaged[profile_id].add(organisation_id)
        if mode in (Mode.ONSITE, Mode.HYBRID):
            busy[profile_id].append((start, end))
    valid_until: dict[int, datetime.date] = {}
    for profile_id, expires_on in (
        Credential.objects.verified().filter(profile_id__in=ids).order_by().values_list("profile_id", "expires_on")
    ):
        day = datetime.date.max if expires_on is None else expires_on
        valid_until[profile_id] = max(day, valid_until.get(profile_id, day))

    return [
        engine.VolunteerData(
            id=pk,
            profession=profession,
            offers_onsite=onsite,
            offers_remote=remote,
            years_experience=years,
            languages=languages.get(pk, {}),
            skills=frozenset(skills.get(pk, ())),
            availability=tuple(sorted(availability.get(pk, ()))),
            preferred_regions=frozenset(regions or ()),
            credential_valid_until=valid_until.get(pk),
            busy=tuple(sorted(busy.get(pk, ()))),
            consent=consent,
            organisations_engaged=frozenset(engaged.get(pk, ())),
        )
        for pk, profession, onsite, remote, years, regions, consent in rows
    ]


def needs_data(needs: QuerySet[Need]) -> list[engine.NeedData]:
    """The engine's records of `needs`, in four queries whatever their number (the same records as
    `matcher.fit.need_data`)."""
    rows = list(
        needs.order_by().values_list(
            "pk",
            "profession",
            "mode",
            "window_start",
            "window_end",
            "min_duration_days",
            "hours_per_week",
            "min_years_experience",
            "requires_verified_credential",
            "host_site__country",
            "programme__countries",
            "programme__lead_organisation_id",
        )
    )
    if not rows:
        return []
    ids = needs.order_by().values("pk")
    wanted: dict[str, dict[int, set]] = {}
    for name, column in (
        ("required_skills", "skill_id"),
        ("preferred_skills", "skill_id"),
        ("required_languages", "language_id"),
    ):
        through = getattr(Need, name).through
        found: dict[int, set] = defaultdict(set)
        for need_id, key in through.objects.filter(need_id__in=ids).order_by().values_list("need_id", column):
            found[need_id].add(key)
        wanted[name] = found
    return [
        engine.NeedData(
            id=pk,
            profession=profession,
            mode=mode,
            window_start=start,
            window_end=end,
            min_duration_days=days,
            hours_per_week=hours,
            required_skills=frozenset(wanted["required_skills"].get(pk, ())),
            preferred_skills=frozenset(wanted["preferred_skills"].get(pk, ())),
            required_languages=frozenset(wanted["required_languages"].get(pk, ())),
            min_years_experience=years,
            requires_verified_credential=credential,
            # values_list() gives a multiple CountryField in its stored form, "KE,TZ".
            region=need_region(host_country, (countries or "").split(",")),
            organisation_id=organisation,
        )
        for (
            pk,
            profession,
            mode,
            start,
            end,
            days,
            hours,
            years,
            credential,
            host_country,
            countries,
            organisation,
        ) in rows
    ]
