"""The matcher's database side: stored recommendations of needs to volunteers and of volunteers to needs.

Loads volunteers and needs into the engine's records (matcher.loader), scores
them with `matcher.engine` and stores each side's best pairs as `Recommendation` rows:

* every candidate volunteer keeps its MATCHING_TOP_K best eligible needs (`rank_for_volunteer` 1…K);
* every candidate need keeps its MATCHING_TOP_K best eligible volunteers (`rank_for_need` 1…K);
* a row exists while either rank is set; `factors` holds the points each soft factor gave (they add up
  to `score`), `computed_at` the time the row last changed.

Writes are atomic. A refresh computes the rows it is responsible for, compares them with the stored ones
by fingerprint and, in one transaction, deletes the rows that went, updates the changed ones in place and
inserts the new ones (`matcher.store_rows`): either the whole new result is in place or, if anything
fails, the previous one is untouched. Unchanged rows are left as they are, so running a refresh twice
leaves the same rows. The full refresh works one profession at a time (every pair the engine can rank
shares one), each block scored from one preparation of the engine and held as numpy arrays, so it holds
one profession's rows in memory, never the whole table's. It skips a profession whose inputs (its candidate
volunteers' and needs' records, the weights, K and the engine's code) give the digest its last full refresh
recorded, as long as its stored rows still add up to the count and checksum that refresh left
(`RecommendationBlock`): a partial refresh, a deletion or any edit of those rows changes them, so such a
profession is recomputed. A partial refresh prepares the engine once too:
the factor points of its new rows come from the preparation that scored them. On PostgreSQL a
refresh holds a transaction-level advisory lock from its first read to its commit, so two refreshes never
interleave and each one reads what the previous one wrote.

Three scopes: everything (`recommendations_refresh`: nightly and from the admin), some volunteers
(`recommendations_refresh_volunteers`: after a profile, availability or credential change) and some needs
(`recommendations_refresh_needs`: after a need changes). A partial refresh recomputes its own side
completely and merges its new scores into the other side's stored rankings. When someone drops out of
another entity's full top K and the next in line is not stored, that entity is refreshed later
(`RefreshSummary.incomplete_*`, enqueued once the transaction commits).

Refreshes are enqueued by every app through `globalir.refresh` (the task outbox, by task name, coalesced).
"""

import datetime
import functools
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from globalir.refresh import recommendations_refresh_needs_later
from volunteers.services import profiles_recommendations_refresh_later

from . import engine
from .loader import candidate_needs, candidate_volunteers, matching_top_k, matching_weights, needs_data, volunteers_data
from .models import Recommendation, RecommendationBlock
from .store_rows import JSON_NAMES, JSON_ORDER, BackgroundWriter, Rows, Stored, write

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key shared by every refresh (any 64-bit number that nothing else uses).
_LOCK_KEY = 4_707_152_030_517_301


@dataclass
class RefreshSummary:
    """What a refresh did. `incomplete_*` name the entities whose stored ranking it left short (their
    refresh is enqueued); `seconds` times its phases (read, score, write, total)."""

    scope: str  # "all", "volunteers" or "needs"
    volunteers: int = 0  # engine records loaded
    needs: int = 0
    rows: int = 0  # rows the refresh is responsible for, after it
    inserted: int = 0  # rows written: new ones and changed ones (updated in place)
    deleted: int = 0  # rows removed
    incomplete_volunteers: list[int] = field(default_factory=list)
    incomplete_needs: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # professions whose inputs and rows had not changed
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted


# A row as the refresh wants it, keyed by (volunteer id, need id): [score, rank_for_volunteer,
# rank_for_need, factors as a dict, or None until computed].
Key = tuple[int, int]


@dataclass
class _Stored:
    pk: int
    score: float
    rank_for_volunteer: int | None
    rank_for_need: int | None
    factors: dict
    fingerprint: int

    def value(self) -> tuple:
        return (self.score, self.rank_for_volunteer, self.rank_for_need, self.factors)


