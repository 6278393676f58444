"""Eligibility, scores, explanations and top-K suggestions (matcher.engine)."""

import dataclasses
import math
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.engine import (
    FACTOR_LABELS,
    FACTORS,
    REASON_CODES,
    REASON_MESSAGES,
    NeedData,
    Reason,
    VolunteerData,
    Weights,
    explain,
    score_matrix,
    score_top_k,
    score_top_pairs,
    top_k_for_needs,
    top_k_for_volunteers,
)

D = date(2026, 3, 1)


def day(offset):
    return D + timedelta(days=offset)


def make_volunteer(**changes):
    """A volunteer who fits `make_need()` on every requirement."""
    base = VolunteerData(
        id=1,
        profession="radiologist",
        offers_onsite=True,
        offers_remote=True,
        years_experience=12,
        languages={"en": 4, "fr": 3, "pt": 1},
        skills=frozenset({1, 2, 3}),
        availability=[(day(0), day(120), 10)],
        preferred_regions=frozenset({"ssa"}),
        credential_valid_until=date.max,
        busy=[],
        consent=True,
        organisations_engaged=frozenset({7}),
    )
    return dataclasses.replace(base, **changes)


def make_need(**changes):
    base = NeedData(
        id=10,
        profession="radiologist",
        mode="onsite",
        window_start=day(30),
        window_end=day(59),
        min_duration_days=14,
        hours_per_week=5,
        required_skills=frozenset({1, 2}),
        preferred_skills=frozenset({3, 4}),
        required_languages=frozenset({"en"}),
        min_years_experience=5,
        requires_verified_credential=True,
        region="ssa",
        organisation_id=7,
    )
    return dataclasses.replace(base, **changes)


def check_pair(volunteer, need, weights=None):
    """Explanation from the per-pair code, checked against the vectorised arrays."""
    explanation = explain(volunteer, need, weights)
    result = score_matrix([volunteer], [need], weights)
    assert REASON_CODES[Reason(int(result.first_failure[0, 0]))] == explanation.reason_code
    assert bool(result.eligible[0, 0]) == explanation.eligible
    assert result.score[0, 0] == pytest.approx(explanation.score, abs=1e-3)
    return explanation


# -- independent per-pair reference ----------------------------------------------------------------


def reference_run(volunteer, need):
    """Longest run of available days inside the need's window, counted day by day."""
    days = set()
    for start, end, hours in volunteer.availability:
        if need.mode != "remote" or hours >= need.hours_per_week:
            days |= {start + timedelta(days=i) for i in range((end - start).days + 1)}
    if need.mode != "remote":
        for start, end in volunteer.busy:
            days -= {start + timedelta(days=i) for i in range((end - start).days + 1)}
    best = current = 0
    for offset in range(need.window_days):
        current = current + 1 if need.window_start + timedelta(days=offset) in days else 0
        best = max(best, current)
    return best


def reference_reason(volunteer, need):
    run = reference_run(volunteer, need)
    onsite = need.mode in ("onsite", "hybrid")
    checks = [
        ("no_consent", volunteer.consent),
        ("profession", volunteer.profession == need.profession),
        ("not_onsite", not onsite or volunteer.offers_onsite),
        ("not_remote", onsite or volunteer.offers_remote),
        ("onsite_availability", not onsite or run >= need.min_duration_days),
        ("remote_availability", onsite or run >= need.min_duration_days),
        ("language", all(volunteer.languages.get(c, 0) >= 2 for c in need.required_languages)),
        ("experience", volunteer.years_experience >= need.min_years_experience),
        (
            "credential",
            not need.requires_verified_credential
            or (
                volunteer.credential_valid_until is not None
                and volunteer.credential_valid_until >= need.window_start + timedelta(days=need.min_duration_days - 1)
            ),
        ),
    ]
    return next((code for code, passed in checks if not passed), "eligible")


