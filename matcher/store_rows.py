"""Recommendation rows in bulk, for the store's refreshes: compare, then write only what changed.

A refresh holds the rows it wants as aligned numpy arrays (`Rows`), never one Python object per row, and
compares them with the stored rows through each row's `fingerprint` (a hash of score, ranks and factors),
without reading back or decoding the stored values. Only new, changed and vanished rows are written:

* PostgreSQL: new rows by COPY straight into the table; changed rows by COPY into a temporary table, applied
  by one UPDATE … FROM (`Writer.finish`: all blocks' at once, or each block's in a full refresh, whose blocks
  a background thread writes while the next one is scored, `BackgroundWriter`); vanished rows by one
  DELETE … WHERE id = ANY(array) per block. COPY reads its lines from a generator a chunk of rows at a time, so no whole
  CSV buffer is ever held. No index holds a rewritten column and the table keeps room on its pages (its
  migration sets the fill factor), so an UPDATE rewrites rows in place without touching any index;
* elsewhere (SQLite): bulk_create, bulk_create(update_conflicts=True) and DELETE … WHERE id IN (…), a batch
  at a time.

On PostgreSQL the number of statements per block does not depend on the number of rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import QuerySet

from . import engine
from .models import Recommendation

_BATCH = 2_000  # rows per statement where there is no COPY
_CHUNK = 10_000  # rows formatted at a time for COPY
_UPDATED = ["score", "rank_for_volunteer", "rank_for_need", "factors", "fingerprint", "computed_at"]
# The table names are spelled out in the statements below (Recommendation's db_table is fixed).
_TEMPORARY = "matcher_recommendation_changed"
_NULL = "\\N"  # NULL in COPY's text format

# Factors are stored in the key order PostgreSQL's jsonb gives back (shorter keys first), so that they read
# back in the same order on every database.
JSON_ORDER = sorted(range(len(engine.FACTORS)), key=lambda i: (len(engine.FACTORS[i]), engine.FACTORS[i]))
JSON_NAMES = [engine.FACTORS[i] for i in JSON_ORDER]


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit changes about half of the output bits."""
    values = values ^ (values >> np.uint64(30))
    values *= np.uint64(0xBF58476D1CE4E5B9)
    values ^= values >> np.uint64(27)
    values *= np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def fingerprints(
    score: np.ndarray, rank_for_volunteer: np.ndarray, rank_for_need: np.ndarray, factors: np.ndarray
) -> np.ndarray:
    """The fingerprint of each row (int64): ranks are 0 when unset, factors in stored key order with two
    decimals. Equal rows give equal fingerprints on every database; a change in any value changes it."""
    columns = [
        np.ascontiguousarray(score, np.float64).view(np.uint64),
        rank_for_volunteer.astype(np.uint64),
        rank_for_need.astype(np.uint64),
        *np.rint(np.asarray(factors, np.float64) * 100).astype(np.int64).view(np.uint64).T,
    ]
    value = np.full(len(score), 0x9E3779B97F4A7C15, np.uint64)
    for column in columns:
        value = _mix(value ^ column)
    return value.view(np.int64)


