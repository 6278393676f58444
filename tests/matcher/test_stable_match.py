"""The stable matching of volunteers to needs (matcher.engine.stable_match)."""

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.engine import blocking_pairs, stable_match, validate_matching

# -- independent helpers ---------------------------------------------------------------------------


def acceptable(volunteer, need, volunteer_prefs, need_prefs, capacities):
    return (
        volunteer in volunteer_prefs
        and need in capacities
        and need in volunteer_prefs[volunteer]
        and volunteer in need_prefs.get(need, ())
    )


def naive_blocking_pairs(matching, volunteer_prefs, need_prefs, capacities):
    """Every (volunteer, need) pair checked against the textbook definition."""
    assigned = {v: n for n, members in matching.items() for v in members}
    pairs = []
    for volunteer, ranked in volunteer_prefs.items():
        for need in capacities:
            if not acceptable(volunteer, need, volunteer_prefs, need_prefs, capacities):
                continue
            current = assigned.get(volunteer)
            volunteer_wants = current is None or ranked.index(need) < ranked.index(current)
            members = matching.get(need, [])
            need_order = list(need_prefs[need])
            need_wants = len(members) < capacities[need] or any(
                need_order.index(volunteer) < need_order.index(m) for m in members
            )
            if volunteer_wants and need_wants:
                pairs.append((volunteer, need))
    return pairs


def assert_valid_and_stable(matching, volunteer_prefs, need_prefs, capacities):
    assert set(matching) == set(capacities)
    seen = set()
    for need, members in matching.items():
        assert len(members) <= capacities[need]
        for volunteer in members:
            assert volunteer not in seen
            seen.add(volunteer)
            assert acceptable(volunteer, need, volunteer_prefs, need_prefs, capacities)
        order = list(need_prefs.get(need, ()))
        assert members == sorted(members, key=order.index)
    validate_matching(matching, volunteer_prefs, need_prefs, capacities)
    assert naive_blocking_pairs(matching, volunteer_prefs, need_prefs, capacities) == []
    assert blocking_pairs(matching, volunteer_prefs, need_prefs, capacities) == []


def all_stable_matchings(volunteer_prefs, need_prefs, capacities):
    """Brute force: every assignment of volunteers to an acceptable need or to nobody."""
    volunteers = list(volunteer_prefs)
    choices = [
        [None]
        + [n for n in volunteer_prefs[v] if acceptable(v, n, volunteer_prefs, need_prefs, capacities) and capacities[n]]
        for v in volunteers
    ]
    for assignment in itertools.product(*choices):
        matching = {n: [] for n in capacities}
        for volunteer, need in zip(volunteers, assignment, strict=True):
            if need is not None:
                matching[need].append(volunteer)
        if any(len(members) > capacities[n] for n, members in matching.items()):
            continue
        if not naive_blocking_pairs(matching, volunteer_prefs, need_prefs, capacities):
            yield dict(zip(volunteers, assignment, strict=True))


def shuffled(mapping, rng):
    items = list(mapping.items())
    rng.shuffle(items)
    return dict(items)


@st.composite
def instances(draw, max_volunteers=7, max_needs=4, with_strangers=True):
    """Random preference lists, sometimes naming ids unknown to the other side."""
    volunteers = list(range(draw(st.integers(0, max_volunteers))))
    needs = [f"n{i}" for i in range(draw(st.integers(0, max_needs)))]
    need_pool = needs + (["ghost-need"] if with_strangers else [])
    volunteer_pool = volunteers + ([99] if with_strangers else [])
    volunteer_prefs = {
        v: draw(st.lists(st.sampled_from(need_pool), unique=True) if need_pool else st.just([])) for v in volunteers
    }
    need_prefs = {
        n: draw(st.lists(st.sampled_from(volunteer_pool), unique=True) if volunteer_pool else st.just([]))
        for n in needs
    }
    capacities = {n: draw(st.integers(0, 3)) for n in needs}
    return volunteer_prefs, need_prefs, capacities


# -- examples --------------------------------------------------------------------------------------


def test_volunteers_get_their_best_stable_need_when_preferences_conflict():
    # Classic instance with two stable matchings; the engine must return the volunteer-optimal one.
    volunteer_prefs = {"ana": ["lusaka", "maputo"], "ben": ["maputo", "lusaka"]}
    need_prefs = {"lusaka": ["ben", "ana"], "maputo": ["ana", "ben"]}
    capacities = {"lusaka": 1, "maputo": 1}

    assert stable_match(volunteer_prefs, need_prefs, capacities) == {"lusaka": ["ana"], "maputo": ["ben"]}


def test_need_with_several_places_keeps_its_favourites_in_its_own_order():
    volunteer_prefs = {1: ["a"], 2: ["a"], 3: ["a"], 4: ["a"]}
    need_prefs = {"a": [3, 1, 4, 2]}

    assert stable_match(volunteer_prefs, need_prefs, {"a": 2}) == {"a": [3, 1]}