def reference_score(volunteer, need, weights):
    if reference_reason(volunteer, need) != "eligible":
        return 0.0
    total = sum(getattr(weights, name) for name in FACTORS)
    req, pref, langs = need.required_skills, need.preferred_skills, need.required_languages
    values = {
        "required_skills": len(req & volunteer.skills) / len(req) if req else 1,
        "preferred_skills": len(pref & volunteer.skills) / len(pref) if pref else 1,
        "languages": sum(volunteer.languages[c] - 1 for c in langs) / (3 * len(langs)) if langs else 1,
        "experience": min(1, (volunteer.years_experience - need.min_years_experience) / 10),
        "region": 0.5
        if need.region is None or not volunteer.preferred_regions
        else float(need.region in volunteer.preferred_regions),
        "availability": min(1, reference_run(volunteer, need) / need.window_days),
        "engagement": float(need.organisation_id in volunteer.organisations_engaged),
    }
    return sum(values[name] * getattr(weights, name) * 100 / total for name in FACTORS)


# -- eligibility -----------------------------------------------------------------------------------


def test_volunteer_meeting_every_requirement_is_eligible():
    explanation = check_pair(make_volunteer(), make_need())

    assert explanation.eligible
    assert explanation.reason_code == "eligible"
    assert explanation.reason == ""


@pytest.mark.parametrize(
    ("volunteer_changes", "need_changes", "code", "words"),
    [
        ({"consent": False}, {}, "no_consent", "not agreed to be shown"),
        ({"profession": "radiographer"}, {}, "profession", "“radiologist”, not “radiographer”"),
        ({"offers_onsite": False}, {}, "not_onsite", "does not offer on-site"),
        ({"offers_onsite": False}, {"mode": "hybrid"}, "not_onsite", "does not offer on-site"),
        ({"offers_remote": False}, {"mode": "remote"}, "not_remote", "does not offer remote"),
        ({"availability": [(day(50), day(90), 10)]}, {}, "onsite_availability", "free for 14 consecutive days"),
        ({"busy": [(day(40), day(48))]}, {}, "onsite_availability", "between 2026-03-31 and 2026-04-29"),
        ({"availability": [(day(0), day(120), 4)]}, {"mode": "remote"}, "remote_availability", "5 hours a week"),
        ({}, {"required_languages": frozenset({"en", "sw"})}, "language", "requires sw at working level"),
        ({}, {"required_languages": frozenset({"pt"})}, "language", "requires pt at working level"),
        ({"years_experience": 4}, {}, "experience", "requires 5 years of experience; the volunteer has 4"),
        ({"credential_valid_until": None}, {}, "credential", "valid until at least 2026-04-13"),
        ({"credential_valid_until": day(42)}, {}, "credential", "valid until at least 2026-04-13"),
    ],
)
def test_each_hard_constraint_excludes_and_is_named(volunteer_changes, need_changes, code, words):
    explanation = check_pair(make_volunteer(**volunteer_changes), make_need(**need_changes))

    assert not explanation.eligible
    assert explanation.reason_code == code
    assert words in explanation.reason
    assert explanation.score == 0
    assert explanation.contributions == ()


def test_first_failed_requirement_follows_the_order_of_the_checks():
    # Break every requirement, then repair them one at a time from the first: the reported failure
    # moves down the list in order.
    broken = [
        ("no_consent", {"consent": False}),
        ("profession", {"profession": "physicist"}),
        ("not_onsite", {"offers_onsite": False}),
        ("onsite_availability", {"availability": []}),
        ("language", {"languages": {}}),
        ("experience", {"years_experience": 0}),
        ("credential", {"credential_valid_until": None}),
    ]
    good = make_volunteer()
    for index, (code, _) in enumerate(broken):
        changes = {}
        for _, change in broken[index:]:
            changes.update(change)
        assert check_pair(make_volunteer(**changes), make_need()).reason_code == code
    assert check_pair(good, make_need()).eligible


def test_availability_counts_days_inclusively():
    need = make_need(window_start=day(0), window_end=day(30), min_duration_days=14)

    assert check_pair(make_volunteer(availability=[(day(10), day(23), 0)]), need).eligible
    assert not check_pair(make_volunteer(availability=[(day(10), day(22), 0)]), need).eligible


