"""Scores of many pairs: the full matrix, each side's top K streamed block by block, and the factor
points of chosen pairs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .prepared import DEFAULT_BLOCK_CELLS, Prepared
from .records import REASON_CODES, NeedData, Reason, VolunteerData, Weights, as_weights

_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)


@dataclass(eq=False)
class ScoreResult:
    """Every volunteer × need pair; rows follow `volunteer_ids`, columns `need_ids` (both in id order)."""

    volunteer_ids: list[int]
    need_ids: list[int]
    eligible: np.ndarray  # bool (V, N)
    score: np.ndarray  # float32 (V, N), 0 where ineligible
    first_failure: np.ndarray  # int8 (V, N), Reason values
    # The preparation the scores came from, so that factor points of chosen pairs cost no second one.
    prepared: Prepared | None = field(default=None, repr=False)

    def __post_init__(self):
        self._rows = {v: i for i, v in enumerate(self.volunteer_ids)}
        self._cols = {n: i for i, n in enumerate(self.need_ids)}

    def volunteer_index(self, volunteer_id: int) -> int:
        return self._rows[volunteer_id]

    def need_index(self, need_id: int) -> int:
        return self._cols[need_id]

    def factor_points(self, volunteer_ids: Sequence[int], need_ids: Sequence[int]) -> np.ndarray:
        """`pair_factor_points` of these pairs, from the preparation the scores came from."""
        if self.prepared is None:
            raise ValueError("This result keeps no preparation.")
        return _pair_points(self.prepared, volunteer_ids, need_ids)


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
    prepared = Prepared(volunteers, needs, as_weights(weights))
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
        prepared=prepared,
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


def _key_index(keys: np.ndarray) -> np.ndarray:
    """The other side's index held in keys (see `_keys`)."""
    return (_LOW32 - (keys & _LOW32)).astype(np.int64)


def _decode_lists(keys: np.ndarray, ids: Sequence[int]) -> list[list[tuple[int, float]]]:
    """Rows of keys (0 = empty slot) as lists of (id, score)."""
    index = _key_index(keys)
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
    # With `with_factors`: (volunteer id, need id) → the points of each factor (FACTORS order) of every pair
    # kept on either side, from the same preparation as the scores.
    factors: dict[tuple[int, int], list[float]] | None = None