def _lock() -> None:
    """Serialise refreshes (PostgreSQL; SQLite lets one writer in at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _stored_rows(rows: QuerySet[Recommendation]) -> dict[Key, _Stored]:
    return {
        (volunteer_id, need_id): _Stored(pk, score, rank_v, rank_n, factors, fingerprint)
        for pk, volunteer_id, need_id, score, rank_v, rank_n, factors, fingerprint in rows.order_by().values_list(
            "pk", "volunteer_id", "need_id", "score", "rank_for_volunteer", "rank_for_need", "factors", "fingerprint"
        )
    }


def _fill_factors(wanted: dict[Key, list], result: engine.ScoreResult) -> None:
    """Compute the factor points of the wanted rows that have none yet (vectorised, in one call, from the
    preparation that gave the scores)."""
    missing = [key for key, value in wanted.items() if value[3] is None]
    if not missing:
        return
    points = result.factor_points([v for v, _ in missing], [n for _, n in missing])
    rounded = (np.round(points.astype(np.float64), 2) + 0.0)[:, JSON_ORDER]  # + 0.0 turns -0.0 into 0.0
    for key, row in zip(missing, rounded.tolist(), strict=True):
        wanted[key][3] = dict(zip(JSON_NAMES, row, strict=True))


def _write(stored: dict[Key, _Stored], wanted: dict[Key, list], *, now: datetime.datetime) -> tuple[int, int]:
    """A partial refresh's write: `store_rows.write` of its rows."""
    return write(
        Stored.of((row.pk, *key, row.fingerprint) for key, row in stored.items()),
        Rows.from_values(wanted.items()),
        now=now,
    )


def _professions(
    volunteers: Iterable[engine.VolunteerData], needs: Iterable[engine.NeedData]
) -> dict[str, tuple[list[engine.VolunteerData], list[engine.NeedData]]]:
    """The records grouped by profession, for the professions some need asks for: the engine only ranks
    pairs that share one, so each group is scored and stored on its own."""
    groups: dict[str, tuple[list, list]] = {}
    for need in needs:
        groups.setdefault(need.profession, ([], []))[1].append(need)
    for volunteer in volunteers:
        if volunteer.profession in groups:
            groups[volunteer.profession][0].append(volunteer)
    return groups


# A block's checksum adds its rows' fingerprints modulo this prime, so that the sum fits in 64 bits on every
# database (SQLite's SUM fails on overflow); PostgreSQL's and SQLite's % and numpy's fmod all keep the sign
# of the fingerprint, so the three agree.
_CHECKSUM_MODULUS = 2_147_483_647


@functools.cache
def _engine_code() -> bytes:
    """The source of the code that turns inputs into rows: a new release that scores differently changes
    every block's digest, so nothing is skipped on its first refresh."""
    here = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    modules = [here / name for name in ("store.py", "store_rows.py", "loader.py")]
    for path in [*sorted((here / "engine").glob("*.py")), *modules]:
        digest.update(path.read_bytes())
    return digest.digest()


def _canonical(value):
    """A value whose repr() is the same in every process: sets and dicts sorted (string hashes differ from
    one process to the next, and so does the order of a set of strings)."""
    if isinstance(value, frozenset | set):
        return tuple(sorted(value))
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return value


def _record(record) -> tuple:
    return tuple(_canonical(getattr(record, item.name)) for item in fields(record))


def _inputs_digest(
    volunteers: list[engine.VolunteerData], needs: list[engine.NeedData], weights: engine.Weights, k: int
) -> str:
    """A digest of everything a profession's rows are computed from."""
    digest = hashlib.blake2b(_engine_code(), digest_size=32)
    digest.update(repr((_record(weights), k)).encode())
    for records in (volunteers, needs):
        digest.update(repr(sorted(_record(record) for record in records)).encode())
    return digest.hexdigest()


def _checksum(fingerprint: np.ndarray) -> int:
    return int(np.fmod(fingerprint, _CHECKSUM_MODULUS).sum())


def _stored_blocks() -> dict[str, tuple[int, int]]:
    """Each profession's stored rows as (count, checksum), in one query."""
    # The table names are spelled out (the models' db_table are fixed, as in matcher.store_rows).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT need.profession, COUNT(*), SUM(stored.fingerprint %% %s) FROM matcher_recommendation stored "
            "INNER JOIN programmes_need need ON need.id = stored.need_id GROUP BY need.profession",
            [_CHECKSUM_MODULUS],
        )
        return {profession: (count, int(total)) for profession, count, total in cursor.fetchall()}