def test_adjacent_availability_windows_join_into_one_stretch():
    need = make_need(window_start=day(0), window_end=day(30), min_duration_days=14)
    windows = [(day(5), day(11), 0), (day(12), day(18), 0)]

    assert check_pair(make_volunteer(availability=windows), need).eligible


def test_busy_placement_must_leave_a_long_enough_free_stretch():
    need = make_need(window_start=day(0), window_end=day(30), min_duration_days=14)
    volunteer = make_volunteer(availability=[(day(0), day(30), 0)])

    # Days 0–13 stay free before a placement that starts on day 14.
    assert check_pair(dataclasses.replace(volunteer, busy=[(day(14), day(20))]), need).eligible
    # One day earlier and neither side of the placement has 14 free days.
    assert not check_pair(dataclasses.replace(volunteer, busy=[(day(13), day(19))]), need).eligible
    # Free again from the day after a placement: days 17–30 are 14 days, days 18–30 only 13.
    assert check_pair(dataclasses.replace(volunteer, busy=[(day(0), day(16))]), need).eligible
    assert not check_pair(dataclasses.replace(volunteer, busy=[(day(0), day(17))]), need).eligible


def test_remote_work_ignores_on_site_placements_but_needs_the_hours():
    need = make_need(mode="remote", window_start=day(0), window_end=day(30), hours_per_week=8)
    busy_volunteer = make_volunteer(availability=[(day(0), day(30), 8)], busy=[(day(0), day(30))])

    assert check_pair(busy_volunteer, need).eligible
    assert check_pair(dataclasses.replace(busy_volunteer, availability=[(day(0), day(30), 7)]), need).reason_code == (
        "remote_availability"
    )


def test_remote_windows_with_enough_hours_join_up_but_thin_ones_do_not_count():
    need = make_need(mode="remote", window_start=day(0), window_end=day(30), min_duration_days=14, hours_per_week=8)
    joined = [(day(0), day(6), 10), (day(7), day(13), 8)]
    interrupted = [(day(0), day(6), 10), (day(7), day(7), 2), (day(8), day(14), 8)]

    assert check_pair(make_volunteer(availability=joined), need).eligible
    assert not check_pair(make_volunteer(availability=interrupted), need).eligible


def test_hybrid_need_is_checked_like_an_on_site_need():
    need = make_need(mode="hybrid")

    assert check_pair(make_volunteer(offers_remote=False), need).eligible
    assert check_pair(make_volunteer(busy=[(day(0), day(120))]), need).reason_code == "onsite_availability"


def test_working_proficiency_is_enough_for_a_required_language():
    need = make_need(required_languages=frozenset({"pt"}))

    assert check_pair(make_volunteer(languages={"pt": 2}), need).eligible
    assert not check_pair(make_volunteer(languages={"pt": 1}), need).eligible


def test_credential_must_last_until_the_earliest_possible_end_of_the_placement():
    need = make_need(window_start=day(30), min_duration_days=14)  # earliest end: day 43

    assert check_pair(make_volunteer(credential_valid_until=day(43)), need).eligible
    assert not check_pair(make_volunteer(credential_valid_until=day(42)), need).eligible
    not_required = make_need(requires_verified_credential=False)
    assert check_pair(make_volunteer(credential_valid_until=None), not_required).eligible


# -- scores and explanations -----------------------------------------------------------------------


def test_perfect_pair_scores_one_hundred():
    volunteer = make_volunteer(skills=frozenset({1, 2, 3, 4}), years_experience=15, languages={"en": 4})
    need = make_need(window_start=day(0), window_end=day(60))

    explanation = check_pair(volunteer, need)

    assert explanation.score == pytest.approx(100)
    assert {c.code: c.value for c in explanation.contributions} == dict.fromkeys(FACTORS, 1.0)


