"""More properties of the engine: per-pair factor points, the whole pipeline from scores to a stable
matching, and instances where places outnumber volunteers (matcher.engine)."""

import dataclasses
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.engine import (
    FACTORS,
    Weights,
    blocking_pairs,
    explain,
    pair_factor_points,
    score_matrix,
    score_top_k,
    stable_match,
    top_k_for_needs,
    top_k_for_volunteers,
    validate_matching,
)
from tests.matcher.test_scoring import (
    make_need,
    make_volunteer,
    need_strategy,
    unique_ids,
    volunteer_strategy,
    weights_strategy,
)
from tests.matcher.test_stable_match import assert_valid_and_stable, instances


def eligible_pairs(result):
    rows, cols = np.nonzero(result.eligible)
    return [result.volunteer_ids[i] for i in rows], [result.need_ids[j] for j in cols]


# -- factor points of chosen pairs -----------------------------------------------------------------


def test_factor_points_of_a_pair_are_its_explanation():
    volunteer = make_volunteer(skills=frozenset({1, 3}), years_experience=10, languages={"en": 3})
    need = make_need()

    points = pair_factor_points([volunteer], [need], [volunteer.id], [need.id])

    explanation = explain(volunteer, need)
    assert points.shape == (1, len(FACTORS))
    assert points[0].tolist() == pytest.approx([c.points for c in explanation.contributions], abs=1e-4)


def test_factor_points_follow_the_order_of_the_pairs_asked_for():
    volunteers = [make_volunteer(id=i, years_experience=5 + 2 * i) for i in (1, 2, 3)]
    needs = [make_need(id=10), make_need(id=20, required_skills=frozenset({1}))]
    asked = [(3, 20), (1, 10), (3, 10), (2, 20)]

    points = pair_factor_points(volunteers, needs, [v for v, _ in asked], [n for _, n in asked])

    by_id = {v.id: v for v in volunteers} | {n.id: n for n in needs}
    for row, (v, n) in zip(points, asked, strict=True):
        assert row.tolist() == pytest.approx([c.points for c in explain(by_id[v], by_id[n]).contributions], abs=1e-4)


def test_factor_points_refuse_unknown_ids_and_uneven_lists():
    with pytest.raises(KeyError):
        pair_factor_points([make_volunteer()], [make_need()], [99], [10])
    with pytest.raises(ValueError, match="same length"):
        pair_factor_points([make_volunteer()], [make_need()], [1], [])
    assert pair_factor_points([], [], [], []).shape == (0, len(FACTORS))


@settings(max_examples=120, deadline=None)
@given(
    st.lists(volunteer_strategy, max_size=7).map(unique_ids),
    st.lists(need_strategy, max_size=6).map(unique_ids),
    weights_strategy,
)
def test_factor_points_of_eligible_pairs_equal_explain_and_add_up_to_the_score(volunteers, needs, weights):
    result = score_matrix(volunteers, needs, weights)
    volunteer_ids, need_ids = eligible_pairs(result)

    points = pair_factor_points(volunteers, needs, volunteer_ids, need_ids, weights)

    by_volunteer = {v.id: v for v in volunteers}
    by_need = {n.id: n for n in needs}
    for row, v, n in zip(points, volunteer_ids, need_ids, strict=True):
        explanation = explain(by_volunteer[v], by_need[n], weights)
        assert [c.code for c in explanation.contributions] == list(FACTORS)
        assert row.tolist() == pytest.approx([c.points for c in explanation.contributions], abs=1e-3)
        score = result.score[result.volunteer_index(v), result.need_index(n)]
        assert math.fsum(row.tolist()) == pytest.approx(float(score), abs=1e-3)


# -- from scores to a stable matching --------------------------------------------------------------


def preferences_from_scores(volunteers, needs, weights, k, capacity_of):
    """What a match round does with scores: each volunteer ranks its top k, each need ranks its rankers."""
    top = score_top_k(volunteers, needs, weights, k_per_volunteer=k, k_per_need=0)
    volunteer_prefs = {v: [n for n, _ in ranked] for v, ranked in top.for_volunteers.items()}
    scores = {(v, n): s for v, ranked in top.for_volunteers.items() for n, s in ranked}
    need_prefs = {n.id: [] for n in needs}
    for (v, n), _score in sorted(scores.items(), key=lambda item: (-item[1], item[0][0])):
        need_prefs[n].append(v)
    capacities = {n.id: capacity_of(n.id) for n in needs}
    return volunteer_prefs, need_prefs, capacities