@dataclass
class Rows:
    """Recommendation rows as aligned arrays."""

    volunteer_ids: np.ndarray  # int64
    need_ids: np.ndarray  # int64
    score: np.ndarray  # float64
    rank_for_volunteer: np.ndarray  # int32, 0 for none
    rank_for_need: np.ndarray  # int32, 0 for none
    factors: np.ndarray  # float64 (rows, factors) in stored key order (JSON_NAMES), two decimals
    fingerprint: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.volunteer_ids)

    def __getitem__(self, index) -> Rows:
        return Rows(
            self.volunteer_ids[index],
            self.need_ids[index],
            self.score[index],
            self.rank_for_volunteer[index],
            self.rank_for_need[index],
            self.factors[index],
            self.fingerprint[index],
        )

    @property
    def keys(self) -> np.ndarray:
        """(volunteer id, need id) as one int64 each."""
        return (self.volunteer_ids << 32) | self.need_ids

    @classmethod
    def build(cls, volunteer_ids, need_ids, score, rank_for_volunteer, rank_for_need, factors) -> Rows:
        score = np.asarray(score, np.float64)
        rank_for_volunteer = np.asarray(rank_for_volunteer, np.int32)
        rank_for_need = np.asarray(rank_for_need, np.int32)
        return cls(
            np.asarray(volunteer_ids, np.int64),
            np.asarray(need_ids, np.int64),
            score,
            rank_for_volunteer,
            rank_for_need,
            factors,
            fingerprints(score, rank_for_volunteer, rank_for_need, factors),
        )

    @classmethod
    def from_pairs(cls, pairs: engine.TopPairs) -> Rows:
        """The rows of the engine's top pairs, factors rounded to two decimals as stored."""
        # Adding 0.0 turns -0.0 into 0.0.
        factors = (np.round(pairs.points.astype(np.float64), 2) + 0.0)[:, JSON_ORDER]
        return cls.build(
            pairs.volunteer_ids, pairs.need_ids, pairs.score, pairs.rank_for_volunteer, pairs.rank_for_need, factors
        )

    @classmethod
    def from_values(cls, items: Iterable[tuple[tuple[int, int], list]]) -> Rows:
        """Rows from ((volunteer id, need id), [score, rank_for_volunteer, rank_for_need, factors dict])."""
        items = list(items)
        factors = np.array(
            [[value[3].get(name, 0.0) for name in JSON_NAMES] for _, value in items], np.float64
        ).reshape(len(items), len(JSON_NAMES))
        return cls.build(
            [key[0] for key, _ in items],
            [key[1] for key, _ in items],
            [value[0] for _, value in items],
            [value[1] or 0 for _, value in items],
            [value[2] or 0 for _, value in items],
            factors,
        )


@dataclass
class Stored:
    """Stored rows as aligned arrays: primary key, (volunteer id, need id) as one int64, fingerprint."""

    pk: np.ndarray
    keys: np.ndarray
    fingerprint: np.ndarray

    @classmethod
    def read(cls, queryset) -> Stored:
        """The rows of `queryset`, fetched in one go (a block holds a few hundred thousand at most)."""
        columns = queryset.order_by().values_list("pk", "volunteer_id", "need_id", "fingerprint")
        sql, params = columns.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cls.of(cursor.fetchall())

    @classmethod
    def of(cls, rows: Iterable[tuple[int, int, int, int]]) -> Stored:
        """From (pk, volunteer id, need id, fingerprint) tuples."""
        found = np.array(list(rows), np.int64).reshape(-1, 4)
        return cls(found[:, 0], (found[:, 1] << 32) | found[:, 2], found[:, 3])


class Writer:
    """Makes the stored rows of each block a refresh hands it equal the rows it wants (`write`), then applies
    the updates it collected (`finish`), inside the caller's transaction."""

    def __init__(self, *, now: datetime.datetime):
        self.now = now
        self._updates_pending = False  # changed rows waiting in the temporary table (PostgreSQL)

    def write(self, stored: Stored, wanted: Rows) -> tuple[int, int]:
        """Delete the stored rows `wanted` lacks, update the rows whose fingerprint differs (at `finish` on
        PostgreSQL), insert the new ones; rows that are the same are not touched. Returns (rows written,
        rows deleted)."""
        wanted_keys = wanted.keys
        order = np.argsort(stored.keys, kind="stable")
        keys, pks, prints = stored.keys[order], stored.pk[order], stored.fingerprint[order]
        position = np.minimum(np.searchsorted(keys, wanted_keys), max(len(keys) - 1, 0))
        found = keys[position] == wanted_keys if len(keys) else np.zeros(len(wanted), bool)
        changed = found & (prints[position] != wanted.fingerprint) if len(keys) else found
        gone = stored.pk[~np.isin(stored.keys, wanted_keys)]
        if len(gone):
            _delete_rows(gone)
        if changed.any():
            self._updates_pending |= _update_rows(pks[position[changed]], wanted[changed], now=self.now)
        new = ~found
        if new.any():
            _insert_rows(wanted[new], now=self.now)
        return int(changed.sum() + new.sum()), len(gone)

    def finish(self) -> None:
        """Apply the collected updates: one UPDATE … FROM for every block."""
        if not self._updates_pending:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE matcher_recommendation AS stored SET score = changed.score, "
                "rank_for_volunteer = changed.rank_for_volunteer, rank_for_need = changed.rank_for_need, "
                "factors = changed.factors, fingerprint = changed.fingerprint, computed_at = %s "
                "FROM matcher_recommendation_changed AS changed WHERE stored.id = changed.id",
                [self.now],
            )
            # Emptied for the next refresh in the same transaction (tests, nested calls).
            cursor.execute(f"TRUNCATE {_TEMPORARY}")
        self._updates_pending = False