def test_explanation_gives_each_factors_points_and_they_add_up_to_the_score():
    volunteer = make_volunteer(
        skills=frozenset({1, 3}),  # half the required skills, half the preferred ones
        years_experience=10,  # 5 years beyond the minimum of 5
        languages={"en": 3},  # fluent: (3 - 1) / 3
        preferred_regions=frozenset({"lac"}),  # not the need's region
        organisations_engaged=frozenset(),
        availability=[(day(30), day(44), 0)],  # 15 of the window's 30 days
    )

    explanation = check_pair(volunteer, make_need())

    points = {c.code: c.points for c in explanation.contributions}
    assert points == pytest.approx(
        {
            "required_skills": 15,
            "preferred_skills": 5,
            "languages": 10,
            "experience": 5,
            "region": 0,
            "availability": 7.5,
            "engagement": 0,
        }
    )
    assert explanation.score == pytest.approx(42.5)
    assert math.fsum(points.values()) == pytest.approx(explanation.score)
    assert [c.label for c in explanation.contributions] == [FACTOR_LABELS[name] for name in FACTORS]


def test_needs_asking_for_nothing_give_full_marks_and_unstated_region_half():
    need = make_need(
        required_skills=frozenset(),
        preferred_skills=frozenset(),
        required_languages=frozenset(),
        region=None,
    )

    points = {c.code: c.points for c in check_pair(make_volunteer(skills=frozenset()), need).contributions}

    assert points["required_skills"] == 30
    assert points["preferred_skills"] == 10
    assert points["languages"] == 15
    assert points["region"] == 5


def test_weights_change_which_volunteer_ranks_first():
    skilled = make_volunteer(id=1, skills=frozenset({1, 2, 3, 4}), years_experience=5)
    seasoned = make_volunteer(id=2, skills=frozenset({1}), years_experience=30)
    need = make_need()

    skills_first = Weights(required_skills=80, preferred_skills=10, experience=10, **_zero("languages", "region"))
    experience_first = Weights(required_skills=10, preferred_skills=0, experience=90, **_zero("languages", "region"))

    by_skills = top_k_for_needs(score_matrix([skilled, seasoned], [need], skills_first), 2)[need.id]
    by_experience = top_k_for_needs(score_matrix([skilled, seasoned], [need], experience_first), 2)[need.id]

    assert [v for v, _ in by_skills] == [1, 2]
    assert [v for v, _ in by_experience] == [2, 1]


def _zero(*names):
    return {name: 0 for name in (*names, "availability", "engagement")}


def test_weights_are_rescaled_to_a_hundred_points():
    only_skills = Weights(**{name: 0 for name in FACTORS if name != "required_skills"}, required_skills=3)

    explanation = check_pair(make_volunteer(skills=frozenset({1})), make_need(), only_skills)

    assert explanation.score == pytest.approx(50)


def test_default_weights_total_one_hundred():
    assert sum(Weights().points().values()) == pytest.approx(100)
    assert sum(getattr(Weights(), name) for name in FACTORS) == 100


@pytest.mark.parametrize(
    "weights",
    [{"region": -1}, {"experience": math.inf}, dict.fromkeys(FACTORS, 0)],
)
def test_invalid_weights_are_rejected(weights):
    with pytest.raises(ValueError, match="weight"):
        Weights(**weights)


def test_weights_from_settings_mapping_reject_unknown_factors():
    assert Weights.from_mapping({"region": 20}).region == 20
    as_mapping = explain(make_volunteer(), make_need(), {"region": 0, "engagement": 0})
    assert as_mapping.score == explain(make_volunteer(), make_need(), Weights(region=0, engagement=0)).score
    with pytest.raises(ValueError, match="Unknown matching weights: charm"):
        Weights.from_mapping({"charm": 5})