def _stream_top_k(
    prepared: Prepared, k_per_volunteer: int, k_per_need: int, block_cells: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each side's top-K keys (see `_keys`), volunteers × k and needs × k, and the pairs counted per first
    failure among the cells evaluated."""
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
    return volunteer_best, need_best, counts


def score_top_k(
    volunteers: Sequence[VolunteerData],
    needs: Sequence[NeedData],
    weights: Weights | Mapping[str, float] | None = None,
    *,
    k_per_volunteer: int = 10,
    k_per_need: int = 10,
    block_cells: int = DEFAULT_BLOCK_CELLS,
    with_factors: bool = False,
) -> TopK:
    """The same scores as `score_matrix`, streamed block by block keeping only the top K of each side:
    memory stays O(V × k + N × k + block) however many pairs there are. With `with_factors`, also the
    factor points of the pairs kept (`TopK.factors`)."""
    prepared = Prepared(volunteers, needs, as_weights(weights))
    nv, nn = prepared.shape
    volunteer_best, need_best, counts = _stream_top_k(prepared, k_per_volunteer, k_per_need, block_cells)
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
        factors=_kept_factors(prepared, volunteer_best, need_best) if with_factors else None,
    )


@dataclass(eq=False)
class TopPairs:
    """Every pair kept in either side's top K, as aligned arrays sorted by (volunteer id, need id): what a
    store of recommendations writes, with no Python object per pair."""

    volunteer_ids: np.ndarray  # int64
    need_ids: np.ndarray  # int64
    score: np.ndarray  # float64 (exactly the float32 score)
    rank_for_volunteer: np.ndarray  # int32, 1…k, 0 when the pair is not in the volunteer's top K
    rank_for_need: np.ndarray  # int32, 1…k, 0 when the pair is not in the need's top K
    points: np.ndarray  # float32 (pairs, factors), FACTORS order; a row adds up to the score

    def __len__(self) -> int:
        return len(self.volunteer_ids)


def score_top_pairs(
    volunteers: Sequence[VolunteerData],
    needs: Sequence[NeedData],
    weights: Weights | Mapping[str, float] | None = None,
    *,
    k_per_volunteer: int = 10,
    k_per_need: int = 10,
    block_cells: int = DEFAULT_BLOCK_CELLS,
) -> TopPairs:
    """`score_top_k` with factors, as one row per kept pair (`TopPairs`) instead of dictionaries: the same
    pairs, scores, ranks and factor points, from one preparation. Volunteer and need ids must be integers."""
    prepared = Prepared(volunteers, needs, as_weights(weights))
    volunteer_best, need_best, _ = _stream_top_k(prepared, k_per_volunteer, k_per_need, block_cells)
    nn = max(len(prepared.need_ids), 1)
    v_rows, v_slots = np.nonzero(volunteer_best)
    v_keys = volunteer_best[v_rows, v_slots]
    v_cells = v_rows.astype(np.int64) * nn + _key_index(v_keys)
    n_cols, n_slots = np.nonzero(need_best)
    n_keys = need_best[n_cols, n_slots]
    n_cells = _key_index(n_keys) * nn + n_cols
    cells, first = np.unique(np.concatenate([v_cells, n_cells]), return_index=True)
    keys = np.concatenate([v_keys, n_keys])[first]
    rank_v = np.zeros(len(cells), np.int32)
    rank_v[np.searchsorted(cells, v_cells)] = v_slots + 1
    rank_n = np.zeros(len(cells), np.int32)
    rank_n[np.searchsorted(cells, n_cells)] = n_slots + 1
    rows, cols = cells // nn, cells % nn
    volunteer_ids = np.asarray(prepared.volunteer_ids, np.int64).reshape(-1)
    need_ids = np.asarray(prepared.need_ids, np.int64).reshape(-1)
    return TopPairs(
        volunteer_ids=volunteer_ids[rows],
        need_ids=need_ids[cols],
        score=((keys >> _SHIFT32) - np.uint64(1)).astype(np.uint32).view(np.float32).astype(np.float64),
        rank_for_volunteer=rank_v,
        rank_for_need=rank_n,
        points=prepared.factor_points(rows, cols),
    )


def _kept_factors(
    prepared: Prepared, volunteer_best: np.ndarray, need_best: np.ndarray
) -> dict[tuple[int, int], list[float]]:
    """The factor points of every pair held in either side's top-K keys."""
    v_rows, v_slots = np.nonzero(volunteer_best)
    n_cols, n_slots = np.nonzero(need_best)
    rows = np.concatenate([v_rows, _key_index(need_best[n_cols, n_slots])])
    cols = np.concatenate([_key_index(volunteer_best[v_rows, v_slots]), n_cols])
    nn = max(len(prepared.need_ids), 1)
    cells = np.unique(rows.astype(np.int64) * nn + cols)
    rows, cols = cells // nn, cells % nn
    points = prepared.factor_points(rows, cols).tolist()
    volunteer_ids, need_ids = prepared.volunteer_ids, prepared.need_ids
    return {
        (volunteer_ids[r], need_ids[c]): row for r, c, row in zip(rows.tolist(), cols.tolist(), points, strict=True)
    }


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
    return _pair_points(Prepared(volunteers, needs, as_weights(weights)), volunteer_ids, need_ids)


def _pair_points(prepared: Prepared, volunteer_ids: Sequence[int], need_ids: Sequence[int]) -> np.ndarray:
    if len(volunteer_ids) != len(need_ids):
        raise ValueError("volunteer_ids and need_ids must have the same length.")
    row_of = {v: i for i, v in enumerate(prepared.volunteer_ids)}
    col_of = {n: j for j, n in enumerate(prepared.need_ids)}
    rows = np.fromiter((row_of[v] for v in volunteer_ids), np.int64, count=len(volunteer_ids))
    cols = np.fromiter((col_of[n] for n in need_ids), np.int64, count=len(need_ids))
    return prepared.factor_points(rows, cols)