def test_rejected_volunteer_moves_on_to_the_next_need():
    volunteer_prefs = {1: ["a", "b"], 2: ["a"]}
    need_prefs = {"a": [2, 1], "b": [1]}

    assert stable_match(volunteer_prefs, need_prefs, {"a": 1, "b": 1}) == {"a": [2], "b": [1]}


def test_every_need_appears_in_the_result_even_without_volunteers():
    matching = stable_match({1: ["a"]}, {"a": [1]}, {"a": 1, "b": 2, "c": 0})

    assert matching == {"a": [1], "b": [], "c": []}


def test_pair_ranked_by_one_side_only_is_never_matched():
    volunteer_prefs = {1: ["a"], 2: []}
    need_prefs = {"a": [2]}

    assert stable_match(volunteer_prefs, need_prefs, {"a": 3}) == {"a": []}


def test_unknown_ids_are_ignored_as_unacceptable():
    volunteer_prefs = {1: ["closed-need", "a"], 2: ["a"]}
    need_prefs = {"a": ["withdrawn-volunteer", 2, 1], "closed-need": [1]}

    assert stable_match(volunteer_prefs, need_prefs, {"a": 1}) == {"a": [2]}


def test_need_without_places_takes_nobody():
    volunteer_prefs = {1: ["full", "open"]}
    need_prefs = {"full": [1], "open": [1]}

    assert stable_match(volunteer_prefs, need_prefs, {"full": 0, "open": 1}) == {"full": [], "open": [1]}


def test_more_places_than_volunteers_matches_everyone_acceptable():
    volunteer_prefs = {v: ["a", "b"] for v in range(5)}
    need_prefs = {"a": [4, 3, 2, 1, 0], "b": [0, 1, 2, 3, 4]}

    matching = stable_match(volunteer_prefs, need_prefs, {"a": 10, "b": 10})

    assert matching == {"a": [4, 3, 2, 1, 0], "b": []}


def test_empty_instances_give_empty_matchings():
    assert stable_match({}, {}, {}) == {}
    assert stable_match({1: []}, {}, {}) == {}
    assert stable_match({}, {"a": []}, {"a": 2}) == {"a": []}


def test_ids_of_mixed_types_are_handled_deterministically():
    volunteer_prefs = {"x": [2, "b"], 7: ["b", 2]}
    need_prefs = {2: [7, "x"], "b": ["x", 7]}

    assert stable_match(volunteer_prefs, need_prefs, {2: 1, "b": 1}) == {2: ["x"], "b": [7]}


def test_preference_lists_may_be_tuples():
    assert stable_match({1: ("a",)}, {"a": (1,)}, {"a": 1}) == {"a": [1]}


@pytest.mark.parametrize(
    ("volunteer_prefs", "need_prefs", "message"),
    [
        ({1: ["a", "a"]}, {"a": [1]}, "Volunteer 1 ranks 'a' more than once"),
        ({1: ["a"]}, {"a": [1, 1]}, "Need 'a' ranks 1 more than once"),
        ({1: ["nowhere", "nowhere"]}, {"a": [1]}, "Volunteer 1 ranks 'nowhere' more than once"),
        ({1: ["a"]}, {"a": [1, "ghost", "ghost"]}, "Need 'a' ranks 'ghost' more than once"),
        ({1: ["a"]}, {"a": [1], "gone": [1, 1]}, "Need 'gone' ranks 1 more than once"),
    ],
)
def test_duplicate_preference_entries_are_rejected(volunteer_prefs, need_prefs, message):
    with pytest.raises(ValueError, match=message):
        stable_match(volunteer_prefs, need_prefs, {"a": 1})


def test_negative_capacity_is_rejected():
    with pytest.raises(ValueError, match="Need 'a' has a negative capacity"):
        stable_match({1: ["a"]}, {"a": [1]}, {"a": -1})


def test_long_rejection_chain_runs_without_recursion():
    # Volunteer i holds need i until the last volunteer displaces volunteer 0 from need 0, who
    # displaces volunteer 1 from need 1, and so on: a 20,000-step chain of rejections.
    length = 20_000
    volunteer_prefs = {i: [i, i + 1] for i in range(length)}
    volunteer_prefs[length] = [0]
    need_prefs = {0: [length, 0], length: [length - 1]}
    need_prefs.update({i: [i - 1, i] for i in range(1, length)})
    capacities = dict.fromkeys(range(length + 1), 1)

    matching = stable_match(volunteer_prefs, need_prefs, capacities)

    assert matching[0] == [length]
    assert all(matching[i] == [i - 1] for i in range(1, length + 1))
    assert blocking_pairs(matching, volunteer_prefs, need_prefs, capacities) == []


# -- the self-checks -------------------------------------------------------------------------------