def test_every_reason_has_a_message_that_formats_with_its_parameters():
    assert set(REASON_MESSAGES) == set(REASON_CODES.values())
    cases = [
        ({"consent": False}, {}),
        ({"profession": "student"}, {}),
        ({"offers_onsite": False}, {}),
        ({"offers_remote": False}, {"mode": "remote"}),
        ({"availability": []}, {}),
        ({"availability": []}, {"mode": "remote"}),
        ({"languages": {}}, {}),
        ({"years_experience": 0}, {}),
        ({"credential_valid_until": None}, {}),
    ]
    seen = set()
    for volunteer_changes, need_changes in cases:
        explanation = explain(make_volunteer(**volunteer_changes), make_need(**need_changes))
        assert explanation.reason == REASON_MESSAGES[explanation.reason_code].format(**explanation.reason_params)
        assert "{" not in explanation.reason
        seen.add(explanation.reason_code)
    assert seen == set(REASON_CODES.values()) - {"eligible"}


def test_invalid_records_are_rejected():
    with pytest.raises(ValueError, match="unknown mode"):
        make_need(mode="teleport")
    with pytest.raises(ValueError, match="ends before it starts"):
        make_need(window_end=day(0))
    with pytest.raises(ValueError, match="proficiency"):
        make_volunteer(languages={"en": 5})
    with pytest.raises(ValueError, match="Duplicate volunteer id 1"):
        score_matrix([make_volunteer(), make_volunteer()], [make_need()])


# -- the vectorised matrix -------------------------------------------------------------------------


def test_matrix_rows_and_columns_follow_id_order_whatever_the_input_order():
    volunteers = [make_volunteer(id=i, years_experience=5 + i) for i in (3, 1, 2)]
    needs = [make_need(id=i) for i in (30, 10, 20)]

    result = score_matrix(volunteers, needs)

    assert result.volunteer_ids == [1, 2, 3]
    assert result.need_ids == [10, 20, 30]
    assert result.score.dtype == np.float32 and result.score.shape == (3, 3)
    assert result.first_failure.dtype == np.int8
    assert result.score[result.volunteer_index(3), result.need_index(20)] == pytest.approx(
        explain(volunteers[0], needs[2]).score, abs=1e-3
    )


def test_many_skills_are_compared_beyond_sixty_four_bits():
    skills = frozenset(range(1000, 1150))
    volunteer = make_volunteer(skills=frozenset(range(1000, 1150, 3)))
    need = make_need(required_skills=skills, preferred_skills=frozenset(range(1100, 1200)))

    explanation = check_pair(volunteer, need)

    assert explanation.contributions[0].value == pytest.approx(50 / 150)


volunteer_strategy = st.builds(
    VolunteerData,
    id=st.integers(0, 10**6),
    profession=st.sampled_from(["radiologist", "radiographer"]),
    offers_onsite=st.booleans(),
    offers_remote=st.booleans(),
    years_experience=st.integers(0, 20),
    languages=st.dictionaries(st.sampled_from(["en", "fr", "pt"]), st.integers(1, 4), max_size=3),
    skills=st.frozensets(st.integers(1, 6), max_size=5),
    availability=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 25), st.sampled_from([0, 4, 8, 12])).map(
            lambda t: (day(t[0]), day(t[0] + t[1]), t[2])
        ),
        max_size=3,
    ),
    preferred_regions=st.frozensets(st.sampled_from(["ssa", "lac", "sa"]), max_size=2),
    credential_valid_until=st.one_of(st.none(), st.just(date.max), st.integers(0, 60).map(day)),
    busy=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 10)).map(lambda t: (day(t[0]), day(t[0] + t[1]))), max_size=2
    ),
    consent=st.booleans(),
    organisations_engaged=st.frozensets(st.integers(1, 3), max_size=2),
)