def recommendations_refresh(*, today: datetime.date | None = None) -> RefreshSummary:
    """Recompute every candidate volunteer's and need's top K and store them in one transaction; rows of
    volunteers and needs that are no longer candidates go. Professions whose inputs and stored rows are as
    the last full refresh left them are skipped (see the module's docstring)."""
    summary = RefreshSummary(scope="all")
    weights, k = matching_weights(), matching_top_k()
    started = time.perf_counter()
    with transaction.atomic():
        _lock()
        volunteers = volunteers_data(candidate_volunteers())
        needs = needs_data(candidate_needs(today=today))
        summary.volunteers, summary.needs = len(volunteers), len(needs)
        blocks = {block.profession: block for block in RecommendationBlock.objects.all()}
        stored_blocks = _stored_blocks()
        read = time.perf_counter()
        scoring = 0.0
        now = timezone.now()
        groups = _professions(volunteers, needs)
        professions = set(groups)
        del volunteers, needs
        fresh: list[RecommendationBlock] = []
        written: list[tuple[Future, int]] = []  # each scored block's write, with its number of rows
        writer = BackgroundWriter(now=now)
        # Smallest block first: the database writes each block while the engine scores the next one, so the first
        # block's scoring is the only one nothing else overlaps.
        order = sorted(groups, key=lambda name: (len(groups[name][0]) * len(groups[name][1]), name))
        try:
            for profession in order:
                block_volunteers, block_needs = groups.pop(profession)
                start = time.perf_counter()
                inputs = _inputs_digest(block_volunteers, block_needs, weights, k)
                block = blocks.get(profession)
                if (
                    block is not None
                    and block.inputs == inputs
                    and stored_blocks.get(profession, (0, 0)) == (block.rows, block.checksum)
                ):
                    summary.skipped.append(profession)
                    summary.rows += block.rows
                    scoring += time.perf_counter() - start
                    continue
                wanted = Rows.from_pairs(
                    engine.score_top_pairs(block_volunteers, block_needs, weights, k_per_volunteer=k, k_per_need=k)
                )
                del block_volunteers, block_needs
                scoring += time.perf_counter() - start
                fresh.append(
                    RecommendationBlock(
                        profession=profession,
                        inputs=inputs,
                        rows=len(wanted),
                        checksum=_checksum(wanted.fingerprint),
                        refreshed_at=now,
                    )
                )
                # The block's stored rows: those of its needs (a need's rows all share its profession).
                written.append(
                    (writer.submit(Recommendation.objects.filter(need__profession=profession), wanted), len(wanted))
                )
                del wanted
        finally:
            writer.close()
        for future, rows in written:
            inserted, deleted = future.result()
            summary.inserted += inserted
            summary.deleted += deleted
            summary.rows += rows
        # Rows of needs that are no longer candidates.
        summary.deleted += Recommendation.objects.exclude(need__in=candidate_needs(today=today).values("pk")).delete()[
            0
        ]
        RecommendationBlock.objects.exclude(profession__in=sorted(professions)).delete()
        if fresh:
            RecommendationBlock.objects.bulk_create(
                fresh,
                update_conflicts=True,
                unique_fields=["profession"],
                update_fields=["inputs", "rows", "checksum", "refreshed_at"],
            )
    finished = time.perf_counter()
    summary.skipped.sort()
    summary.seconds = {
        "read": read - started,
        "score": scoring,
        "write": finished - read - scoring,
        "total": finished - started,
    }
    logger.info(
        "Recommendations refreshed: %s volunteers, %s needs, %s rows (%s inserted, %s deleted, %s professions "
        "unchanged) in %.1f s",
        summary.volunteers,
        summary.needs,
        summary.rows,
        summary.inserted,
        summary.deleted,
        len(summary.skipped),
        summary.seconds["total"],
    )
    return summary


