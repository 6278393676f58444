"""The matching engine: eligibility, scoring and stable matching of volunteers to needs.

Pure Python and numpy, no Django: the Django side loads volunteers and needs into the plain dataclasses
below, asks for scores or top-K suggestions, builds preference lists from them and calls `stable_match`.

Two halves:

* `stable_match` — volunteer-proposing deferred acceptance with capacities (Gale–Shapley, as in
  Roth–Peranson without couples). It returns the volunteer-optimal stable matching, which is unique, so
  the result never depends on the order of the input dictionaries. `blocking_pairs` and
  `validate_matching` check a matching independently.
* `score_matrix` / `score_top_k` — hard constraints (eligibility) and a soft score in [0, 100] for every
  volunteer × need pair, vectorised with numpy over profession blocks and volunteer chunks so memory
  stays bounded. `explain` is the per-pair, plain-Python version that says why: the points each factor
  gave, or the first requirement that failed.

Eligibility rules, in the order used for "the first failed requirement":

1. consent — the volunteer agreed to be shown to coordinators;
2. profession — the volunteer's profession equals the need's;
3. mode — on-site and hybrid needs need a volunteer who offers on-site work (a hybrid need always has
   an on-site part, so on-site is the binding condition); remote needs need one who offers remote work;
4. availability — the longest run of consecutive days inside the need's window on which the volunteer
   is available must be at least `min_duration_days` (days counted inclusively). On-site and hybrid:
   available means inside one of the volunteer's availability windows (adjacent or overlapping windows
   join up) and not inside an accepted on-site placement (`busy`). Remote: inside a window offering at
   least the need's hours per week; busy on-site placements are ignored for remote work;
5. languages — every required language spoken at working proficiency (2) or better;
6. experience — at least the need's minimum years;
7. credential — when the need requires one, a verified credential valid at least until the end of the
   earliest possible placement: `credential_valid_until >= window_start + min_duration_days - 1`.

Soft factors (each a value in [0, 1], times its weight; weights are rescaled so they total 100):
required-skill coverage and preferred-skill coverage (full marks when the need lists none), language
proficiency (mean over required languages of (proficiency - 1) / 3, full marks when none required),
experience beyond the minimum (linear, saturating after `EXPERIENCE_SATURATION_YEARS`), preferred region
(1 when the need's region is one the volunteer prefers, 0.5 when the need has no region or the
volunteer states no preference, 0 otherwise), availability fit (the longest available run divided by
the length of the need's window, at most 1) and prior engagement with the need's organisation (1 or 0).
Ineligible pairs score 0.
"""

from __future__ import annotations

import gc
import heapq
import math
import operator
from collections.abc import Hashable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date
from enum import IntEnum
from typing import Any

import numpy as np

__all__ = [
    "EXPERIENCE_SATURATION_YEARS",
    "FACTOR_LABELS",
    "FACTORS",
    "REASON_CODES",
    "REASON_MESSAGES",
    "Explanation",
    "FactorContribution",
    "NeedData",
    "Reason",
    "ScoreResult",
    "TopK",
    "VolunteerData",
    "Weights",
    "blocking_pairs",
    "explain",
    "pair_factor_points",
    "score_matrix",
    "score_top_k",
    "stable_match",
    "top_k_for_needs",
    "top_k_for_volunteers",
    "validate_matching",
]


# --------------------------------------------------------------------------------------------------
# Stable matching
# --------------------------------------------------------------------------------------------------


def _id_key(value: Hashable) -> tuple[bool, Any]:
    """Sort key for ids: ints before strs, so a mixed set still sorts deterministically."""
    return (isinstance(value, str), value)


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector: matching allocates many small containers and no cycles, and
    each collection it would trigger rescans the caller's whole (often large) heap."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _sorted_ids(ids: Iterable[Hashable]) -> list[Hashable]:
    ids = list(ids)
    try:
        return sorted(ids)
    except TypeError:  # a mix of ints and strs
        return sorted(ids, key=_id_key)


def _reject_duplicates(ranked: Sequence[Hashable], side: str, owner: Hashable) -> None:
    if len(set(ranked)) == len(ranked):
        return
    seen: set[Hashable] = set()
    for item in ranked:
        if item in seen:
            raise ValueError(f"{side} {owner!r} ranks {item!r} more than once.")
        seen.add(item)


def _validated_capacities(capacities: Mapping[Hashable, int]) -> dict[Hashable, int]:
    places: dict[Hashable, int] = {}
    for need, capacity in capacities.items():
        count = operator.index(capacity)  # TypeError for floats and other non-integers
        if count < 0:
            raise ValueError(f"Need {need!r} has a negative capacity ({count}).")
        places[need] = count
    return places


def stable_match(
    volunteer_prefs: Mapping[Hashable, Sequence[Hashable]],
    need_prefs: Mapping[Hashable, Sequence[Hashable]],
    capacities: Mapping[Hashable, int],
) -> dict[Hashable, list[Hashable]]:
    """The volunteer-optimal stable matching of volunteers to needs.

    `volunteer_prefs` maps each volunteer to the needs it ranks, best first; `need_prefs` maps each need
    to the volunteers it ranks, best first; `capacities` maps each need to its number of places. A pair
    is acceptable only when each side ranks the other; ids that are not known on the other side (needs
    absent from `capacities`, volunteers absent from `volunteer_prefs`) are ignored as unacceptable.

    Returns every need of `capacities`, in id order, with its volunteers ordered by the need's preference
    (possibly an empty list). Raises ValueError for a duplicate entry in a preference list or a negative
    capacity. Iterative, O(ranked pairs × log capacity).
    """
    with _gc_paused():
        return _stable_match(volunteer_prefs, need_prefs, capacities)


