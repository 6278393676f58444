"""A full refresh skips the professions whose inputs and stored rows are as its last run left them, and
recomputes the others: the result is always the one a refresh from scratch gives."""

import datetime

import pytest
from django.utils import timezone

from matcher import store, store_rows
from matcher.models import Recommendation, RecommendationBlock
from programmes.models import Need
from tests.factories import AvailabilityWindowFactory, NeedFactory, VolunteerProfileFactory
from volunteers.models import Profession, VolunteerProfile

pytestmark = pytest.mark.django_db

NURSE, RADIOGRAPHER = Profession.IR_NURSE, Profession.RADIOGRAPHER


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def available(profession: str, **kwargs) -> VolunteerProfile:
    """A volunteer free from day 30 to day 120: eligible for NeedFactory's needs of their profession."""
    profile = VolunteerProfileFactory(profession=profession, **kwargs)
    AvailabilityWindowFactory(profile=profile, start_date=days(30), end_date=days(120), hours_per_week=6)
    return profile


def two_professions() -> dict[str, list[VolunteerProfile]]:
    people = {}
    for profession in (NURSE, RADIOGRAPHER):
        people[profession] = [available(profession, years_experience=4 + i) for i in range(3)]
        NeedFactory.create_batch(2, profession=profession)
    return people


def stored(profession: str | None = None) -> dict[tuple[int, int], tuple]:
    rows = Recommendation.objects.all()
    if profession:
        rows = rows.filter(need__profession=profession)
    return {
        (row.volunteer_id, row.need_id): (row.pk, row.score, row.rank_for_volunteer, row.rank_for_need, row.factors)
        for row in rows
    }


def values(rows: dict) -> dict:
    """The rows without their primary keys: what a refresh from scratch must give too."""
    return {key: value[1:] for key, value in rows.items()}


def from_scratch() -> dict:
    Recommendation.objects.all().delete()
    RecommendationBlock.objects.all().delete()
    store.recommendations_refresh()
    return values(stored())


def test_a_changed_profession_is_refreshed_an_unchanged_one_untouched():
    people = two_professions()
    first = store.recommendations_refresh()
    assert first.skipped == []
    radiographers = {row.pk: row.computed_at for row in Recommendation.objects.filter(need__profession=RADIOGRAPHER)}
    nurses_before = stored(NURSE)

    VolunteerProfile.objects.filter(pk=people[NURSE][0].pk).update(years_experience=12)
    summary = store.recommendations_refresh()

    assert summary.skipped == [RADIOGRAPHER]
    assert summary.rows == first.rows
    assert {
        row.pk: row.computed_at for row in Recommendation.objects.filter(need__profession=RADIOGRAPHER)
    } == radiographers
    nurses_after = stored(NURSE)
    assert nurses_after != nurses_before
    assert values(stored()) == from_scratch()


def test_nothing_changed_skips_every_profession_and_writes_nothing():
    two_professions()
    first = store.recommendations_refresh()

    again = store.recommendations_refresh()

    assert again.skipped == sorted([NURSE, RADIOGRAPHER])
    assert (again.inserted, again.deleted, again.rows) == (0, 0, first.rows)


def test_rows_changed_behind_the_refresh_are_recomputed_though_the_inputs_did_not_change():
    two_professions()
    store.recommendations_refresh()
    expected = values(stored())
    Recommendation.objects.filter(need__profession=NURSE).order_by("pk").first().delete()

    summary = store.recommendations_refresh()

    assert summary.skipped == [RADIOGRAPHER]
    assert values(stored()) == expected


def test_a_partial_refresh_in_between_leaves_the_same_result_as_a_refresh_from_scratch():
    people = two_professions()
    store.recommendations_refresh()
    VolunteerProfile.objects.filter(pk=people[RADIOGRAPHER][1].pk).update(years_experience=20)
    store.recommendations_refresh_volunteers(volunteer_ids=[people[RADIOGRAPHER][1].pk])

    store.recommendations_refresh()

    assert values(stored()) == from_scratch()


def test_a_volunteer_leaving_changes_their_professions_rows_only():
    people = two_professions()
    store.recommendations_refresh()
    VolunteerProfile.objects.filter(pk=people[NURSE][2].pk).update(consent_to_share=False)

    summary = store.recommendations_refresh()

    assert summary.skipped == [RADIOGRAPHER]
    assert not Recommendation.objects.filter(volunteer=people[NURSE][2]).exists()
    assert values(stored()) == from_scratch()


def test_new_weights_recompute_every_profession(settings):
    two_professions()
    store.recommendations_refresh()
    settings.MATCHING_WEIGHTS = {
        **settings.MATCHING_WEIGHTS,
        "experience": settings.MATCHING_WEIGHTS["experience"] + 20,
    }

    summary = store.recommendations_refresh()

    assert summary.skipped == []
    assert summary.inserted == summary.rows > 0


def test_a_profession_without_candidate_needs_loses_its_rows_and_its_block():
    two_professions()
    store.recommendations_refresh()
    Need.objects.filter(profession=NURSE).update(status=Need.Status.CLOSED)

    store.recommendations_refresh()

    assert not Recommendation.objects.filter(need__profession=NURSE).exists()
    assert set(RecommendationBlock.objects.values_list("profession", flat=True)) == {RADIOGRAPHER}


def test_a_failed_block_write_leaves_every_stored_row_as_it_was(monkeypatch, settings):
    """Blocks are written by a background thread while the next one is scored (store_rows.BackgroundWriter):
    its error reaches the caller, and the refresh's transaction is rolled back whole."""
    two_professions()
    store.recommendations_refresh()
    before = stored()
    settings.MATCHING_WEIGHTS = {
        **settings.MATCHING_WEIGHTS,
        "experience": settings.MATCHING_WEIGHTS["experience"] + 20,
    }
    calls = []
    original = store_rows.Writer.write

    def write_then_fail(writer, stored_rows, wanted):
        calls.append(len(wanted))
        result = original(writer, stored_rows, wanted)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return result

    monkeypatch.setattr(store_rows.Writer, "write", write_then_fail)

    with pytest.raises(RuntimeError, match="the disk is full"):
        store.recommendations_refresh()

    assert len(calls) == 2
    assert stored() == before
