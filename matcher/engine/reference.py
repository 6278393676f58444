"""The per-pair reference in plain Python: availability runs, the checks in order, the factors, and
`explain`, which the vectorised scoring reproduces."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .records import (
    EXPERIENCE_SATURATION_YEARS,
    FACTOR_LABELS,
    NATIVE_PROFICIENCY,
    REASON_CODES,
    REASON_MESSAGES,
    REGION_NEUTRAL,
    WORKING_PROFICIENCY,
    Explanation,
    FactorContribution,
    NeedData,
    Reason,
    VolunteerData,
    Weights,
    as_weights,
)


def _merge(periods: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and join overlapping or adjacent day ranges (ordinals, inclusive)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1] + 1:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _subtract(segments: list[tuple[int, int]], busy: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`segments` minus `busy`; both merged and sorted."""
    result = []
    for start, end in segments:
        cursor = start
        for busy_start, busy_end in busy:
            if busy_end < cursor or busy_start > end:
                continue
            if busy_start > cursor:
                result.append((cursor, busy_start - 1))
            cursor = max(cursor, busy_end + 1)
            if cursor > end:
                break
        if cursor <= end:
            result.append((cursor, end))
    return result


def onsite_segments(volunteer: VolunteerData) -> list[tuple[int, int]]:
    windows = _merge((start.toordinal(), end.toordinal()) for start, end, *_ in volunteer.availability)
    busy = _merge((start.toordinal(), end.toordinal()) for start, end in volunteer.busy)
    return _subtract(windows, busy)


def remote_segments(volunteer: VolunteerData, min_hours: int) -> list[tuple[int, int]]:
    return _merge(
        (start.toordinal(), end.toordinal()) for start, end, hours in volunteer.availability if hours >= min_hours
    )


def _longest_run(segments: list[tuple[int, int]], start: int, end: int) -> int:
    return max((min(e, end) - max(s, start) + 1 for s, e in segments), default=0)


def _available_run(volunteer: VolunteerData, need: NeedData) -> int:
    """Longest run of consecutive available days inside the need's window (0 if none)."""
    if need.mode == "remote":
        segments = remote_segments(volunteer, need.hours_per_week)
    else:
        segments = onsite_segments(volunteer)
    return max(0, _longest_run(segments, need.window_start.toordinal(), need.window_end.toordinal()))


def credential_deadline(need: NeedData) -> date:
    return date.fromordinal(need.window_start.toordinal() + need.min_duration_days - 1)


def _first_failure(volunteer: VolunteerData, need: NeedData, run: int) -> tuple[Reason, dict[str, Any]] | None:
    if not volunteer.consent:
        return Reason.NO_CONSENT, {}
    if volunteer.profession != need.profession:
        return Reason.PROFESSION, {
            "need_profession": need.profession,
            "volunteer_profession": volunteer.profession,
        }
    if need.mode == "remote":
        if not volunteer.offers_remote:
            return Reason.NOT_REMOTE, {}
    elif not volunteer.offers_onsite:
        return Reason.NOT_ONSITE, {}
    if run < need.min_duration_days:
        params = {
            "min_duration_days": need.min_duration_days,
            "window_start": need.window_start,
            "window_end": need.window_end,
            "longest_run_days": run,
        }
        if need.mode == "remote":
            return Reason.REMOTE_AVAILABILITY, {**params, "hours_per_week": need.hours_per_week}
        return Reason.ONSITE_AVAILABILITY, params
    for code in sorted(need.required_languages):
        level = volunteer.languages.get(code, 0)
        if level < WORKING_PROFICIENCY:
            return Reason.LANGUAGE, {"language": code, "proficiency": level}
    if volunteer.years_experience < need.min_years_experience:
        return Reason.EXPERIENCE, {"min_years": need.min_years_experience, "years": volunteer.years_experience}
    if need.requires_verified_credential:
        deadline = credential_deadline(need)
        valid_until = volunteer.credential_valid_until
        if valid_until is None or valid_until < deadline:
            return Reason.CREDENTIAL, {"valid_through": deadline, "valid_until": valid_until}
    return None


def _factor_values(volunteer: VolunteerData, need: NeedData, run: int) -> dict[str, float]:
    def coverage(wanted: frozenset[int]) -> float:
        return len(wanted & volunteer.skills) / len(wanted) if wanted else 1.0

    if need.required_languages:
        levels = [min(volunteer.languages.get(code, 0), NATIVE_PROFICIENCY) for code in need.required_languages]
        languages = sum(max(level - 1, 0) for level in levels) / (3 * len(levels))
    else:
        languages = 1.0
    if need.region is None or not volunteer.preferred_regions:
        region = REGION_NEUTRAL
    else:
        region = 1.0 if need.region in volunteer.preferred_regions else 0.0
    beyond = volunteer.years_experience - need.min_years_experience
    return {
        "required_skills": coverage(need.required_skills),
        "preferred_skills": coverage(need.preferred_skills),
        "languages": languages,
        "experience": min(1.0, max(0, beyond) / EXPERIENCE_SATURATION_YEARS),
        "region": region,
        "availability": min(1.0, run / need.window_days),
        "engagement": 1.0 if need.organisation_id in volunteer.organisations_engaged else 0.0,
    }


def explain(
    volunteer: VolunteerData, need: NeedData, weights: Weights | Mapping[str, float] | None = None
) -> Explanation:
    """Why this pair is (in)eligible and how its score is made up — the per-pair reference that the
    vectorised `score_matrix` reproduces."""
    weights = as_weights(weights)
    run = _available_run(volunteer, need)
    failure = _first_failure(volunteer, need, run)
    if failure is not None:
        reason, params = failure
        code = REASON_CODES[reason]
        return Explanation(
            volunteer_id=volunteer.id,
            need_id=need.id,
            eligible=False,
            score=0.0,
            contributions=(),
            reason_code=code,
            reason=REASON_MESSAGES[code].format(**params),
            reason_params=params,
        )
    full_marks = weights.points()
    contributions = tuple(
        FactorContribution(code=name, label=FACTOR_LABELS[name], value=value, points=value * full_marks[name])
        for name, value in _factor_values(volunteer, need, run).items()
    )
    return Explanation(
        volunteer_id=volunteer.id,
        need_id=need.id,
        eligible=True,
        score=math.fsum(c.points for c in contributions),
        contributions=contributions,
        reason_code=REASON_CODES[Reason.ELIGIBLE],
        reason="",
        reason_params={},
    )