def _stable_match(volunteer_prefs, need_prefs, capacities) -> dict[Hashable, list[Hashable]]:
    places_by_need = _validated_capacities(capacities)
    need_ids = _sorted_ids(places_by_need)
    need_index = {need: i for i, need in enumerate(need_ids)}
    places = [places_by_need[need] for need in need_ids]

    volunteer_ids = _sorted_ids(volunteer_prefs)
    volunteer_index = {volunteer: j for j, volunteer in enumerate(volunteer_ids)}

    # For each need: the volunteers it ranks (as indices, best first) and each one's rank.
    ranked_by_need: list[list[int]] = [[] for _ in need_ids]
    rank_by_need: list[dict[int, int]] = [{} for _ in need_ids]
    for need, ranked in need_prefs.items():
        i = need_index.get(need)
        if i is None:
            _reject_duplicates(ranked, "Need", need)
            continue
        order = [volunteer_index[v] for v in ranked if v in volunteer_index]
        ranks = {j: rank for rank, j in enumerate(order)}
        if len(ranks) < len(order) or len(order) < len(ranked):
            _reject_duplicates(ranked, "Need", need)  # cheap check first: only unknown ids can hide one
        ranked_by_need[i] = order
        rank_by_need[i] = ranks if places[i] else {}

    # Each volunteer's acceptable needs, best first, with the volunteer's rank at that need, as flat
    # lists of ints (volunteer j's options are positions first[j] to first[j + 1]): few objects to
    # allocate, so the garbage collector stays out of the way.
    option_need: list[int] = []
    option_rank: list[int] = []
    first = [0]
    for j, volunteer in enumerate(volunteer_ids):
        ranked = volunteer_prefs[volunteer]
        _reject_duplicates(ranked, "Volunteer", volunteer)
        for need in ranked:
            i = need_index.get(need)
            if i is not None:
                rank = rank_by_need[i].get(j)
                if rank is not None:
                    option_need.append(i)
                    option_rank.append(rank)
        first.append(len(option_need))

    # Deferred acceptance. Each need holds the ranks of its tentative volunteers in a max-heap (negated),
    # so the worst held volunteer is at the top and is compared before anyone is accepted.
    held: list[list[int]] = [[] for _ in need_ids]
    next_choice = first[:-1]
    free = list(range(len(volunteer_ids) - 1, -1, -1))  # popped in id order
    heappush, heapreplace = heapq.heappush, heapq.heapreplace
    while free:
        j = free.pop()
        k, stop = next_choice[j], first[j + 1]
        while k < stop:
            i, rank = option_need[k], option_rank[k]
            k += 1
            heap = held[i]
            if len(heap) < places[i]:
                heappush(heap, -rank)
                break
            if rank < -heap[0]:
                free.append(ranked_by_need[i][-heapreplace(heap, -rank)])
                break
        next_choice[j] = k

    return {
        need: [volunteer_ids[ranked_by_need[i][rank]] for rank in sorted(-r for r in held[i])]
        for i, need in enumerate(need_ids)
    }


def blocking_pairs(
    matching: Mapping[Hashable, Sequence[Hashable]],
    volunteer_prefs: Mapping[Hashable, Sequence[Hashable]],
    need_prefs: Mapping[Hashable, Sequence[Hashable]],
    capacities: Mapping[Hashable, int],
) -> list[tuple[Hashable, Hashable]]:
    """The (volunteer, need) pairs that would both rather be matched to each other: empty when stable.

    A blocking pair is acceptable to both sides, the volunteer is unmatched or prefers the need to its
    match, and the need has a free place or prefers the volunteer to its worst matched volunteer.
    Listed by volunteer id, then in the volunteer's preference order. O(ranked pairs).
    """
    with _gc_paused():
        return _blocking_pairs(matching, volunteer_prefs, need_prefs, capacities)


def _blocking_pairs(matching, volunteer_prefs, need_prefs, capacities) -> list[tuple[Hashable, Hashable]]:
    places = _validated_capacities(capacities)
    assigned: dict[Hashable, Hashable] = {}
    for need, members in matching.items():
        for volunteer in members:
            assigned.setdefault(volunteer, need)

    rank_by_need: dict[Hashable, dict[Hashable, int]] = {}
    for need, ranked in need_prefs.items():
        if need in places:
            rank_by_need[need] = {volunteer: rank for rank, volunteer in enumerate(ranked)}

    # A volunteer blocks with a need when its rank there is below the need's threshold: everyone
    # (math.inf) when the need has a free place, else the rank of its worst matched volunteer.
    threshold: dict[Hashable, float] = {}
    for need, count in places.items():
        members = matching.get(need, ())
        ranks = rank_by_need.get(need, {})
        if len(members) < count:
            threshold[need] = math.inf
        elif members:
            threshold[need] = max(ranks.get(v, math.inf) for v in members)
        else:
            threshold[need] = -1

    pairs = []
    for volunteer in _sorted_ids(volunteer_prefs):
        current = assigned.get(volunteer)
        for need in volunteer_prefs[volunteer]:
            if need == current:
                break
            rank = rank_by_need.get(need, {}).get(volunteer)
            if rank is not None and rank < threshold[need]:
                pairs.append((volunteer, need))
    return pairs


