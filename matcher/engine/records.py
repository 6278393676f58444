"""The engine's input records, the weights of the soft factors, and the reasons a pair is not eligible."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from enum import IntEnum
from typing import Any

MODES = ("onsite", "remote", "hybrid")
WORKING_PROFICIENCY = 2
NATIVE_PROFICIENCY = 4
EXPERIENCE_SATURATION_YEARS = 10
REGION_NEUTRAL = 0.5


@dataclass(frozen=True, slots=True)
class VolunteerData:
    """What the engine needs to know about a volunteer."""

    id: int
    profession: str
    offers_onsite: bool = False
    offers_remote: bool = False
    years_experience: int = 0
    languages: Mapping[str, int] = field(default_factory=dict)  # code → proficiency 1 basic … 4 native
    skills: frozenset[int] = frozenset()
    availability: Sequence[tuple[date, date, int]] = ()  # (start, end, hours per week for remote work)
    preferred_regions: frozenset[str] = frozenset()
    # The latest expiry among verified credentials; date.max when one never expires; None when none verified.
    credential_valid_until: date | None = None
    busy: Sequence[tuple[date, date]] = ()  # accepted on-site placements
    consent: bool = False
    organisations_engaged: frozenset[int] = frozenset()

    def __post_init__(self):
        for code, level in self.languages.items():
            if not 1 <= level <= NATIVE_PROFICIENCY:
                raise ValueError(f"Volunteer {self.id!r}: proficiency {level!r} for {code!r} is not 1–4.")
        for start, end, *_ in (*self.availability, *self.busy):
            if end < start:
                raise ValueError(f"Volunteer {self.id!r}: period {start} → {end} ends before it starts.")


@dataclass(frozen=True, slots=True)
class NeedData:
    """What the engine needs to know about a need."""

    id: int
    profession: str
    mode: str  # "onsite" | "remote" | "hybrid"
    window_start: date
    window_end: date
    min_duration_days: int = 1
    hours_per_week: int = 0
    required_skills: frozenset[int] = frozenset()
    preferred_skills: frozenset[int] = frozenset()
    required_languages: frozenset[str] = frozenset()
    min_years_experience: int = 0
    requires_verified_credential: bool = False
    region: str | None = None
    organisation_id: int | None = None

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"Need {self.id!r}: unknown mode {self.mode!r}.")
        if self.window_end < self.window_start:
            raise ValueError(f"Need {self.id!r}: the window ends before it starts.")
        if self.min_duration_days < 1:
            raise ValueError(f"Need {self.id!r}: the minimum duration must be at least one day.")

    @property
    def window_days(self) -> int:
        return (self.window_end - self.window_start).days + 1


@dataclass(frozen=True, slots=True)
class Weights:
    """Relative weights of the soft factors; rescaled so that a perfect pair scores 100."""

    required_skills: float = 30
    preferred_skills: float = 10
    languages: float = 15
    experience: float = 10
    region: float = 10
    availability: float = 15
    engagement: float = 10

    def __post_init__(self):
        values = [getattr(self, f.name) for f in fields(self)]
        if any(not math.isfinite(v) or v < 0 for v in values):
            raise ValueError("Matching weights must be finite and not negative.")
        if sum(values) <= 0:
            raise ValueError("At least one matching weight must be positive.")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, float]) -> Weights:
        unknown = set(mapping) - set(FACTORS)
        if unknown:
            raise ValueError(f"Unknown matching weights: {', '.join(sorted(unknown))}.")
        return cls(**mapping)

    def points(self) -> dict[str, float]:
        """Points each factor gives at full marks (they total 100)."""
        total = sum(getattr(self, name) for name in FACTORS)
        return {name: getattr(self, name) * 100.0 / total for name in FACTORS}


FACTORS = tuple(f.name for f in fields(Weights))


def as_weights(weights: Weights | Mapping[str, float] | None) -> Weights:
    """Weights as given, built from a mapping (e.g. a Django setting), or the defaults."""
    if weights is None:
        return Weights()
    if isinstance(weights, Weights):
        return weights
    return Weights.from_mapping(weights)


# English labels; the Django layer translates by factor code.
FACTOR_LABELS = {
    "required_skills": "Required skills covered",
    "preferred_skills": "Preferred skills covered",
    "languages": "Proficiency in the required languages",
    "experience": "Experience beyond the minimum",
    "region": "Preferred region",
    "availability": "Availability across the need's window",
    "engagement": "Has worked with this organisation before",
}


class Reason(IntEnum):
    """Codes stored in `ScoreResult.first_failure`; ordered as the checks run."""

    ELIGIBLE = 0
    NO_CONSENT = 1
    PROFESSION = 2
    NOT_ONSITE = 3
    NOT_REMOTE = 4
    ONSITE_AVAILABILITY = 5
    REMOTE_AVAILABILITY = 6
    LANGUAGE = 7
    EXPERIENCE = 8
    CREDENTIAL = 9


# Stable machine-readable codes, and the English messages with their parameters (`reason_params`).
REASON_CODES = {
    Reason.ELIGIBLE: "eligible",
    Reason.NO_CONSENT: "no_consent",
    Reason.PROFESSION: "profession",
    Reason.NOT_ONSITE: "not_onsite",
    Reason.NOT_REMOTE: "not_remote",
    Reason.ONSITE_AVAILABILITY: "onsite_availability",
    Reason.REMOTE_AVAILABILITY: "remote_availability",
    Reason.LANGUAGE: "language",
    Reason.EXPERIENCE: "experience",
    Reason.CREDENTIAL: "credential",
}
REASON_MESSAGES = {
    "eligible": "",
    "no_consent": "The volunteer has not agreed to be shown to coordinators.",
    "profession": "The need is for the profession “{need_profession}”, not “{volunteer_profession}”.",
    "not_onsite": "The need includes on-site work and the volunteer does not offer on-site volunteering.",
    "not_remote": "The need is remote and the volunteer does not offer remote volunteering.",
    "onsite_availability": (
        "The volunteer is not free for {min_duration_days} consecutive days between {window_start} and {window_end}."
    ),
    "remote_availability": (
        "The volunteer is not available {hours_per_week} hours a week for {min_duration_days} consecutive days "
        "between {window_start} and {window_end}."
    ),
    "language": "The need requires {language} at working level or better.",
    "experience": "The need requires {min_years} years of experience; the volunteer has {years}.",
    "credential": "The need requires a verified credential valid until at least {valid_through}.",
}


@dataclass(frozen=True, slots=True)
class FactorContribution:
    code: str  # one of FACTORS
    label: str  # English; translate by code
    value: float  # the factor in [0, 1]
    points: float  # what it adds to the score


@dataclass(frozen=True, slots=True)
class Explanation:
    volunteer_id: int
    need_id: int
    eligible: bool
    score: float  # the sum of the contributions' points; 0 when ineligible
    contributions: tuple[FactorContribution, ...]  # empty when ineligible
    reason_code: str  # "eligible" or the first failed requirement (REASON_CODES)
    reason: str  # English sentence, empty when eligible
    reason_params: dict[str, Any]
