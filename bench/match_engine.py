"""Benchmark of the matching engine (matcher/engine/).

    .venv/bin/python bench/match_engine.py

Generates, with a fixed seed, 10,000 volunteers and 2,000 needs; scores every pair; builds preference
lists from the best eligible pairs (each volunteer ranks its top 5–6 needs, each need ranks the
volunteers who ranked it, by score); runs the stable matching and its stability self-check; compares
the matching and its speed with the PyPI `matching` package; then runs the engine alone on 50,000
volunteers × 10,000 needs (streamed top-K scoring + stable matching).

Each part runs in its own subprocess so that its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
import warnings
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere, without Django

from matcher.engine import (  # noqa: E402
    NeedData,
    VolunteerData,
    Weights,
    blocking_pairs,
    score_matrix,
    score_top_k,
    stable_match,
    top_k_for_volunteers,
    validate_matching,
)

SEED = 20260101
PROFESSIONS = {
    "radiologist": 25,
    "radiographer": 20,
    "ir_physician": 15,
    "sonographer": 10,
    "ir_nurse": 10,
    "trainee": 7,
    "physicist": 5,
    "imaging_it": 5,
    "student": 3,
}
LANGUAGES = ["en", "fr", "pt", "es", "ar", "sw"]
REGIONS = ["ssa", "mena", "sa", "eap", "lac", "eca", "na"]
SKILLS = list(range(1, 61))
ORGANISATIONS = list(range(1, 81))
HORIZON_START = date(2026, 1, 1)
HORIZON_DAYS = 365
REMOTE_HOURS = [2, 4, 5, 8, 10, 15]


def generate(n_volunteers: int, n_needs: int, seed: int = SEED) -> tuple[list[VolunteerData], list[NeedData]]:
    rng = random.Random(seed)
    professions, shares = list(PROFESSIONS), list(PROFESSIONS.values())

    def day(offset: int) -> date:
        return HORIZON_START + timedelta(days=offset)

    volunteers = []
    for vid in range(1, n_volunteers + 1):
        onsite = rng.random() < 0.7
        remote = not onsite or rng.random() < 0.6
        languages = {"en": rng.choice([3, 4, 4])}
        for code in rng.sample(LANGUAGES[1:], rng.choice([0, 1, 1, 2])):
            languages[code] = rng.randint(1, 4)
        windows = []
        for _ in range(rng.randint(1, 3)):
            start = rng.randrange(HORIZON_DAYS)
            windows.append((day(start), day(start + rng.randint(14, 150)), rng.choice([0, 4, 8, 10, 15, 20])))
        busy = []
        if rng.random() < 0.2:
            start = rng.randrange(HORIZON_DAYS)
            busy.append((day(start), day(start + rng.randint(7, 30))))
        credential = None
        if rng.random() < 0.75:
            credential = date.max if rng.random() < 0.3 else day(rng.randint(-30, 2 * HORIZON_DAYS))
        volunteers.append(
            VolunteerData(
                id=vid,
                profession=rng.choices(professions, shares)[0],
                offers_onsite=onsite,
                offers_remote=remote,
                years_experience=rng.randint(0, 35),
                languages=languages,
                skills=frozenset(rng.sample(SKILLS, rng.randint(3, 12))),
                availability=windows,
                preferred_regions=frozenset(rng.sample(REGIONS, rng.choice([0, 1, 2, 3]))),
                credential_valid_until=credential,
                busy=busy,
                consent=rng.random() < 0.95,
                organisations_engaged=frozenset(rng.sample(ORGANISATIONS, rng.choice([0, 0, 1, 2]))),
            )
        )

    needs = []
    for nid in range(1, n_needs + 1):
        mode = rng.choices(["onsite", "remote", "hybrid"], [50, 35, 15])[0]
        start = rng.randrange(HORIZON_DAYS)
        length = rng.randint(30, 180)
        needs.append(
            NeedData(
                id=nid,
                profession=rng.choices(professions, shares)[0],
                mode=mode,
                window_start=day(start),
                window_end=day(start + length - 1),
                min_duration_days=rng.randint(7, 28),
                hours_per_week=rng.choice(REMOTE_HOURS) if mode != "onsite" else 0,
                required_skills=frozenset(rng.sample(SKILLS, rng.choice([0, 1, 2, 3]))),
                preferred_skills=frozenset(rng.sample(SKILLS, rng.choice([0, 1, 2, 3]))),
                required_languages=frozenset(rng.sample(LANGUAGES[:4], rng.choice([0, 0, 1, 1, 2]))),
                min_years_experience=rng.choice([0, 0, 2, 5, 10]),
                requires_verified_credential=rng.random() < 0.4,
                region=rng.choice(REGIONS) if mode != "remote" or rng.random() < 0.3 else None,
                organisation_id=rng.choice(ORGANISATIONS),
            )
        )
    return volunteers, needs


def preference_lists(tops: dict, needs: list[NeedData], seed: int = SEED):
    """Volunteers rank their top 6 eligible needs (fewer if they have fewer); needs rank the volunteers
    who ranked them, by score then volunteer id."""
    rng = random.Random(seed + 1)
    volunteer_prefs = {}
    rankers: dict[int, list[tuple[float, int]]] = {n.id: [] for n in needs}
    for vid, ranked in tops.items():
        chosen = ranked[:6]
        volunteer_prefs[vid] = [nid for nid, _ in chosen]
        for nid, score in chosen:
            rankers[nid].append((-score, vid))
    need_prefs = {nid: [vid for _, vid in sorted(pairs)] for nid, pairs in rankers.items()}
    capacities = {n.id: rng.randint(1, 4) for n in needs}
    return volunteer_prefs, need_prefs, capacities


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    value = func(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:8.3f} s")
    return value, seconds


def part_small() -> None:
    print("10,000 volunteers × 2,000 needs")
    volunteers, needs = timed("generate data (not counted)", generate, 10_000, 2_000)[0]
    print(f"  {'peak RSS after generating the data':<44} {peak_rss_mb():8.1f} MB")
    weights = Weights()
    result, t_score = timed("eligibility + scoring (dense arrays)", score_matrix, volunteers, needs, weights)
    tops, t_top = timed("top-6 needs per volunteer", top_k_for_volunteers, result, 6)
    eligible = int(result.eligible.sum())
    print(f"  eligible pairs: {eligible:,} of {result.score.size:,}")
    volunteer_prefs, need_prefs, capacities = preference_lists(tops, needs)
    pairs = sum(len(p) for p in volunteer_prefs.values())
    print(f"  ranked pairs: {pairs:,}; places: {sum(capacities.values()):,}")
    matching, t_match = timed("stable_match", stable_match, volunteer_prefs, need_prefs, capacities)
    blocking, t_check = timed(
        "stability self-check (blocking_pairs)", blocking_pairs, matching, volunteer_prefs, need_prefs, capacities
    )
    validate_matching(matching, volunteer_prefs, need_prefs, capacities)
    matched = sum(len(m) for m in matching.values())
    print(f"  matched volunteers: {matched:,}; blocking pairs: {len(blocking)}")
    if blocking:
        raise SystemExit("the matching is not stable")
    total = t_score + t_top + t_match + t_check
    print(f"  {'TOTAL scoring + top-K + match + check':<44} {total:8.3f} s   (target ≤ 2 s)")
    print(f"  {'peak RSS (whole process)':<44} {peak_rss_mb():8.1f} MB   (target ≤ 300 MB)")
    del result

    tracemalloc.start()
    result = score_matrix(volunteers, needs, weights)
    tops = top_k_for_volunteers(result, 6)
    matching = stable_match(volunteer_prefs, need_prefs, capacities)
    blocking_pairs(matching, volunteer_prefs, need_prefs, capacities)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  {'tracemalloc peak of the engine calls':<44} {traced_peak / 2**20:8.1f} MB")
    streamed, _ = timed(
        "for comparison: streamed score_top_k (top-6)", score_top_k, volunteers, needs, k_per_need=0, k_per_volunteer=6
    )
    if streamed.for_volunteers != tops:
        raise SystemExit("streamed and dense top-K differ")

    compare_with_matching_package(volunteer_prefs, need_prefs, capacities, matching, t_match)


def run_matching_package(volunteer_prefs, need_prefs, capacities) -> tuple[dict, float]:
    """The PyPI `matching` package on the same lists: its matching and its seconds. It recurses deeply
    (its deepcopy of the players), so it runs in a thread with a large stack and a raised recursion limit."""
    from matching.games import HospitalResident

    # It wants every resident to rank someone and every hospital to rank exactly its rankers.
    resident_prefs = {v: prefs for v, prefs in volunteer_prefs.items() if prefs}
    hospital_prefs = {n: prefs for n, prefs in need_prefs.items() if prefs}
    hospital_capacities = {n: capacities[n] for n in hospital_prefs}
    outcome = {}

    def run():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, hospital_capacities)
            solved = game.solve(optimal="resident")
        outcome["seconds"] = time.perf_counter() - start
        outcome["matching"] = {h.name: [r.name for r in residents] for h, residents in solved.items()}

    sys.setrecursionlimit(1_000_000)
    threading.stack_size(512 * 2**20)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "matching" not in outcome:
        raise SystemExit("the matching package failed")
    return outcome["matching"], outcome["seconds"]


def compare_with_matching_package(volunteer_prefs, need_prefs, capacities, ours, our_seconds) -> None:
    theirs, their_seconds = run_matching_package(volunteer_prefs, need_prefs, capacities)
    same = all(ours[n] == theirs.get(n, []) for n in ours) and all(n in ours for n in theirs)
    print(f"  {'matching package HospitalResident.solve':<44} {their_seconds:8.3f} s")
    print(f"  identical matchings: {same}")
    print(f"  {'speed-up of stable_match':<44} {their_seconds / our_seconds:8.0f} ×   (target ≥ 100 ×)")
    if not same:
        raise SystemExit("the two matchings differ")


def part_large() -> None:
    print("50,000 volunteers × 10,000 needs (engine only)")
    volunteers, needs = timed("generate data (not counted)", generate, 50_000, 10_000)[0]
    print(f"  {'peak RSS after generating the data':<44} {peak_rss_mb():8.1f} MB")
    tops, t_score = timed(
        "streamed scoring (top-6/volunteer, top-10/need)",
        score_top_k,
        volunteers,
        needs,
        Weights(),
        k_per_volunteer=6,
        k_per_need=10,
    )
    print(f"  eligible pairs: {tops.eligible_pairs:,} of {len(volunteers) * len(needs):,}")
    volunteer_prefs, need_prefs, capacities = preference_lists(tops.for_volunteers, needs)
    pairs = sum(len(p) for p in volunteer_prefs.values())
    print(f"  ranked pairs: {pairs:,}; places: {sum(capacities.values()):,}")
    matching, t_match = timed("stable_match", stable_match, volunteer_prefs, need_prefs, capacities)
    blocking, t_check = timed(
        "stability self-check (blocking_pairs)", blocking_pairs, matching, volunteer_prefs, need_prefs, capacities
    )
    if blocking:
        raise SystemExit("the matching is not stable")
    print(f"  matched volunteers: {sum(len(m) for m in matching.values()):,}; blocking pairs: {len(blocking)}")
    print(f"  {'TOTAL':<44} {t_score + t_match + t_check:8.3f} s   (target ≤ 20 s)")
    print(f"  {'peak RSS (whole process, data included)':<44} {peak_rss_mb():8.1f} MB   (target ≤ 1 GB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["small", "large"])
    args = parser.parse_args()
    if args.part == "small":
        part_small()
    elif args.part == "large":
        part_large()
    else:
        for part in ("small", "large"):
            subprocess.run([sys.executable, __file__, "--part", part], check=True)  # noqa: S603
            print()


if __name__ == "__main__":
    main()