def validate_matching(
    matching: Mapping[Hashable, Sequence[Hashable]],
    volunteer_prefs: Mapping[Hashable, Sequence[Hashable]],
    need_prefs: Mapping[Hashable, Sequence[Hashable]],
    capacities: Mapping[Hashable, int],
) -> None:
    """Raise ValueError unless every need is known, within capacity and holds only volunteers it finds
    acceptable (and who find it acceptable), each volunteer at most once."""
    places = _validated_capacities(capacities)
    problems = []
    seen: dict[Hashable, Hashable] = {}
    for need, members in matching.items():
        if need not in places:
            problems.append(f"need {need!r} is not in the capacities")
            continue
        if len(members) > places[need]:
            problems.append(f"need {need!r} holds {len(members)} volunteers for {places[need]} places")
        ranked = set(need_prefs.get(need, ()))
        for volunteer in members:
            if volunteer in seen:
                problems.append(f"volunteer {volunteer!r} is matched to {seen[volunteer]!r} and {need!r}")
            seen[volunteer] = need
            if volunteer not in ranked or need not in set(volunteer_prefs.get(volunteer, ())):
                problems.append(f"volunteer {volunteer!r} and need {need!r} are not mutually acceptable")
    if problems:
        raise ValueError("Invalid matching: " + "; ".join(problems[:10]))


# --------------------------------------------------------------------------------------------------
# Data, weights and explanations
# --------------------------------------------------------------------------------------------------

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


def _as_weights(weights: Weights | Mapping[str, float] | None) -> Weights:
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


# --------------------------------------------------------------------------------------------------
# Per-pair reference (plain Python): availability runs, checks, factors, explain()
# --------------------------------------------------------------------------------------------------


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


def _onsite_segments(volunteer: VolunteerData) -> list[tuple[int, int]]:
    windows = _merge((start.toordinal(), end.toordinal()) for start, end, *_ in volunteer.availability)
    busy = _merge((start.toordinal(), end.toordinal()) for start, end in volunteer.busy)
    return _subtract(windows, busy)


def _remote_segments(volunteer: VolunteerData, min_hours: int) -> list[tuple[int, int]]:
    return _merge(
        (start.toordinal(), end.toordinal()) for start, end, hours in volunteer.availability if hours >= min_hours
    )


def _longest_run(segments: list[tuple[int, int]], start: int, end: int) -> int:
    return max((min(e, end) - max(s, start) + 1 for s, e in segments), default=0)


def _available_run(volunteer: VolunteerData, need: NeedData) -> int:
    """Longest run of consecutive available days inside the need's window (0 if none)."""
    if need.mode == "remote":
        segments = _remote_segments(volunteer, need.hours_per_week)
    else:
        segments = _onsite_segments(volunteer)
    return max(0, _longest_run(segments, need.window_start.toordinal(), need.window_end.toordinal()))


def _credential_deadline(need: NeedData) -> date:
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
        deadline = _credential_deadline(need)
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
    weights = _as_weights(weights)
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


# --------------------------------------------------------------------------------------------------
# Vectorised scoring
# --------------------------------------------------------------------------------------------------

DEFAULT_BLOCK_CELLS = 1 << 20  # volunteer × need cells evaluated at once (a few MB per temporary array)
_PAD_START = 10**8  # padding segments that overlap nothing
_PAD_END = -(10**8)
_NEVER = np.iinfo(np.int32).min
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)