need_strategy = st.builds(
    lambda start, length, duration, **kwargs: NeedData(
        window_start=day(start), window_end=day(start + length), min_duration_days=duration, **kwargs
    ),
    start=st.integers(0, 30),
    length=st.integers(0, 20),
    duration=st.integers(1, 12),
    id=st.integers(0, 10**6),
    profession=st.sampled_from(["radiologist", "radiographer"]),
    mode=st.sampled_from(["onsite", "remote", "hybrid"]),
    hours_per_week=st.sampled_from([0, 4, 8, 10]),
    required_skills=st.frozensets(st.integers(1, 6), max_size=3),
    preferred_skills=st.frozensets(st.integers(1, 6), max_size=3),
    required_languages=st.frozensets(st.sampled_from(["en", "fr", "pt"]), max_size=2),
    min_years_experience=st.integers(0, 10),
    requires_verified_credential=st.booleans(),
    region=st.one_of(st.none(), st.sampled_from(["ssa", "lac", "sa"])),
    organisation_id=st.one_of(st.none(), st.integers(1, 3)),
)

# Any non-negative weights; at least one positive.
weights_strategy = st.builds(
    Weights, **{name: st.floats(1 if name == "required_skills" else 0, 50) for name in FACTORS}
)


def unique_ids(records):
    return [dataclasses.replace(r, id=i) for i, r in enumerate(records)]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(volunteer_strategy, max_size=6).map(unique_ids),
    st.lists(need_strategy, max_size=5).map(unique_ids),
    weights_strategy,
)
def test_vectorised_scores_equal_the_per_pair_reference(volunteers, needs, weights):
    result = score_matrix(volunteers, needs, weights, block_cells=7)

    assert result.score.shape == (len(volunteers), len(needs))
    assert ((result.score >= 0) & (result.score <= 100)).all()
    for volunteer in volunteers:
        for need in needs:
            i, j = result.volunteer_index(volunteer.id), result.need_index(need.id)
            expected = reference_reason(volunteer, need)
            explanation = explain(volunteer, need, weights)
            assert REASON_CODES[Reason(int(result.first_failure[i, j]))] == expected
            assert explanation.reason_code == expected
            assert bool(result.eligible[i, j]) == (expected == "eligible")
            assert result.score[i, j] == pytest.approx(reference_score(volunteer, need, weights), abs=1e-3)
            assert explanation.score == pytest.approx(reference_score(volunteer, need, weights), abs=1e-9)
            assert math.fsum(c.points for c in explanation.contributions) == pytest.approx(explanation.score)


# -- top-K -----------------------------------------------------------------------------------------


def brute_top_k(result, k, for_needs):
    score, eligible = result.score, result.eligible
    if for_needs:
        score, eligible = score.T, eligible.T
    own_ids, other_ids = result.volunteer_ids, result.need_ids
    if for_needs:
        own_ids, other_ids = other_ids, own_ids
    out = {}
    for i, own in enumerate(own_ids):
        ranked = sorted((-float(score[i, j]), j) for j in np.flatnonzero(eligible[i]))[:k]
        out[own] = [(other_ids[j], -s) for s, j in ranked]
    return out


def crowd(count_volunteers, count_needs):
    """Everyone eligible for everything, with varied scores and exact ties (ids 0–4 and 200–204)."""
    volunteers = [
        make_volunteer(id=i, skills=frozenset({1 + i % 3, 2 + i % 5}), years_experience=5 + i % 7)
        for i in range(count_volunteers)
    ]
    volunteers += [dataclasses.replace(v, id=200 + v.id) for v in volunteers[:5]]
    needs = [make_need(id=100 + j, required_skills=frozenset({1 + j % 4, 3})) for j in range(count_needs)]
    return volunteers, needs


@pytest.mark.parametrize("block_cells", [1, 37, 1 << 20])
def test_top_k_lists_the_best_eligible_pairs_best_first_with_ties_by_id(block_cells):
    volunteers, needs = crowd(60, 9)
    volunteers += [make_volunteer(id=500 + i, consent=False) for i in range(5)]
    result = score_matrix(volunteers, needs)

    for k in (0, 1, 4, 70):
        by_volunteer = top_k_for_volunteers(result, k, block_cells=block_cells)
        by_need = top_k_for_needs(result, k, block_cells=block_cells)
        assert by_volunteer == brute_top_k(result, k, for_needs=False)
        assert by_need == brute_top_k(result, k, for_needs=True)
        assert list(by_volunteer) == result.volunteer_ids
        assert by_volunteer[500] == []

    top = top_k_for_needs(result, 10)[100]
    assert [s for _, s in top] == sorted((s for _, s in top), reverse=True)
    tied = [(v, s) for v, s in top if s == top[0][1]]
    assert [v for v, _ in tied] == sorted(v for v, _ in tied)


