"""How a refresh writes the stored recommendations: only what changed, in place, in a number of queries that
does not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matcher import store
from matcher.models import Recommendation
from programmes.models import Need
from tests.factories import AvailabilityWindowFactory, NeedFactory, VolunteerProfileFactory
from volunteers.models import Profession, VolunteerProfile

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def available(**kwargs) -> VolunteerProfile:
    """A volunteer free from day 30 to day 120: eligible for NeedFactory's needs of their profession."""
    profile = VolunteerProfileFactory(**kwargs)
    AvailabilityWindowFactory(profile=profile, start_date=days(30), end_date=days(120), hours_per_week=6)
    return profile


def rows() -> dict[tuple[int, int], Recommendation]:
    return {(row.volunteer_id, row.need_id): row for row in Recommendation.objects.all()}


def values(row: Recommendation) -> tuple:
    return (row.pk, row.score, row.rank_for_volunteer, row.rank_for_need, row.factors, row.computed_at)


def test_a_changed_row_is_updated_in_place_an_unchanged_one_untouched_a_vanished_one_deleted():
    # Needs ask for 3 years; experience counts up to 13.
    rising = available(years_experience=8)
    steady = available(years_experience=5)
    leaving = available(years_experience=4)
    need = NeedFactory()
    store.recommendations_refresh()
    before = rows()

    VolunteerProfile.objects.filter(pk=rising.pk).update(years_experience=12)
    VolunteerProfile.objects.filter(pk=leaving.pk).update(consent_to_share=False)
    summary = store.recommendations_refresh()

    after = rows()
    assert set(after) == {(rising.pk, need.pk), (steady.pk, need.pk)}
    changed, was = after[(rising.pk, need.pk)], before[(rising.pk, need.pk)]
    assert changed.pk == was.pk
    assert changed.score > was.score
    assert changed.factors["experience"] > was.factors["experience"]
    assert changed.computed_at > was.computed_at
    assert values(after[(steady.pk, need.pk)]) == values(before[(steady.pk, need.pk)])
    assert (summary.rows, summary.inserted, summary.deleted) == (2, 1, 1)


def test_rows_written_by_a_partial_refresh_are_left_alone_by_the_next_full_one():
    volunteers = [available(years_experience=4 + i) for i in range(3)]
    NeedFactory.create_batch(2)
    store.recommendations_refresh()
    VolunteerProfile.objects.filter(pk=volunteers[0].pk).update(years_experience=11)
    store.recommendations_refresh_volunteers(volunteer_ids=[volunteers[0].pk])
    before = {key: values(row) for key, row in rows().items()}

    summary = store.recommendations_refresh()

    assert {key: values(row) for key, row in rows().items()} == before
    assert (summary.inserted, summary.deleted, summary.rows) == (0, 0, 6)


def test_new_weights_rewrite_every_row(settings):
    for i in range(3):
        available(years_experience=4 + i)
    NeedFactory.create_batch(2)
    store.recommendations_refresh()
    before = {key: row.score for key, row in rows().items()}

    settings.MATCHING_WEIGHTS = {
        **settings.MATCHING_WEIGHTS,
        "experience": settings.MATCHING_WEIGHTS["experience"] + 20,
    }
    summary = store.recommendations_refresh()

    after = {key: row.score for key, row in rows().items()}
    assert set(after) == set(before)
    assert all(after[key] != before[key] for key in after)
    assert (summary.inserted, summary.deleted, summary.rows) == (6, 0, 6)


def queries(refresh) -> int:
    with CaptureQueriesContext(connection) as captured:
        refresh()
    return len(captured)


def add_people(count: int) -> list[VolunteerProfile]:
    """`count` volunteers and needs of each of two professions."""
    people = []
    for i in range(count):
        people.append(available(years_experience=4 + i))
        available(years_experience=4 + i, profession=Profession.PHYSICIST)
        NeedFactory(min_years_experience=i % 3)
        NeedFactory(min_years_experience=i % 3, profession=Profession.PHYSICIST)
    return people


def full_refresh_queries(settings) -> tuple[int, int, int]:
    """Queries of a full refresh into an empty table, with nothing to change, and with every row changed."""
    Recommendation.objects.all().delete()
    weights = settings.MATCHING_WEIGHTS
    empty = queries(store.recommendations_refresh)
    again = queries(store.recommendations_refresh)
    settings.MATCHING_WEIGHTS = {**weights, "experience": weights["experience"] + 20}
    changed = queries(store.recommendations_refresh)
    settings.MATCHING_WEIGHTS = weights
    return empty, again, changed


def test_a_full_refresh_runs_as_many_queries_for_many_rows_as_for_few(settings):
    add_people(2)
    few = full_refresh_queries(settings)
    add_people(8)
    many = full_refresh_queries(settings)

    assert Recommendation.objects.count() == 2 * 10 * 10
    assert many == few


def test_a_partial_refresh_runs_as_many_queries_for_many_rows_as_for_few(django_capture_on_commit_callbacks):
    def partial_refresh_queries(volunteer: VolunteerProfile, need: Need, min_years: int) -> tuple[int, int]:
        """Queries of a volunteer's and a need's refresh after an edit that changes their scores (everyone
        stays eligible, every eligible pair is stored: the refresh only updates rows)."""
        store.recommendations_refresh()
        VolunteerProfile.objects.filter(pk=volunteer.pk).update(years_experience=F("years_experience") + 1)
        with django_capture_on_commit_callbacks():
            for_volunteer = queries(lambda: store.recommendations_refresh_volunteers(volunteer_ids=[volunteer.pk]))
        Need.objects.filter(pk=need.pk).update(min_years_experience=min_years)
        with django_capture_on_commit_callbacks():
            for_need = queries(lambda: store.recommendations_refresh_needs(need_ids=[need.pk]))
        return for_volunteer, for_need

    first = add_people(2)[0]
    need = NeedFactory()
    few = partial_refresh_queries(first, need, min_years=0)
    add_people(8)
    many = partial_refresh_queries(first, need, min_years=1)

    assert Recommendation.objects.filter(need__profession=need.profession).count() == 10 * 11
    assert many == few