@dataclass(frozen=True)
class _Side:
    """Which side a partial refresh recomputes: field names and positions in the (volunteer, need) key
    and in a wanted row."""

    scope: str
    own: int  # 0 volunteer, 1 need
    own_field: str
    other_field: str
    own_rank_field: str
    other_rank_field: str

    @property
    def own_rank(self) -> int:
        return 1 + self.own

    @property
    def other_rank(self) -> int:
        return 2 - self.own

    def key(self, own: int, other: int) -> Key:
        return (own, other) if self.own == 0 else (other, own)


_VOLUNTEER_SIDE = _Side("volunteers", 0, "volunteer_id", "need_id", "rank_for_volunteer", "rank_for_need")
_NEED_SIDE = _Side("needs", 1, "need_id", "volunteer_id", "rank_for_need", "rank_for_volunteer")


def _affected_others(side: _Side, own_ids: set[int], fresh: dict[int, dict[int, float]], k: int) -> set[int]:
    """The other-side ids whose top K the refresh may change: those the own side was ranked by before,
    and those it now beats the K-th of (or whose list is not full). One query each."""
    affected = set(
        Recommendation.objects.filter(
            **{f"{side.own_field}__in": own_ids, f"{side.other_rank_field}__isnull": False}
        ).values_list(side.other_field, flat=True)
    )
    reached = {other for scored in fresh.values() for other in scored}
    kth = {
        other: (score, own)
        for other, own, score in Recommendation.objects.filter(
            **{f"{side.other_field}__in": sorted(reached), side.other_rank_field: k}
        ).values_list(side.other_field, side.own_field, "score")
    }
    for own, scored in fresh.items():
        for other, score in scored.items():
            cutoff = kth.get(other)
            if cutoff is None or (-score, own) < (-cutoff[0], cutoff[1]) or cutoff[1] in own_ids:
                affected.add(other)
    return affected


def _merge(
    side: _Side,
    own_ids: set[int],
    fresh: dict[int, dict[int, float]],
    stored: dict[Key, _Stored],
    affected: set[int],
    k: int,
) -> tuple[dict[Key, list], set[int]]:
    """The rows a partial refresh wants for its scope — every row of the own side, and the ranked rows
    of the affected other side — and the other-side ids whose top K it left short."""
    wanted: dict[Key, list] = {}
    for own in own_ids:
        ranked = sorted(fresh.get(own, {}).items(), key=lambda item: (-item[1], item[0]))
        for rank, (other, score) in enumerate(ranked[:k], 1):
            row = wanted[side.key(own, other)] = [score, None, None, None]
            row[side.own_rank] = rank

    ranked_rows: dict[int, list[tuple[int, _Stored]]] = defaultdict(list)
    for key, row in stored.items():
        if getattr(row, side.other_rank_field) is not None and key[side.own] not in own_ids:
            ranked_rows[key[1 - side.own]].append((key[side.own], row))
    # Each affected ranking as it stood: its length and its last entry, as a sort key (-score, own id).
    ranked_before: dict[int, int] = defaultdict(int)
    last_before: dict[int, tuple[float, int]] = {}
    for key, row in stored.items():
        if getattr(row, side.other_rank_field) is not None:
            other, entry = key[1 - side.own], (-row.score, key[side.own])
            ranked_before[other] += 1
            last_before[other] = max(entry, last_before.get(other, entry))

    incomplete = set()
    for other in affected:
        entries = ranked_rows.get(other, [])
        candidates = [(row.score, own) for own, row in entries]
        candidates += [(fresh[own][other], own) for own in own_ids if other in fresh.get(own, {})]
        candidates.sort(key=lambda item: (-item[0], item[1]))
        top = candidates[:k]
        new_rank = {own: rank for rank, (_, own) in enumerate(top, 1)}
        # Everyone missing from a full top K ranked after its last entry. When the new top K is short, or
        # ends after that entry (someone fell back), one of them may belong in it: recompute it later.
        if ranked_before[other] >= k and (len(top) < k or (-top[-1][0], top[-1][1]) > last_before[other]):
            incomplete.add(other)
        for own in own_ids:
            rank = new_rank.get(own)
            if rank is not None:
                row = wanted.setdefault(side.key(own, other), [fresh[own][other], None, None, None])
                row[side.other_rank] = rank
        for own, row in entries:
            value = [row.score, row.rank_for_volunteer, row.rank_for_need, row.factors]
            value[side.other_rank] = new_rank.get(own)
            if value[1] is not None or value[2] is not None:
                wanted[side.key(own, other)] = value
    return wanted, incomplete