class BackgroundWriter:
    """A full refresh's writes, one block after another in a background thread, on the caller's connection and
    inside its transaction, while the caller scores the next block: the database stores one profession's rows
    as the engine works on the next one, so the two cores work at once. Each block's stored rows are read,
    compared and written (`Writer.write`), and its changed rows applied (`Writer.finish`), in the thread.

    At most one block is being written while the caller holds the next (memory: two blocks' rows at a time).
    The caller must not use the database between the first `submit` and `close`; an error in the thread is
    raised by the next `submit` or by `close`, so the caller's transaction is rolled back."""

    def __init__(self, *, now: datetime.datetime):
        self._writer = Writer(now=now)
        self._connection = connections[DEFAULT_DB_ALIAS]
        # The rows' foreign keys are checked as each block is written, in the thread while the next block is
        # scored, rather than all at the commit, where nothing else can go on.
        self._foreign_keys = _foreign_key_constraints()
        _check_constraints(self._foreign_keys, "IMMEDIATE")
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recommendation-writer")
        self._pending: Future | None = None
        self._connection.inc_thread_sharing()

    def _write(self, stored_rows: QuerySet[Recommendation], wanted: Rows) -> tuple[int, int]:
        connections[DEFAULT_DB_ALIAS] = self._connection  # this thread uses the caller's connection
        result = self._writer.write(Stored.read(stored_rows), wanted)
        self._writer.finish()
        return result

    def submit(self, stored_rows: QuerySet[Recommendation], wanted: Rows) -> Future:
        """Write `wanted` over the block's `stored_rows` once the previous block is written; a future of
        (rows written, rows deleted)."""
        if self._pending is not None:
            self._pending.result()
        self._pending = self._thread.submit(self._write, stored_rows, wanted)
        return self._pending

    def close(self) -> None:
        """Waits for the last block; the caller may use the database again."""
        try:
            if self._pending is not None:
                self._pending.result()
        finally:
            self._thread.shutdown(wait=True)
            self._connection.dec_thread_sharing()
        # Back to Django's default for the rest of the caller's transaction.
        _check_constraints(self._foreign_keys, "DEFERRED")


def _foreign_key_constraints() -> list[str]:
    """The names of the table's foreign keys on PostgreSQL (Django makes them deferred to the commit)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Recommendation._meta.db_table)
    return sorted(name for name, constraint in constraints.items() if constraint["foreign_key"])


def _check_constraints(names: list[str], when: str) -> None:
    if names:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {', '.join(map(connection.ops.quote_name, names))} {when}")


def write(stored: Stored, wanted: Rows, *, now: datetime.datetime) -> tuple[int, int]:
    """`Writer.write` and `Writer.finish` of one block."""
    writer = Writer(now=now)
    result = writer.write(stored, wanted)
    writer.finish()
    return result


def _can_copy(cursor) -> bool:
    """Whether the driver's cursor can COPY (psycopg2 on PostgreSQL)."""
    return connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy_expert")


class _Lines:
    """A read()-able file of COPY text lines, formatted a chunk of rows at a time as COPY asks. Each read
    returns the next whole chunk whatever size is asked for (the driver sends what it gets), so no string
    is ever sliced or copied again."""

    def __init__(self, chunks: Iterator[str]):
        self._chunks = chunks

    def read(self, size: int = -1) -> str:
        return next(self._chunks, "")

    readline = read


def _texts(values: np.ndarray) -> np.ndarray:
    """repr() of each float (what json.dumps writes), computed once per distinct value: scores and factor
    points with two decimals repeat a lot, and formatting floats is most of the cost of a COPY."""
    distinct, index = np.unique(values, return_inverse=True)
    return np.array([repr(value) for value in distinct.tolist()] + [""], dtype=object)[index.reshape(values.shape)]


def _rank_texts(ranks: np.ndarray) -> np.ndarray:
    return np.array([_NULL, *map(str, range(1, int(ranks.max(initial=0)) + 1))], dtype=object)[ranks]