def _bitsets(groups: Sequence[Iterable[Hashable]], index: Mapping[Hashable, int]) -> np.ndarray:
    """One row of uint64 words per group, bit `index[item]` set for each indexed item."""
    words = max(1, (len(index) + 63) // 64)
    masks = []
    for items in groups:
        mask = 0
        for item in items:
            bit = index.get(item)
            if bit is not None:
                mask |= 1 << bit
        masks.append(mask)
    out = np.zeros((len(groups), words), dtype=np.uint64)
    for w in range(words):
        out[:, w] = np.array([(m >> (64 * w)) & 0xFFFFFFFFFFFFFFFF for m in masks], dtype=np.uint64)
    return out


def _popcount_pairs(
    row_bits: np.ndarray, rows: np.ndarray, col_bits: np.ndarray, cols: np.ndarray
) -> np.ndarray | None:
    """For each cell (rows[i], cols[i]), the number of bits its volunteer and need bitsets share; None
    when no word can share any."""
    total = None
    for w in range(row_bits.shape[1]):
        if not col_bits[:, w].any() or not row_bits[:, w].any():
            continue
        count = np.bitwise_count(row_bits[rows, w] & col_bits[cols, w])
        if total is None:
            total = count.astype(np.uint16) if row_bits.shape[1] > 3 else count
        else:
            total += count
    return total


def _ordered(items: Sequence, kind: str) -> list:
    ordered = sorted(items, key=lambda item: _id_key(item.id))
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if previous.id == current.id:
            raise ValueError(f"Duplicate {kind} id {current.id!r}.")
    return ordered


class _Prepared:
    """Volunteers and needs turned into aligned numpy arrays (rows and columns in id order)."""

    def __init__(self, volunteers: Sequence[VolunteerData], needs: Sequence[NeedData], weights: Weights):
        vols = _ordered(volunteers, "volunteer")
        needs = _ordered(needs, "need")
        self.volunteer_ids = [v.id for v in vols]
        self.need_ids = [n.id for n in needs]
        nv, nn = len(vols), len(needs)

        # Professions: only volunteers and needs sharing one are compared cell by cell.
        profession_index: dict[str, int] = {}
        n_prof = np.array([profession_index.setdefault(n.profession, len(profession_index)) for n in needs], np.int32)
        v_prof = np.array([profession_index.get(v.profession, -1) for v in vols], np.int32)
        self.consent = np.array([v.consent for v in vols], bool)

        self.v_onsite = np.array([v.offers_onsite for v in vols], bool)
        self.v_remote = np.array([v.offers_remote for v in vols], bool)
        self.v_years = np.array([v.years_experience for v in vols], np.int32)
        self.v_credential = np.array(
            [-1 if v.credential_valid_until is None else v.credential_valid_until.toordinal() for v in vols], np.int32
        )
        self.n_remote = np.array([n.mode == "remote" for n in needs], bool)
        self.n_min_years = np.array([n.min_years_experience for n in needs], np.int32)
        self.n_credential = np.array(
            [_credential_deadline(n).toordinal() if n.requires_verified_credential else _NEVER for n in needs],
            np.int32,
        )
        self.n_start = np.array([n.window_start.toordinal() for n in needs], np.int32)
        self.n_end = np.array([n.window_end.toordinal() for n in needs], np.int32)
        self.n_duration = np.array([n.min_duration_days for n in needs], np.int32)
        self.n_mode_code = np.where(self.n_remote, Reason.NOT_REMOTE, Reason.NOT_ONSITE).astype(np.int8)
        self.n_availability_code = np.where(
            self.n_remote, Reason.REMOTE_AVAILABILITY, Reason.ONSITE_AVAILABILITY
        ).astype(np.int8)

        # Skills and languages as bitsets over the items the needs mention.
        skill_index: dict[int, int] = {}
        for n in needs:
            for skill in sorted(n.required_skills | n.preferred_skills):
                skill_index.setdefault(skill, len(skill_index))
        self.v_skills = _bitsets([v.skills for v in vols], skill_index)
        self.n_required_skills = _bitsets([n.required_skills for n in needs], skill_index)
        self.n_preferred_skills = _bitsets([n.preferred_skills for n in needs], skill_index)
        language_index: dict[str, int] = {}
        for n in needs:
            for code in sorted(n.required_languages):
                language_index.setdefault(code, len(language_index))
        # One bitset per proficiency level: the languages spoken at that level or better.
        spoken: dict[int, list[list[str]]] = {level: [] for level in (2, 3, 4)}
        for v in vols:
            for level, codes in spoken.items():
                codes.append([c for c, p in v.languages.items() if p >= level and c in language_index])
        self.v_languages = {level: _bitsets(codes, language_index) for level, codes in spoken.items()}
        self.n_languages = _bitsets([n.required_languages for n in needs], language_index)
        region_index: dict[str, int] = {}
        for n in needs:
            if n.region is not None:
                region_index.setdefault(n.region, len(region_index))
        self.v_regions = _bitsets([v.preferred_regions for v in vols], region_index)
        self.v_region_neutral = np.array([not v.preferred_regions for v in vols], bool)
        self.n_regions = _bitsets([[n.region] if n.region is not None else [] for n in needs], region_index)
        self.n_region_neutral = np.array([n.region is None for n in needs], bool)

        # Prior engagement: each volunteer's organisations (among the needs') as a compressed row list.
        org_index: dict[int, int] = {}
        for n in needs:
            if n.organisation_id is not None:
                org_index.setdefault(n.organisation_id, len(org_index))
        self.org_count = len(org_index) + 1  # the last column stands for "no organisation"
        self.n_org = np.array([org_index.get(n.organisation_id, len(org_index)) for n in needs], np.int32)
        engaged = [[org_index[o] for o in v.organisations_engaged if o in org_index] for v in vols]
        self.v_org_ptr = np.zeros(nv + 1, np.int64)
        self.v_org_ptr[1:] = np.cumsum([len(e) for e in engaged])
        self.v_org_idx = np.array([o for e in engaged for o in e], np.int64)

        # Weighted factors as per-column coefficients: points = count × coefficient, plus a per-column
        # constant for the factors that give full marks when the need asks for nothing.
        points = weights.points()
        self.points = {name: np.float32(value) for name, value in points.items()}
        req_count = np.array([len(n.required_skills) for n in needs], np.float32)
        pref_count = np.array([len(n.preferred_skills) for n in needs], np.float32)
        lang_count = np.array([len(n.required_languages) for n in needs], np.float32)
        self.a_required = (points["required_skills"] / np.maximum(req_count, 1)).astype(np.float32)
        self.a_preferred = (points["preferred_skills"] / np.maximum(pref_count, 1)).astype(np.float32)
        self.a_languages = (points["languages"] / (3 * np.maximum(lang_count, 1))).astype(np.float32)
        self.constant = (
            np.where(req_count == 0, points["required_skills"], 0)
            + np.where(pref_count == 0, points["preferred_skills"], 0)
            + np.where(lang_count == 0, points["languages"], 0)
        ).astype(np.float32)
        window_days = (self.n_end - self.n_start + 1).astype(np.float64)
        self.a_availability = (points["availability"] / window_days).astype(np.float32)
        self.v_years_scaled = (self.v_years * (points["experience"] / EXPERIENCE_SATURATION_YEARS)).astype(np.float32)
        self.n_min_years_scaled = (self.n_min_years * (points["experience"] / EXPERIENCE_SATURATION_YEARS)).astype(
            np.float32
        )

        # Availability: each need uses one set of volunteer segments, "onsite" (windows minus busy) or the
        # windows offering at least h hours a week (remote). Built only for the volunteers that can pass
        # the earlier checks; everyone else keeps padding, which overlaps nothing.
        keys: dict[tuple, int] = {}
        need_keys = [("remote", n.hours_per_week) if n.mode == "remote" else ("onsite",) for n in needs]
        self.n_key = np.array([keys.setdefault(key, len(keys)) for key in need_keys], np.int32)
        needed_professions = set(n_prof.tolist())
        candidates = [
            j
            for j, (v, p) in enumerate(zip(vols, v_prof.tolist(), strict=True))
            if v.consent and p in needed_professions
        ]
        # Per key: flat lists of (row, slot, start, end), filled in one pass over the volunteers.
        flat: list[tuple[list[int], list[int], list[int], list[int]]] = [([], [], [], []) for _ in keys]

        def put(key_index: int, j: int, segments: list[tuple[int, int]]) -> None:
            at_row, at_slot, at_start, at_end = flat[key_index]
            for slot, (start, end) in enumerate(segments):
                at_row.append(j)
                at_slot.append(slot)
                at_start.append(start)
                at_end.append(end)

        onsite_key = keys.get(("onsite",))
        remote_keys = sorted((key[1], index) for key, index in keys.items() if key[0] == "remote")
        for j in candidates:
            v = vols[j]
            if not v.availability:
                continue
            if onsite_key is not None and v.offers_onsite:
                put(onsite_key, j, _onsite_segments(v))
            if remote_keys and v.offers_remote:
                # The windows kept at a threshold depend only on the lowest qualifying hours: merge once
                # per distinct hours value of the volunteer's windows.
                levels = sorted({hours for *_, hours in v.availability})
                by_level: dict[int, list[tuple[int, int]]] = {}
                for threshold, index in remote_keys:
                    level = next((h for h in levels if h >= threshold), None)
                    if level is None:
                        break  # thresholds only grow
                    if level not in by_level:
                        by_level[level] = _remote_segments(v, level)
                    put(index, j, by_level[level])
        self.segments: list[tuple[np.ndarray, np.ndarray]] = []
        for at_row, at_slot, at_start, at_end in flat:
            width = max(at_slot, default=0) + 1
            starts = np.full((nv, width), _PAD_START, np.int32)
            ends = np.full((nv, width), _PAD_END, np.int32)
            starts[at_row, at_slot] = at_start
            ends[at_row, at_slot] = at_end
            self.segments.append((starts, ends))

        # Blocks: per profession, the consenting volunteers (rows) and the needs (columns, grouped by
        # availability key so each group is a contiguous slice).
        self.blocks: list[tuple[np.ndarray, np.ndarray, list[tuple[int, slice]]]] = []
        for p in range(len(profession_index)):
            rows_p = np.flatnonzero((v_prof == p) & self.consent)
            cols_p = np.flatnonzero(n_prof == p)
            if not len(rows_p) or not len(cols_p):
                continue
            cols_p = cols_p[np.argsort(self.n_key[cols_p], kind="stable")]
            groups = []
            keys_p = self.n_key[cols_p]
            bounds = np.flatnonzero(np.diff(keys_p)) + 1
            for start, stop in zip(np.r_[0, bounds], np.r_[bounds, len(cols_p)], strict=True):
                groups.append((int(keys_p[start]), slice(int(start), int(stop))))
            self.blocks.append((rows_p, cols_p, groups))
        self.shape = (nv, nn)

    def chunks(self, block_cells: int):
        """Yield (rows, cols, groups) pieces of at most about `block_cells` cells."""
        for rows, cols, groups in self.blocks:
            step = max(1, block_cells // len(cols))
            for start in range(0, len(rows), step):
                yield rows[start : start + step], cols, groups

    def evaluate(
        self, rows: np.ndarray, cols: np.ndarray, groups: list[tuple[int, slice]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Check and score rows × cols, where the rows are consenting volunteers and the columns needs of
        the same profession. Returns the first-failure codes (int8, nr × nc) and, for the eligible cells
        only, their local row and column positions and their scores (float32)."""
        nr, nc = len(rows), len(cols)
        code = np.zeros((nr, nc), np.int8)
        fail = np.empty((nr, nc), bool)

        # Checks run from the last to the first, so the earliest failure overwrites later ones.
        np.less.outer(self.v_credential[rows], self.n_credential[cols], out=fail)
        np.copyto(code, np.int8(Reason.CREDENTIAL), where=fail)
        np.less.outer(self.v_years[rows], self.n_min_years[cols], out=fail)
        np.copyto(code, np.int8(Reason.EXPERIENCE), where=fail)

        required = self.n_languages[cols]
        if required.any():
            fail.fill(False)
            for w in range(required.shape[1]):
                if required[:, w].any():
                    fail |= np.bitwise_and.outer(self.v_languages[2][rows, w], required[:, w]) != required[:, w]
            np.copyto(code, np.int8(Reason.LANGUAGE), where=fail)

        run = np.empty((nr, nc), np.int32)  # longest available run inside the need's window
        overlap = np.empty((nr, nc), np.int32)
        later = np.empty((nr, nc), np.int32)
        for key, part in groups:
            starts, ends = self.segments[key]
            need_start, need_end = self.n_start[cols[part]], self.n_end[cols[part]]
            best, tmp, tmp2 = run[:, part], overlap[:, part], later[:, part]
            best.fill(0)
            seg_starts, seg_ends = starts[rows], ends[rows]
            for s in range(starts.shape[1]):
                np.minimum.outer(seg_ends[:, s], need_end, out=tmp)
                np.maximum.outer(seg_starts[:, s], need_start, out=tmp2)
                tmp -= tmp2
                tmp += 1
                np.maximum(best, tmp, out=best)
        del overlap, later
        np.less(run, self.n_duration[cols], out=fail)
        np.copyto(code, self.n_availability_code[cols], where=fail)

        remote = self.n_remote[cols]
        np.logical_or(
            np.logical_and.outer(~self.v_remote[rows], remote),
            np.logical_and.outer(~self.v_onsite[rows], ~remote),
            out=fail,
        )
        np.copyto(code, self.n_mode_code[cols], where=fail)

        # Scores, for the eligible cells only (usually a small share of the block).
        np.equal(code, 0, out=fail)
        local_rows, local_cols = np.nonzero(fail)
        return code, local_rows, local_cols, self._score(rows, local_rows, cols[local_cols], run[fail])

    def _score(self, rows: np.ndarray, local_rows: np.ndarray, need: np.ndarray, run: np.ndarray) -> np.ndarray:
        """Scores of the cells (rows[local_rows], need): per-need constants plus each factor's points."""
        volunteer = rows[local_rows]
        score = self.constant[need]
        for bits, coefficient in (
            (self.n_required_skills, self.a_required),
            (self.n_preferred_skills, self.a_preferred),
        ):
            shared = _popcount_pairs(self.v_skills, volunteer, bits, need)
            if shared is not None:
                score += shared * coefficient[need]
        spoken = None
        for level in (2, 3, 4):
            count = _popcount_pairs(self.v_languages[level], volunteer, self.n_languages, need)
            if count is not None:
                spoken = count if spoken is None else spoken + count
        if spoken is not None:
            score += spoken * self.a_languages[need]
        experience = self.v_years_scaled[volunteer] - self.n_min_years_scaled[need]
        score += np.clip(experience, 0, self.points["experience"], out=experience)
        if self.points["region"]:
            neutral = self.v_region_neutral[volunteer] | self.n_region_neutral[need]
            score += neutral * np.float32(self.points["region"] * REGION_NEUTRAL)
            matched = _popcount_pairs(self.v_regions, volunteer, self.n_regions, need)
            if matched is not None:
                score += (matched > 0) * self.points["region"]
        if self.points["availability"]:
            fit = run.astype(np.float32)
            fit *= self.a_availability[need]
            score += np.minimum(fit, self.points["availability"], out=fit)
        if self.points["engagement"] and len(self.v_org_idx):
            # Each block row's organisations as a small dense table, then one lookup per cell.
            starts, stops = self.v_org_ptr[rows], self.v_org_ptr[rows + 1]
            counts = stops - starts
            if counts.any():
                engaged = np.zeros((len(rows), self.org_count), bool)
                positions = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
                engaged[np.repeat(np.arange(len(rows)), counts), self.v_org_idx[positions]] = True
                score += engaged[local_rows, self.n_org[need]] * self.points["engagement"]
        return np.clip(score, 0, 100, out=score)


@dataclass(eq=False)
class ScoreResult:
    """Every volunteer × need pair; rows follow `volunteer_ids`, columns `need_ids` (both in id order)."""

    volunteer_ids: list[int]
    need_ids: list[int]
    eligible: np.ndarray  # bool (V, N)
    score: np.ndarray  # float32 (V, N), 0 where ineligible
    first_failure: np.ndarray  # int8 (V, N), Reason values

    def __post_init__(self):
        self._rows = {v: i for i, v in enumerate(self.volunteer_ids)}
        self._cols = {n: i for i, n in enumerate(self.need_ids)}

    def volunteer_index(self, volunteer_id: int) -> int:
        return self._rows[volunteer_id]

    def need_index(self, need_id: int) -> int:
        return self._cols[need_id]


def score_matrix(
    volunteers: Sequence[VolunteerData],
    needs: Sequence[NeedData],
    weights: Weights | Mapping[str, float] | None = None,
    *,
    block_cells: int = DEFAULT_BLOCK_CELLS,
) -> ScoreResult:
    """Eligibility, first failure and score of every pair, as compact dense arrays (6 bytes a pair).

    For very large inputs prefer `score_top_k`, which keeps only the best pairs.
    """
    prepared = _Prepared(volunteers, needs, _as_weights(weights))
    nv, nn = prepared.shape
    first_failure = np.empty((nv, nn), np.int8)
    first_failure[:] = np.where(prepared.consent, np.int8(Reason.PROFESSION), np.int8(Reason.NO_CONSENT))[:, None]
    score = np.zeros((nv, nn), np.float32)
    for rows, cols, groups in prepared.chunks(block_cells):
        code, local_rows, local_cols, cell_scores = prepared.evaluate(rows, cols, groups)
        first_failure[np.ix_(rows, cols)] = code
        score[rows[local_rows], cols[local_cols]] = cell_scores
    return ScoreResult(
        volunteer_ids=prepared.volunteer_ids,
        need_ids=prepared.need_ids,
        eligible=first_failure == Reason.ELIGIBLE,
        score=score,
        first_failure=first_failure,
    )


# Top-K selection. Each eligible cell gets a uint64 key: the float32 score's bits (monotonic for scores
# >= 0) plus one in the high half, the complement of the other side's index in the low half. Larger key
# = higher score, then lower index; 0 = nothing. Selecting the largest keys is exact and deterministic.
# Only a few candidates per row or column are ever sorted: those scoring at least the k-th best score.


def _keys(score: np.ndarray, index: np.ndarray) -> np.ndarray:
    bits = (score + np.float32(0)).view(np.uint32).astype(np.uint64) + np.uint64(1)
    return (bits << _SHIFT32) | (_LOW32 - index.astype(np.uint64))


def _candidates(masked: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Cells that can be among the k best of their row (axis=1) or column (axis=0): eligible cells
    (score >= 0; ineligible ones are -1 in `masked`) scoring at least the k-th best score."""
    eligible = masked >= 0
    n = masked.shape[axis]
    # Sorting costs far more per cell than partitioning: prune only when there is a lot to sort.
    if k >= n or np.count_nonzero(eligible) * 32 < masked.size:
        return eligible
    kth = -np.partition(-masked, k - 1, axis=axis).take(k - 1, axis=axis)
    return (masked >= np.expand_dims(np.maximum(kth, 0), axis)) & eligible


def _group_top_k(groups: np.ndarray, keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The k largest keys of each group: (group, key, position in the group), by group then key descending."""
    order = np.lexsort((~keys, groups))
    groups, keys = groups[order], keys[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else np.zeros(0, np.int64)
    position = np.arange(len(groups)) - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
    keep = position < k
    return groups[keep], keys[keep], position[keep]


def _decode_lists(keys: np.ndarray, ids: Sequence[int]) -> list[list[tuple[int, float]]]:
    """Rows of keys (0 = empty slot) as lists of (id, score)."""
    index = (_LOW32 - (keys & _LOW32)).astype(np.int64)
    scores = ((keys >> _SHIFT32) - np.uint64(1)).astype(np.uint32).view(np.float32)
    return [
        [(ids[i], s) for i, s, key in zip(row_index, row_scores, row_keys, strict=True) if key]
        for row_index, row_scores, row_keys in zip(index.tolist(), scores.tolist(), keys.tolist(), strict=True)
    ]


def top_k_for_volunteers(
    result: ScoreResult, k: int, *, block_cells: int = DEFAULT_BLOCK_CELLS
) -> dict[int, list[tuple[int, float]]]:
    """Each volunteer's best k eligible needs as (need id, score), best first; ties by need id."""
    nv, nn = result.score.shape
    k = max(k, 0)
    best = np.zeros((nv, k), np.uint64)
    step = max(1, block_cells // max(nn, 1))
    for start in range(0, nv if k else 0, step):
        part = slice(start, start + step)
        masked = np.where(result.eligible[part], result.score[part], np.float32(-1))
        rows, cols = np.nonzero(_candidates(masked, k, axis=1))
        rows, keys, position = _group_top_k(rows + start, _keys(masked[rows, cols], cols), k)
        best[rows, position] = keys
    return dict(zip(result.volunteer_ids, _decode_lists(best, result.need_ids), strict=True))


def top_k_for_needs(
    result: ScoreResult, k: int, *, block_cells: int = DEFAULT_BLOCK_CELLS
) -> dict[int, list[tuple[int, float]]]:
    """Each need's best k eligible volunteers as (volunteer id, score), best first; ties by volunteer id."""
    nv, nn = result.score.shape
    k = max(k, 0)
    best = np.zeros((nn, k), np.uint64)
    step = max(1, block_cells // max(nv, 1))
    for start in range(0, nn if k else 0, step):
        part = slice(start, start + step)
        masked = np.where(result.eligible[:, part], result.score[:, part], np.float32(-1))
        rows, cols = np.nonzero(_candidates(masked, k, axis=0))
        cols, keys, position = _group_top_k(cols + start, _keys(masked[rows, cols], rows), k)
        best[cols, position] = keys
    return dict(zip(result.need_ids, _decode_lists(best, result.volunteer_ids), strict=True))


@dataclass(eq=False)
class TopK:
    """The best eligible pairs on each side, without the full matrix."""

    for_volunteers: dict[int, list[tuple[int, float]]]  # volunteer id → [(need id, score)], best first
    for_needs: dict[int, list[tuple[int, float]]]  # need id → [(volunteer id, score)], best first
    eligible_pairs: int
    failure_counts: dict[str, int]  # pairs per first failed requirement (REASON_CODES), "eligible" included


def score_top_k(
    volunteers: Sequence[VolunteerData],
    needs: Sequence[NeedData],
    weights: Weights | Mapping[str, float] | None = None,
    *,
    k_per_volunteer: int = 10,
    k_per_need: int = 10,
    block_cells: int = DEFAULT_BLOCK_CELLS,
) -> TopK:
    """The same scores as `score_matrix`, streamed block by block keeping only the top K of each side:
    memory stays O(V × k + N × k + block) however many pairs there are."""
    prepared = _Prepared(volunteers, needs, _as_weights(weights))
    nv, nn = prepared.shape
    k_per_volunteer, k_per_need = max(k_per_volunteer, 0), max(k_per_need, 0)
    volunteer_best = np.zeros((nv, k_per_volunteer), np.uint64)
    need_best = np.zeros((nn, k_per_need), np.uint64)
    counts = np.zeros(len(Reason), np.int64)
    for rows, cols, groups in prepared.chunks(block_cells):
        code, local_rows, local_cols, cell_scores = prepared.evaluate(rows, cols, groups)
        counts += np.bincount(code.ravel(), minlength=len(Reason))
        masked = np.full(code.shape, -1, np.float32)
        masked[local_rows, local_cols] = cell_scores
        if k_per_volunteer:
            # A volunteer's eligible needs all share its profession, so this block holds all of them.
            r, c = np.nonzero(_candidates(masked, k_per_volunteer, axis=1))
            group, keys, position = _group_top_k(rows[r], _keys(masked[r, c], cols[c]), k_per_volunteer)
            volunteer_best[group, position] = keys
        if k_per_need:
            # Merge with the best found in earlier row chunks.
            r, c = np.nonzero(_candidates(masked, k_per_need, axis=0))
            held_cols, held_slots = np.nonzero(need_best[cols])
            held_cols = cols[held_cols]
            group, keys, position = _group_top_k(
                np.concatenate([held_cols, cols[c]]),
                np.concatenate([need_best[held_cols, held_slots], _keys(masked[r, c], rows[r])]),
                k_per_need,
            )
            need_best[group, position] = keys
    # Cells outside the blocks fail on consent or, for consenting volunteers, on profession.
    consenting = int(prepared.consent.sum())
    evaluated = int(counts.sum())
    counts[Reason.NO_CONSENT] = (nv - consenting) * nn
    counts[Reason.PROFESSION] = consenting * nn - evaluated
    return TopK(
        for_volunteers=dict(zip(prepared.volunteer_ids, _decode_lists(volunteer_best, prepared.need_ids), strict=True)),
        for_needs=dict(zip(prepared.need_ids, _decode_lists(need_best, prepared.volunteer_ids), strict=True)),
        eligible_pairs=int(counts[Reason.ELIGIBLE]),
        failure_counts={REASON_CODES[reason]: int(counts[reason]) for reason in Reason},
    )


# --------------------------------------------------------------------------------------------------
# Factor points of chosen pairs (the vectorised counterpart of explain's contributions)
# --------------------------------------------------------------------------------------------------


def _pair_points(prepared: _Prepared, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Points of each factor (FACTORS order) for the cells (rows[i], cols[i]) of `prepared`."""
    points = prepared.points
    out = np.zeros((len(rows), len(FACTORS)), np.float32)
    if not len(rows):
        return out
    column = {name: FACTORS.index(name) for name in FACTORS}

    for name, bits, coefficient in (
        ("required_skills", prepared.n_required_skills, prepared.a_required),
        ("preferred_skills", prepared.n_preferred_skills, prepared.a_preferred),
    ):
        part = np.where(bits[cols].any(axis=1), np.float32(0), points[name])  # full marks when none is asked for
        shared = _popcount_pairs(prepared.v_skills, rows, bits, cols)
        if shared is not None:
            part = part + shared * coefficient[cols]
        out[:, column[name]] = part

    part = np.where(prepared.n_languages[cols].any(axis=1), np.float32(0), points["languages"])
    for level in (2, 3, 4):
        count = _popcount_pairs(prepared.v_languages[level], rows, prepared.n_languages, cols)
        if count is not None:
            part = part + count * prepared.a_languages[cols]
    out[:, column["languages"]] = part

    experience = prepared.v_years_scaled[rows] - prepared.n_min_years_scaled[cols]
    out[:, column["experience"]] = np.clip(experience, 0, points["experience"])

    neutral = prepared.v_region_neutral[rows] | prepared.n_region_neutral[cols]
    region = neutral * np.float32(points["region"] * REGION_NEUTRAL)
    matched = _popcount_pairs(prepared.v_regions, rows, prepared.n_regions, cols)
    if matched is not None:
        region = region + (matched > 0) * points["region"]
    out[:, column["region"]] = region

    run = np.zeros(len(rows), np.int32)  # longest available run inside the need's window
    keys = prepared.n_key[cols]
    for key in np.unique(keys).tolist():
        chosen = np.flatnonzero(keys == key)
        starts, ends = prepared.segments[key]
        r, c = rows[chosen], cols[chosen]
        first = np.maximum(starts[r], prepared.n_start[c][:, None])
        last = np.minimum(ends[r], prepared.n_end[c][:, None])
        run[chosen] = np.maximum((last - first + 1).max(axis=1, initial=0), 0)
    out[:, column["availability"]] = np.minimum(run * prepared.a_availability[cols], points["availability"])

    if len(prepared.v_org_idx):
        # (volunteer row, organisation) pairs as single integers, looked up in one go.
        counts = np.diff(prepared.v_org_ptr)
        engaged = np.repeat(np.arange(len(counts), dtype=np.int64), counts) * prepared.org_count + prepared.v_org_idx
        wanted = rows.astype(np.int64) * prepared.org_count + prepared.n_org[cols]
        out[:, column["engagement"]] = np.isin(wanted, engaged) * points["engagement"]
    return out


def pair_factor_points(
    volunteers: Sequence[VolunteerData],
    needs: Sequence[NeedData],
    volunteer_ids: Sequence[int],
    need_ids: Sequence[int],
    weights: Weights | Mapping[str, float] | None = None,
) -> np.ndarray:
    """The points each soft factor gives the pairs (volunteer_ids[i], need_ids[i]): float32, one row per
    pair, one column per factor in FACTORS order — `explain`'s contributions for many pairs at once.

    Meant for eligible pairs, whose points add up to their score in `score_matrix` / `score_top_k` (for an
    ineligible pair they are what the factors would give; `explain` says why it is not eligible). Raises
    KeyError for an id missing from `volunteers` or `needs`.
    """
    if len(volunteer_ids) != len(need_ids):
        raise ValueError("volunteer_ids and need_ids must have the same length.")
    prepared = _Prepared(volunteers, needs, _as_weights(weights))
    row_of = {v: i for i, v in enumerate(prepared.volunteer_ids)}
    col_of = {n: j for j, n in enumerate(prepared.need_ids)}
    rows = np.fromiter((row_of[v] for v in volunteer_ids), np.int64, count=len(volunteer_ids))
    cols = np.fromiter((col_of[n] for n in need_ids), np.int64, count=len(need_ids))
    return _pair_points(prepared, rows, cols)