def test_blocking_pairs_reports_a_pair_that_would_rather_be_together():
    volunteer_prefs = {1: ["a", "b"], 2: ["a"]}
    need_prefs = {"a": [1, 2], "b": [1]}
    capacities = {"a": 1, "b": 1}
    unstable = {"a": [2], "b": [1]}

    assert blocking_pairs(unstable, volunteer_prefs, need_prefs, capacities) == [(1, "a")]
    assert naive_blocking_pairs(unstable, volunteer_prefs, need_prefs, capacities) == [(1, "a")]


def test_blocking_pairs_reports_unmatched_volunteers_facing_free_places():
    volunteer_prefs = {1: ["a"], 2: ["a"]}
    need_prefs = {"a": [2, 1]}

    assert blocking_pairs({"a": []}, volunteer_prefs, need_prefs, {"a": 2}) == [(1, "a"), (2, "a")]
    assert blocking_pairs({"a": [1]}, volunteer_prefs, need_prefs, {"a": 1}) == [(2, "a")]


@pytest.mark.parametrize(
    ("matching", "problem"),
    [
        ({"a": [1, 2]}, "holds 2 volunteers for 1 places"),
        ({"a": [1], "b": [1]}, "volunteer 1 is matched to 'a' and 'b'"),
        ({"b": [2]}, "volunteer 2 and need 'b' are not mutually acceptable"),
        ({"z": []}, "need 'z' is not in the capacities"),
    ],
)
def test_validate_matching_names_what_is_wrong(matching, problem):
    volunteer_prefs = {1: ["a", "b"], 2: ["a"]}
    need_prefs = {"a": [1, 2], "b": [1, 2]}

    with pytest.raises(ValueError, match=problem):
        validate_matching(matching, volunteer_prefs, need_prefs, {"a": 1, "b": 1})


# -- properties ------------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(instances())
def test_matching_is_valid_and_stable(instance):
    volunteer_prefs, need_prefs, capacities = instance

    matching = stable_match(volunteer_prefs, need_prefs, capacities)

    assert_valid_and_stable(matching, volunteer_prefs, need_prefs, capacities)


@settings(max_examples=200, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(instance, rng):
    volunteer_prefs, need_prefs, capacities = instance
    expected = stable_match(volunteer_prefs, need_prefs, capacities)

    again = stable_match(
        shuffled({v: tuple(p) for v, p in volunteer_prefs.items()}, rng),
        shuffled({n: tuple(p) for n, p in need_prefs.items()}, rng),
        shuffled(capacities, rng),
    )

    assert again == expected
    assert list(again) == list(expected)


@settings(max_examples=300, deadline=None)
@given(instances(max_volunteers=4, max_needs=3, with_strangers=False))
def test_each_volunteer_gets_its_best_partner_among_all_stable_matchings(instance):
    volunteer_prefs, need_prefs, capacities = instance
    stable = list(all_stable_matchings(volunteer_prefs, need_prefs, capacities))

    matching = stable_match(volunteer_prefs, need_prefs, capacities)

    assigned = {v: n for n, members in matching.items() for v in members}
    assert {v: assigned.get(v) for v in volunteer_prefs} in stable
    for volunteer, ranked in volunteer_prefs.items():
        partners = {s[volunteer] for s in stable}
        best = min(partners, key=lambda need: len(ranked) if need is None else ranked.index(need))
        assert assigned.get(volunteer) == best


@settings(max_examples=100, deadline=None)
@given(instances())
def test_all_unacceptable_instances_match_nobody(instance):
    volunteer_prefs, need_prefs, capacities = instance
    # Needs rank only volunteers who do not rank them back.
    need_prefs = {n: [v for v in volunteer_prefs if n not in volunteer_prefs[v]] for n in need_prefs}

    matching = stable_match(volunteer_prefs, need_prefs, capacities)

    assert all(members == [] for members in matching.values())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 50), unique=True, max_size=12), st.integers(0, 15), st.randoms(use_true_random=False))
def test_single_need_takes_its_favourite_applicants_up_to_capacity(volunteers, places, rng):
    order = volunteers[:]
    rng.shuffle(order)

    matching = stable_match({v: ["only"] for v in volunteers}, {"only": order}, {"only": places})

    assert matching == {"only": order[:places]}


def test_large_random_instance_is_stable():
    rng = random.Random(7)
    needs = [f"n{i}" for i in range(300)]
    volunteer_prefs = {v: rng.sample(needs, rng.randint(0, 8)) for v in range(1500)}
    rankers = {n: [] for n in needs}
    for volunteer, ranked in volunteer_prefs.items():
        for need in ranked:
            rankers[need].append(volunteer)
    need_prefs = {n: rng.sample(vs, len(vs)) for n, vs in rankers.items()}
    capacities = {n: rng.randint(1, 4) for n in needs}

    matching = stable_match(volunteer_prefs, need_prefs, capacities)

    assert_valid_and_stable(matching, volunteer_prefs, need_prefs, capacities)
