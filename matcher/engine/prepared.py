"""Volunteers and needs as aligned numpy arrays, checked and scored block by block."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np

from .matching import id_key
from .records import EXPERIENCE_SATURATION_YEARS, FACTORS, REGION_NEUTRAL, NeedData, Reason, VolunteerData, Weights
from .reference import credential_deadline, onsite_segments, remote_segments

DEFAULT_BLOCK_CELLS = 1 << 20  # volunteer × need cells evaluated at once (a few MB per temporary array)
_PAD_START = 10**8  # padding segments that overlap nothing
_PAD_END = -(10**8)
_NEVER = np.iinfo(np.int32).min
_COLUMN = {name: i for i, name in enumerate(FACTORS)}


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
    ordered = sorted(items, key=lambda item: id_key(item.id))
    for previous, current in zip(ordered, ordered[1:], strict=False):
        if previous.id == current.id:
            raise ValueError(f"Duplicate {kind} id {current.id!r}.")
    return ordered


class Prepared:
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
            [credential_deadline(n).toordinal() if n.requires_verified_credential else _NEVER for n in needs],
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

        # Prior engagement: each (volunteer row, organisation) pair, among the needs' organisations, as one
        # integer (row × org_count + organisation index), sorted for lookups.
        org_index: dict[int, int] = {}
        for n in needs:
            if n.organisation_id is not None:
                org_index.setdefault(n.organisation_id, len(org_index))
        self.org_count = len(org_index) + 1  # the last column stands for "no organisation"
        self.n_org = np.array([org_index.get(n.organisation_id, len(org_index)) for n in needs], np.int32)
        engaged = [[org_index[o] for o in v.organisations_engaged if o in org_index] for v in vols]
        self.v_org_idx = np.array([o for e in engaged for o in e], np.int64)
        self.engaged_keys = np.sort(
            np.repeat(np.arange(nv, dtype=np.int64), [len(e) for e in engaged]) * self.org_count + self.v_org_idx
        )

        # Weighted factors as per-column coefficients: points = count × coefficient, or full marks for the
        # factors whose need asks for nothing.
        points = weights.points()
        self.points = {name: np.float32(value) for name, value in points.items()}
        req_count = np.array([len(n.required_skills) for n in needs], np.float32)
        pref_count = np.array([len(n.preferred_skills) for n in needs], np.float32)
        lang_count = np.array([len(n.required_languages) for n in needs], np.float32)
        self.a_required = (points["required_skills"] / np.maximum(req_count, 1)).astype(np.float32)
        self.a_preferred = (points["preferred_skills"] / np.maximum(pref_count, 1)).astype(np.float32)
        self.a_languages = (points["languages"] / (3 * np.maximum(lang_count, 1))).astype(np.float32)
        self.n_none = {
            "required_skills": req_count == 0,
            "preferred_skills": pref_count == 0,
            "languages": lang_count == 0,
        }
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
                put(onsite_key, j, onsite_segments(v))
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
                        by_level[level] = remote_segments(v, level)
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
        return code, local_rows, local_cols, self.scores(rows[local_rows], cols[local_cols], run[fail])

    def factor_points(self, rows: np.ndarray, cols: np.ndarray, run: np.ndarray | None = None) -> np.ndarray:
        """The points each factor gives the cells (rows[i], cols[i]): float32, one column per factor in
        FACTORS order. A cell's score is the sum of its row (clipped to [0, 100]). `run`, the longest
        available run of each cell inside its need's window, is computed when not given."""
        return self._points(rows, cols, run).T

    def scores(self, rows: np.ndarray, cols: np.ndarray, run: np.ndarray | None = None) -> np.ndarray:
        """The score of each cell (rows[i], cols[i]): the sum of its factor points, within [0, 100]."""
        total = self._points(rows, cols, run).sum(axis=0)
        return np.clip(total, 0, 100, out=total)

    def _points(self, rows: np.ndarray, cols: np.ndarray, run: np.ndarray | None) -> np.ndarray:
        """Factor points as one contiguous row per factor (FACTORS order), one column per cell."""
        points = self.points
        out = np.zeros((len(FACTORS), len(rows)), np.float32)
        if not len(rows):
            return out
        if run is None:
            run = self.runs(rows, cols)

        for name, bits, coefficient in (
            ("required_skills", self.n_required_skills, self.a_required),
            ("preferred_skills", self.n_preferred_skills, self.a_preferred),
        ):
            part = out[_COLUMN[name]]
            np.multiply(self.n_none[name][cols], points[name], out=part)  # full marks when none is asked for
            shared = _popcount_pairs(self.v_skills, rows, bits, cols)
            if shared is not None:
                part += shared * coefficient[cols]

        part = out[_COLUMN["languages"]]
        np.multiply(self.n_none["languages"][cols], points["languages"], out=part)
        for level in (2, 3, 4):
            count = _popcount_pairs(self.v_languages[level], rows, self.n_languages, cols)
            if count is not None:
                part += count * self.a_languages[cols]

        part = out[_COLUMN["experience"]]
        np.subtract(self.v_years_scaled[rows], self.n_min_years_scaled[cols], out=part)
        np.clip(part, 0, points["experience"], out=part)

        if points["region"]:
            part = out[_COLUMN["region"]]
            neutral = self.v_region_neutral[rows] | self.n_region_neutral[cols]
            np.multiply(neutral, np.float32(points["region"] * REGION_NEUTRAL), out=part)
            matched = _popcount_pairs(self.v_regions, rows, self.n_regions, cols)
            if matched is not None:
                part += (matched > 0) * points["region"]

        if points["availability"]:
            part = out[_COLUMN["availability"]]
            np.multiply(run, self.a_availability[cols], out=part)
            np.minimum(part, points["availability"], out=part)

        if points["engagement"] and len(self.engaged_keys):
            # (volunteer row, organisation) pairs as single integers, looked up in the sorted list.
            wanted = rows.astype(np.int64) * self.org_count + self.n_org[cols]
            found = np.searchsorted(self.engaged_keys, wanted)
            np.minimum(found, len(self.engaged_keys) - 1, out=found)
            np.multiply(self.engaged_keys[found] == wanted, points["engagement"], out=out[_COLUMN["engagement"]])
        return out

    def runs(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The longest available run of each cell (rows[i], cols[i]) inside its need's window."""
        run = np.zeros(len(rows), np.int32)
        keys = self.n_key[cols]
        for key in np.unique(keys).tolist():
            chosen = np.flatnonzero(keys == key)
            starts, ends = self.segments[key]
            r, c = rows[chosen], cols[chosen]
            first = np.maximum(starts[r], self.n_start[c][:, None])
            last = np.minimum(ends[r], self.n_end[c][:, None])
            run[chosen] = np.maximum((last - first + 1).max(axis=1, initial=0), 0)
        return run