@settings(max_examples=80, deadline=None)
@given(
    st.lists(volunteer_strategy, max_size=8).map(unique_ids),
    st.lists(need_strategy, max_size=5).map(unique_ids),
    weights_strategy,
    st.integers(1, 4),
    st.integers(0, 3),
)
def test_scored_preferences_give_a_valid_stable_matching_of_eligible_pairs(volunteers, needs, weights, k, places):
    volunteer_prefs, need_prefs, capacities = preferences_from_scores(volunteers, needs, weights, k, lambda _: places)

    matching = stable_match(volunteer_prefs, need_prefs, capacities)

    assert_valid_and_stable(matching, volunteer_prefs, need_prefs, capacities)
    result = score_matrix(volunteers, needs, weights)
    for need, members in matching.items():
        for volunteer in members:
            assert result.eligible[result.volunteer_index(volunteer), result.need_index(need)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(volunteer_strategy, max_size=8).map(unique_ids),
    st.lists(need_strategy, max_size=6).map(unique_ids),
    st.randoms(use_true_random=False),
)
def test_scores_and_suggestions_do_not_depend_on_input_order(volunteers, needs, rng):
    shuffled_volunteers, shuffled_needs = volunteers[:], needs[:]
    rng.shuffle(shuffled_volunteers)
    rng.shuffle(shuffled_needs)

    first, again = score_matrix(volunteers, needs), score_matrix(shuffled_volunteers, shuffled_needs)

    assert np.array_equal(first.score, again.score)
    assert np.array_equal(first.first_failure, again.first_failure)
    assert top_k_for_needs(first, 3) == top_k_for_needs(again, 3)
    assert top_k_for_volunteers(first, 3) == top_k_for_volunteers(again, 3)
    streamed = score_top_k(shuffled_volunteers, shuffled_needs, k_per_volunteer=3, k_per_need=3, block_cells=4)
    assert streamed.for_needs == top_k_for_needs(first, 3)


# -- more places than volunteers -------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(instances(max_volunteers=6, max_needs=4), st.integers(0, 3))
def test_when_places_outnumber_volunteers_everyone_with_a_mutual_pair_is_matched(instance, extra):
    volunteer_prefs, need_prefs, capacities = instance
    capacities = {need: len(volunteer_prefs) + extra for need in capacities}

    matching = stable_match(volunteer_prefs, need_prefs, capacities)

    assert_valid_and_stable(matching, volunteer_prefs, need_prefs, capacities)
    matched = {v: n for n, members in matching.items() for v in members}
    for volunteer, ranked in volunteer_prefs.items():
        mutual = [n for n in ranked if n in capacities and volunteer in need_prefs.get(n, ())]
        # Nobody competes for a place, so each volunteer gets the first need that ranks them back.
        assert matched.get(volunteer) == (mutual[0] if mutual else None)


def test_engine_pipeline_on_a_few_hundred_random_records_is_stable_and_within_capacity():
    rng = random.Random(11)
    base_volunteer, base_need = make_volunteer(), make_need()
    volunteers = [
        dataclasses.replace(
            base_volunteer,
            id=i,
            skills=frozenset(rng.sample(range(1, 8), rng.randint(0, 4))),
            years_experience=rng.randint(0, 20),
            preferred_regions=frozenset(rng.sample(["ssa", "lac", "sa"], rng.randint(0, 2))),
            consent=rng.random() < 0.9,
        )
        for i in range(300)
    ]
    needs = [
        dataclasses.replace(
            base_need,
            id=1000 + j,
            required_skills=frozenset(rng.sample(range(1, 8), rng.randint(0, 2))),
            min_years_experience=rng.choice([0, 3, 8]),
            region=rng.choice([None, "ssa", "lac"]),
        )
        for j in range(40)
    ]
    volunteer_prefs, need_prefs, capacities = preferences_from_scores(
        volunteers, needs, Weights(), 5, lambda n: 1 + n % 4
    )

    matching = stable_match(volunteer_prefs, need_prefs, capacities)

    validate_matching(matching, volunteer_prefs, need_prefs, capacities)
    assert blocking_pairs(matching, volunteer_prefs, need_prefs, capacities) == []
    matched = sum(len(members) for members in matching.values())
    assert 0 < matched <= sum(capacities.values())