@pytest.mark.parametrize("block_cells", [1, 50, 1 << 20])
def test_streamed_top_k_equals_the_dense_result(block_cells):
    volunteers, needs = crowd(45, 7)
    volunteers += [make_volunteer(id=900, profession="physicist"), make_volunteer(id=901, consent=False)]
    needs += [make_need(id=999, mode="remote")]
    result = score_matrix(volunteers, needs)

    streamed = score_top_k(volunteers, needs, k_per_volunteer=3, k_per_need=5, block_cells=block_cells)

    assert streamed.for_volunteers == top_k_for_volunteers(result, 3)
    assert streamed.for_needs == top_k_for_needs(result, 5)
    assert streamed.eligible_pairs == int(result.eligible.sum())
    counts = np.bincount(result.first_failure.ravel(), minlength=len(Reason))
    assert streamed.failure_counts == {REASON_CODES[r]: int(counts[r]) for r in Reason}


@pytest.mark.parametrize("block_cells", [1, 50, 1 << 20])
def test_top_pairs_are_the_top_k_of_both_sides_with_their_factor_points(block_cells):
    volunteers, needs = crowd(45, 7)
    volunteers += [make_volunteer(id=900, profession="physicist"), make_volunteer(id=901, consent=False)]
    needs += [make_need(id=999, mode="remote")]
    top = score_top_k(volunteers, needs, k_per_volunteer=3, k_per_need=5, block_cells=block_cells, with_factors=True)

    pairs = score_top_pairs(volunteers, needs, k_per_volunteer=3, k_per_need=5, block_cells=block_cells)

    rows = list(
        zip(
            pairs.volunteer_ids.tolist(),
            pairs.need_ids.tolist(),
            pairs.score.tolist(),
            pairs.rank_for_volunteer.tolist(),
            pairs.rank_for_need.tolist(),
            pairs.points.tolist(),
            strict=True,
        )
    )
    assert [(v, n) for v, n, *_ in rows] == sorted(top.factors)
    for v, n, score, rank_v, rank_n, points in rows:
        by_volunteer = [need for need, _ in top.for_volunteers[v]]
        by_need = [volunteer for volunteer, _ in top.for_needs[n]]
        assert rank_v == (by_volunteer.index(n) + 1 if n in by_volunteer else 0)
        assert rank_n == (by_need.index(v) + 1 if v in by_need else 0)
        assert score == dict(top.for_volunteers[v]).get(n, dict(top.for_needs[n]).get(v))
        assert points == top.factors[(v, n)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(volunteer_strategy, max_size=8).map(unique_ids),
    st.lists(need_strategy, max_size=6).map(unique_ids),
    st.integers(0, 5),
)
def test_top_k_matches_brute_force_on_random_inputs(volunteers, needs, k):
    result = score_matrix(volunteers, needs)

    assert top_k_for_volunteers(result, k) == brute_top_k(result, k, for_needs=False)
    assert top_k_for_needs(result, k) == brute_top_k(result, k, for_needs=True)
    streamed = score_top_k(volunteers, needs, k_per_volunteer=k, k_per_need=k, block_cells=5)
    assert streamed.for_volunteers == top_k_for_volunteers(result, k)
    assert streamed.for_needs == top_k_for_needs(result, k)


def test_empty_inputs_give_empty_results():
    result = score_matrix([], [make_need()])

    assert result.score.shape == (0, 1)
    assert top_k_for_needs(result, 3) == {10: []}
    assert top_k_for_volunteers(score_matrix([make_volunteer()], []), 3) == {1: []}
    assert score_top_k([], []).for_needs == {}
