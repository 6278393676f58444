"""Recommendation rows in bulk, for the store's refreshes: compare, then write only what changed.

A refresh holds the rows it wants as aligned numpy arrays (`Rows`), never one Python object per row, and
compares them with the stored rows through each row's `fingerprint` (a hash of score, ranks and factors)
without reading back or decoding the stored values. Only new, changed and vanished rows are written:

* PostgreSQL: new rows by COPY straight into the table; changed rows by COPY into a temporary table, then
  one UPDATE … FROM; vanished rows by one DELETE … WHERE id = ANY(array). COPY reads the rows from a
  generator a chunk at a time, so no whole CSV buffer is ever held;
* elsewhere (SQLite): bulk_create, bulk_update and DELETE … WHERE id IN (…), a batch at a time.

Each statement count is the same whatever the number of rows on PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from django.db import connection

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
# The stored JSON text of a row's factors; %r of a float is what json.dumps writes.
_JSON_FORMAT = "{" + ", ".join(f'"{name}": %r' for name in JSON_NAMES) + "}"


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

    def records(self, start: int = 0, stop: int | None = None) -> Iterator[tuple]:
        """(volunteer id, need id, score, rank_for_volunteer, rank_for_need, factors JSON text) of a slice,
        ranks None when unset."""
        part = slice(start, stop)
        ranks_v = [rank or None for rank in self.rank_for_volunteer[part].tolist()]
        ranks_n = [rank or None for rank in self.rank_for_need[part].tolist()]
        texts = [_JSON_FORMAT % tuple(row) for row in self.factors[part].tolist()]
        return zip(
            self.volunteer_ids[part].tolist(),
            self.need_ids[part].tolist(),
            self.score[part].tolist(),
            ranks_v,
            ranks_n,
            texts,
            strict=True,
        )


@dataclass
class Stored:
    """Stored rows as aligned arrays: primary key, (volunteer id, need id) as one int64, fingerprint."""

    pk: np.ndarray
    keys: np.ndarray
    fingerprint: np.ndarray

    @classmethod
    def read(cls, queryset) -> Stored:
        found = np.array(
            list(queryset.order_by().values_list("pk", "volunteer_id", "need_id", "fingerprint")), np.int64
        ).reshape(-1, 4)
        return cls(found[:, 0], (found[:, 1] << 32) | found[:, 2], found[:, 3])

    @classmethod
    def of(cls, rows: Iterable[tuple[int, int, int, int]]) -> Stored:
        """From (pk, volunteer id, need id, fingerprint) tuples."""
        found = np.array(list(rows), np.int64).reshape(-1, 4)
        return cls(found[:, 0], (found[:, 1] << 32) | found[:, 2], found[:, 3])


def write(stored: Stored, wanted: Rows, *, now: datetime.datetime) -> tuple[int, int]:
    """Make the stored rows equal `wanted`: delete the stored rows it lacks, update the rows whose fingerprint
    differs in place, insert the new ones; rows that are the same are not touched. Runs inside the caller's
    transaction. Returns (rows written, rows deleted)."""
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
        _update_rows(pks[position[changed]], wanted[changed], now=now)
    new = ~found
    if new.any():
        _insert_rows(wanted[new], now=now)
    return int(changed.sum() + new.sum()), len(gone)


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


def _copy_text(rows: Rows, *, pks: np.ndarray | None, now: datetime.datetime) -> Iterator[str]:
    """COPY text format lines: [pk,] volunteer, need, score, ranks (\\N for none), factors, fingerprint, time."""
    when = now.isoformat()
    for start in range(0, len(rows), _CHUNK):
        prints = rows.fingerprint[start : start + _CHUNK].tolist()
        records = rows.records(start, start + _CHUNK)
        if pks is None:
            lines = [
                f"{v}\t{n}\t{score!r}\t{rv or _NULL}\t{rn or _NULL}\t{text}\t{fp}\t{when}\n"
                for (v, n, score, rv, rn, text), fp in zip(records, prints, strict=True)
            ]
        else:
            lines = [
                f"{pk}\t{score!r}\t{rv or _NULL}\t{rn or _NULL}\t{text}\t{fp}\n"
                for pk, (_, _, score, rv, rn, text), fp in zip(
                    pks[start : start + _CHUNK].tolist(), records, prints, strict=True
                )
            ]
        yield "".join(lines)


def _instances(rows: Rows, *, pks: np.ndarray | None, now: datetime.datetime) -> list[Recommendation]:
    ids = [None] * len(rows) if pks is None else pks.tolist()
    return [
        Recommendation(
            id=pk,
            volunteer_id=v,
            need_id=n,
            score=score,
            rank_for_volunteer=rv or None,
            rank_for_need=rn or None,
            factors=dict(zip(JSON_NAMES, factors, strict=True)),
            fingerprint=fp,
            computed_at=now,
        )
        for pk, v, n, score, rv, rn, factors, fp in zip(
            ids,
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
            Recommendation.objects.bulk_create(_instances(rows, pks=None, now=now), batch_size=_BATCH)
            return
        columns = ("volunteer_id", "need_id", "score", "rank_for_volunteer", "rank_for_need", "factors")
        names = ", ".join(connection.ops.quote_name(name) for name in (*columns, "fingerprint", "computed_at"))
        lines = _Lines(_copy_text(rows, pks=None, now=now))
        cursor.cursor.copy_expert(f"COPY {_table()} ({names}) FROM STDIN", lines)


def _update_rows(pks: np.ndarray, rows: Rows, *, now: datetime.datetime) -> None:
    """Overwrite the rows with these primary keys in place."""
    with connection.cursor() as cursor:
        if not _can_copy(cursor):
            Recommendation.objects.bulk_update(_instances(rows, pks=pks, now=now), _UPDATED, batch_size=_BATCH)
            return
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_TEMPORARY} (id bigint, score double precision, "
            "rank_for_volunteer smallint, rank_for_need smallint, factors jsonb, fingerprint bigint) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert(f"COPY {_TEMPORARY} FROM STDIN", _Lines(_copy_text(rows, pks=pks, now=now)))
        cursor.execute(
            "UPDATE matcher_recommendation AS stored SET score = changed.score, "
            "rank_for_volunteer = changed.rank_for_volunteer, rank_for_need = changed.rank_for_need, "
            "factors = changed.factors, fingerprint = changed.fingerprint, computed_at = %s "
            "FROM matcher_recommendation_changed AS changed WHERE stored.id = changed.id",
            [now],
        )
        cursor.execute(f"TRUNCATE {_TEMPORARY}")


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
