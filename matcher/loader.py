"""The matcher's candidates, and the database as the engine's records.

One loader for every caller (the need page, live fit scores, suggestions, refreshes, match rounds): a batch
of volunteers or needs becomes engine records in a fixed number of queries, never one per row, and one
volunteer or need is a batch of one. Each UNION below folds rows of two or three tables into one round trip.

Candidates are the volunteers who finished onboarding, agreed to be shown to coordinators and have an
active account, and the needs listed and still taking applications (`programmes.selectors.need_listed_queryset`).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import CharField, IntegerField, QuerySet, Value
from django.db.models.functions import Cast

from globalir.regions import region_of
from placements.models import Application, Placement
from programmes.models import Mode, Need
from programmes.selectors import need_listed_queryset
from volunteers.models import AvailabilityWindow, Credential, VolunteerLanguage, VolunteerProfile

from . import engine

# Marks in the UNION queries: which table a row came from.
_SKILL = 0  # volunteer languages use their proficiency (1–4), skills this
_REQUIRED_SKILL, _PREFERRED_SKILL, _REQUIRED_LANGUAGE = 1, 2, 3
_WINDOW = "window"  # placements use their mode ("onsite", "remote", "hybrid")

_VOLUNTEER_FIELDS = (
    "pk",
    "profession",
    "offers_onsite",
    "offers_remote",
    "years_experience",
    "preferred_regions",
    "consent_to_share",
)
_NEED_FIELDS = (
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


def need_region(host_country: str | None, programme_countries: Iterable[str]) -> str | None:
    """The region of a need: its host site's, or for a remote need the one region all of its
    programme's countries are in (None when they span several or none is known)."""
    if host_country:
        return region_of(host_country)
    regions = {region_of(code) for code in programme_countries if code} - {None}
    return regions.pop() if len(regions) == 1 else None


def volunteers_data(profiles: QuerySet[VolunteerProfile] | Sequence[VolunteerProfile]) -> list[engine.VolunteerData]:
    """The engine's records of `profiles`: four queries for a queryset, three for profiles already
    loaded, whatever their number."""
    if isinstance(profiles, QuerySet):
        rows = list(profiles.order_by().values_list(*_VOLUNTEER_FIELDS))
        ids = profiles.order_by().values("pk")
    else:
        rows = [
            (
                p.pk,
                p.profession,
                p.offers_onsite,
                p.offers_remote,
                p.years_experience,
                p.preferred_regions,
                p.consent_to_share,
            )
            for p in profiles
        ]
        ids = [p.pk for p in profiles]
    if not rows:
        return []

    skills: dict[int, set[int]] = defaultdict(set)
    languages: dict[int, dict[str, int]] = defaultdict(dict)
    spoken = VolunteerLanguage.objects.filter(profile_id__in=ids).values_list(
        "profile_id", "language_id", "proficiency"
    )
    held = VolunteerProfile.skills.through.objects.filter(volunteerprofile_id__in=ids).values_list(
        "volunteerprofile_id", Cast("skill_id", CharField()), Value(_SKILL, output_field=IntegerField())
    )
    for profile_id, key, level in spoken.order_by().union(held.order_by(), all=True):
        if level == _SKILL:
            skills[profile_id].add(int(key))
        else:
            languages[profile_id][key] = level

    availability: dict[int, list[tuple[datetime.date, datetime.date, int]]] = defaultdict(list)
    busy: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    engaged: dict[int, set[int]] = defaultdict(set)
    windows = AvailabilityWindow.objects.filter(profile_id__in=ids).values_list(
        "profile_id", Value(_WINDOW, output_field=CharField()), "start_date", "end_date", "hours_per_week"
    )
    placements = Placement.objects.filter(
        volunteer_id__in=ids, application__status__in=Application.TAKING_PLACE_STATUSES
    ).values_list("volunteer_id", "mode", "start_date", "end_date", "need__programme__lead_organisation_id")
    for profile_id, kind, start, end, number in windows.order_by().union(placements.order_by(), all=True):
        if kind == _WINDOW:
            availability[profile_id].append((start, end, number))
        else:
            engaged[profile_id].add(number)
            if kind in (Mode.ONSITE, Mode.HYBRID):
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


def _need_wanted_from_database(ids) -> dict[int, tuple[set, set, set]]:
    """Each need's (required skills, preferred skills, required languages), in one query."""
    marked = [
        through.objects.filter(need_id__in=ids)
        .order_by()
        .values_list("need_id", Value(mark, output_field=IntegerField()), Cast(column, CharField()))
        for through, mark, column in (
            (Need.required_skills.through, _REQUIRED_SKILL, "skill_id"),
            (Need.preferred_skills.through, _PREFERRED_SKILL, "skill_id"),
            (Need.required_languages.through, _REQUIRED_LANGUAGE, "language_id"),
        )
    ]
    wanted: dict[int, tuple[set, set, set]] = defaultdict(lambda: (set(), set(), set()))
    for need_id, mark, key in marked[0].union(*marked[1:], all=True):
        wanted[need_id][mark - 1].add(key if mark == _REQUIRED_LANGUAGE else int(key))
    return wanted


def needs_data(needs: QuerySet[Need] | Sequence[Need]) -> list[engine.NeedData]:
    """The engine's records of `needs`: two queries for a queryset; none for needs already loaded with
    their programme, host site, skills and languages (as `need_listed_detail_queryset` does)."""
    if isinstance(needs, QuerySet):
        rows = [
            # values_list() gives a multiple CountryField in its stored form, "KE,TZ".
            (*row[:-2], (row[-2] or "").split(","), row[-1])
            for row in needs.order_by().values_list(*_NEED_FIELDS)
        ]
        wanted = _need_wanted_from_database(needs.order_by().values("pk")) if rows else {}
    else:
        rows = [
            (
                n.pk,
                n.profession,
                n.mode,
                n.window_start,
                n.window_end,
                n.min_duration_days,
                n.hours_per_week,
                n.min_years_experience,
                n.requires_verified_credential,
                n.host_site.country.code if n.host_site_id else None,
                [country.code for country in n.programme.countries],
                n.programme.lead_organisation_id,
            )
            for n in needs
        ]
        wanted = {
            n.pk: (
                {skill.pk for skill in n.required_skills.all()},
                {skill.pk for skill in n.preferred_skills.all()},
                {language.pk for language in n.required_languages.all()},
            )
            for n in needs
        }
    nothing = (set(), set(), set())
    records = []
    for pk, profession, mode, start, end, days, hours, years, credential, host, countries, organisation in rows:
        required, preferred, languages = wanted.get(pk, nothing)
        records.append(
            engine.NeedData(
                id=pk,
                profession=profession,
                mode=mode,
                window_start=start,
                window_end=end,
                min_duration_days=days,
                hours_per_week=hours,
                required_skills=frozenset(required),
                preferred_skills=frozenset(preferred),
                required_languages=frozenset(languages),
                min_years_experience=years,
                requires_verified_credential=credential,
                region=need_region(host, countries),
                organisation_id=organisation,
            )
        )
    return records
