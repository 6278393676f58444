"""Stable matching of volunteers to needs with capacities, and independent checks of a matching."""

from __future__ import annotations

import gc
import heapq
import math
import operator
from collections.abc import Hashable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from typing import Any


def id_key(value: Hashable) -> tuple[bool, Any]:
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
        return sorted(ids, key=id_key)


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