def _refresh_partial(
    side: _Side,
    own_ids: Collection[int],
    load: Callable[[set[int]], tuple[list[engine.VolunteerData], list[engine.NeedData]]],
) -> RefreshSummary:
    summary = RefreshSummary(scope=side.scope)
    own_ids = set(own_ids)
    if not own_ids:
        return summary
    weights, k = matching_weights(), matching_top_k()
    started = time.perf_counter()
    with transaction.atomic():
        _lock()
        volunteers, needs = load(own_ids)
        summary.volunteers, summary.needs = len(volunteers), len(needs)
        read = time.perf_counter()
        result = engine.score_matrix(volunteers, needs, weights)
        fresh: dict[int, dict[int, float]] = defaultdict(dict)
        rows, cols = np.nonzero(result.eligible)
        scores = result.score[rows, cols].tolist()
        for i, j, score in zip(rows.tolist(), cols.tolist(), scores, strict=True):
            volunteer_id, need_id = result.volunteer_ids[i], result.need_ids[j]
            own, other = (volunteer_id, need_id) if side.own == 0 else (need_id, volunteer_id)
            if own in own_ids:
                fresh[own][other] = score
        affected = _affected_others(side, own_ids, fresh, k)
        # The scope: every row of the own side, and the ranked rows of the affected other side.
        scope = Q(**{f"{side.own_field}__in": sorted(own_ids)})
        if affected:
            scope |= Q(**{f"{side.other_field}__in": sorted(affected), f"{side.other_rank_field}__isnull": False})
        stored = _stored_rows(Recommendation.objects.filter(scope))
        wanted, incomplete = _merge(side, own_ids, fresh, stored, affected, k)
        _fill_factors(wanted, result)
        del result
        scored = time.perf_counter()
        summary.inserted, summary.deleted = _write(stored, wanted, now=timezone.now())
        summary.rows = len(wanted)
        if side.own == 0:
            summary.incomplete_needs = sorted(incomplete)
            recommendations_refresh_needs_later(need_ids=summary.incomplete_needs)
        else:
            summary.incomplete_volunteers = sorted(incomplete)
            profiles_recommendations_refresh_later(summary.incomplete_volunteers)
    finished = time.perf_counter()
    summary.seconds = {
        "read": read - started,
        "score": scored - read,
        "write": finished - scored,
        "total": finished - started,
    }
    return summary


def recommendations_refresh_volunteers(
    *, volunteer_ids: Collection[int], today: datetime.date | None = None
) -> RefreshSummary:
    """Recompute these volunteers' top K against every candidate need of their professions, merge their new
    scores into those needs' rankings, and store it all in one transaction. A volunteer who is no longer a
    candidate (consent withdrawn, account closed) loses their rows."""

    def load(ids: set[int]):
        volunteers = volunteers_data(candidate_volunteers().filter(pk__in=sorted(ids)))
        professions = sorted({volunteer.profession for volunteer in volunteers})
        needs = needs_data(candidate_needs(today=today).filter(profession__in=professions)) if professions else []
        return volunteers, needs

    return _refresh_partial(_VOLUNTEER_SIDE, volunteer_ids, load)


def recommendations_refresh_needs(*, need_ids: Collection[int], today: datetime.date | None = None) -> RefreshSummary:
    """Recompute these needs' top K against every candidate volunteer of their professions, merge their new
    scores into those volunteers' rankings, and store it all in one transaction. A need that is no longer
    a candidate (closed, filled, past its deadline, unpublished) loses its rows."""

    def load(ids: set[int]):
        needs = needs_data(candidate_needs(today=today).filter(pk__in=sorted(ids)))
        professions = sorted({need.profession for need in needs})
        volunteers = volunteers_data(candidate_volunteers().filter(profession__in=professions)) if professions else []
        return volunteers, needs

    return _refresh_partial(_NEED_SIDE, need_ids, load)