def _copy_text(rows: Rows, *, pks: np.ndarray | None, now: datetime.datetime) -> Iterator[str]:
    """COPY text format lines, a chunk at a time: new rows (volunteer, need, score, ranks, factors, fingerprint,
    time) or, with `pks`, changed ones (pk, score, ranks, factors, fingerprint); \\N for an unset rank."""
    factors = "{" + ", ".join(f'"{name}": %s' for name in JSON_NAMES) + "}"
    if pks is None:
        line = f"%d\t%d\t%s\t%s\t%s\t{factors}\t%d\t{now.isoformat().replace('%', '%%')}\n"
    else:
        line = f"%d\t%s\t%s\t%s\t{factors}\t%d\n"
    for start in range(0, len(rows), _CHUNK):
        part = rows[start : start + _CHUNK]
        keys = (
            [part.volunteer_ids.tolist(), part.need_ids.tolist()]
            if pks is None
            else [pks[start : start + _CHUNK].tolist()]
        )
        columns = [
            *keys,
            _texts(part.score).tolist(),
            _rank_texts(part.rank_for_volunteer).tolist(),
            _rank_texts(part.rank_for_need).tolist(),
            *_texts(part.factors).T.tolist(),
            part.fingerprint.tolist(),
        ]
        yield "".join([line % values for values in zip(*columns, strict=True)])


def _instances(rows: Rows, *, now: datetime.datetime) -> list[Recommendation]:
    return [
        Recommendation(
            volunteer_id=v,
            need_id=n,
            score=score,
            rank_for_volunteer=rv or None,
            rank_for_need=rn or None,
            factors=dict(zip(JSON_NAMES, factors, strict=True)),
            fingerprint=fp,
            computed_at=now,
        )
        for v, n, score, rv, rn, factors, fp in zip(
            rows.volunteer_ids.tolist(),
            rows.need_ids.tolist(),
            rows.score.tolist(),
            rows.rank_for_volunteer.tolist(),
            rows.rank_for_need.tolist(),
            rows.factors.tolist(),
            rows.fingerprint.tolist(),
            strict=True,
        )
    ]


def _table() -> str:
    return connection.ops.quote_name(Recommendation._meta.db_table)


def _insert_rows(rows: Rows, *, now: datetime.datetime) -> None:
    """Insert new rows: COPY on PostgreSQL, where bulk_create costs about three times as much (most of it in
    preparing each value in Python) and a refresh into an empty table inserts every row."""
    with connection.cursor() as cursor:
        if not _can_copy(cursor):
            Recommendation.objects.bulk_create(_instances(rows, now=now), batch_size=_BATCH)
            return
        columns = ("volunteer_id", "need_id", "score", "rank_for_volunteer", "rank_for_need", "factors")
        names = ", ".join(connection.ops.quote_name(name) for name in (*columns, "fingerprint", "computed_at"))
        lines = _Lines(_copy_text(rows, pks=None, now=now))
        cursor.cursor.copy_expert(f"COPY {_table()} ({names}) FROM STDIN", lines)


def _update_rows(pks: np.ndarray, rows: Rows, *, now: datetime.datetime) -> bool:
    """Overwrite the rows with these primary keys: at once (an upsert on their pair), or on PostgreSQL copied
    into a temporary table for `Writer.finish` to apply (then returns True)."""
    with connection.cursor() as cursor:
        if not _can_copy(cursor):
            # INSERT … ON CONFLICT DO UPDATE on the (volunteer, need) pair: the row keeps its primary key, and
            # SQLite runs it far faster than bulk_update's CASE WHEN per field.
            Recommendation.objects.bulk_create(
                _instances(rows, now=now),
                batch_size=_BATCH,
                update_conflicts=True,
                unique_fields=["volunteer", "need"],
                update_fields=_UPDATED,
            )
            return False
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_TEMPORARY} (id bigint, score double precision, "
            "rank_for_volunteer smallint, rank_for_need smallint, factors jsonb, fingerprint bigint) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert(f"COPY {_TEMPORARY} FROM STDIN", _Lines(_copy_text(rows, pks=pks, now=now)))
        return True


def _delete_rows(pks: np.ndarray) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM matcher_recommendation WHERE id = ANY(%s::bigint[])",
                ["{" + ",".join(map(str, pks.tolist())) + "}"],
            )
        return
    ids = pks.tolist()
    for start in range(0, len(ids), _BATCH):
        Recommendation.objects.filter(pk__in=ids[start : start + _BATCH]).delete()
