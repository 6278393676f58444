"""The matcher's stored recommendations: the refresh service and its tasks, where volunteers and
coordinators see the results, and inviting a suggested volunteer to apply."""

import datetime
import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from globalir import refresh
from globalir.outbox.models import OutboxTask
from globalir.outbox.services import outbox_publish, outbox_relay
from matcher import fit, loader, store, store_rows
from matcher import suggestions as matcher_suggestions
from matcher.engine import FACTORS
from matcher.models import Recommendation
from matcher.tasks import refresh_all_recommendations, refresh_need_recommendations, refresh_volunteer_recommendations
from notifications.models import Notification
from placements import services as placements_services
from placements.models import Application
from programmes import selectors
from programmes import services as programmes_services
from programmes.models import Mode, Need, Programme
from tests.factories import (
    ApplicationFactory,
    AvailabilityWindowFactory,
    CredentialFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    VolunteerProfileFactory,
    skill,
)
from tests.test_celery_worker import WORKER_TIMEOUT_SECONDS, worker  # noqa: F401 - the fixture
from volunteers import services as volunteer_services
from volunteers.models import Credential, Profession, VolunteerProfile

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def available(**kwargs) -> VolunteerProfile:
    """A volunteer (IR physician, on site and remote, 8 years) free from day 30 to day 120: eligible for
    NeedFactory's needs (day 40 to 100, at least 14 days, 3 years)."""
    profile = VolunteerProfileFactory(**kwargs)
    AvailabilityWindowFactory(profile=profile, start_date=days(30), end_date=days(120), hours_per_week=6)
    return profile


def stored() -> dict[tuple[int, int], tuple]:
    """Every stored row as (score, rank for the volunteer, rank for the need, factors)."""
    return {
        (r.volunteer_id, r.need_id): (round(r.score, 4), r.rank_for_volunteer, r.rank_for_need, r.factors)
        for r in Recommendation.objects.all()
    }


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def small_top_k(settings):
    settings.MATCHING_TOP_K = 2
    return 2


# -- the full refresh ------------------------------------------------------------------------------


def test_refresh_stores_each_volunteers_eligible_needs_with_score_ranks_and_factors():
    volunteer = available(skills=["embolisation"], years_experience=12)
    best = NeedFactory(title="Embolisation", required_skills=["embolisation"])
    other = NeedFactory(title="MRI", required_skills=["mri"])
    NeedFactory(title="For physicists", profession=Profession.PHYSICIST)

    summary = store.recommendations_refresh()

    rows = {r.need_id: r for r in Recommendation.objects.filter(volunteer=volunteer)}
    assert set(rows) == {best.pk, other.pk}
    assert rows[best.pk].score > rows[other.pk].score
    assert (rows[best.pk].rank_for_volunteer, rows[other.pk].rank_for_volunteer) == (1, 2)
    assert rows[best.pk].rank_for_need == 1
    assert list(rows[best.pk].factors) == sorted(FACTORS, key=lambda name: (len(name), name))
    assert sum(rows[best.pk].factors.values()) == pytest.approx(rows[best.pk].score, abs=0.05)
    assert rows[best.pk].factors["required_skills"] == 30
    assert rows[other.pk].factors["required_skills"] == 0
    assert summary.rows == 2 and summary.inserted == 2


def test_refresh_keeps_each_sides_top_k_only(small_top_k):
    volunteers = [available(years_experience=5 + i) for i in range(4)]
    needs = [NeedFactory() for _ in range(3)]

    store.recommendations_refresh()

    for volunteer in volunteers:
        ranks = Recommendation.objects.filter(volunteer=volunteer).values_list("rank_for_volunteer", flat=True)
        assert sorted(rank for rank in ranks if rank is not None) == [1, 2]
    for need in needs:
        ranked = Recommendation.objects.filter(need=need, rank_for_need__isnull=False).order_by("rank_for_need")
        # The most experienced volunteers first.
        assert [r.volunteer_id for r in ranked] == [volunteers[3].pk, volunteers[2].pk]
    assert not Recommendation.objects.filter(rank_for_volunteer__isnull=True, rank_for_need__isnull=True).exists()


def test_only_onboarded_consenting_active_volunteers_and_listed_needs_are_recommended():
    volunteer = available()
    available(consent_to_share=False)
    available(onboarding_completed_at=None)
    available(user__is_active=False)
    need = NeedFactory()
    NeedFactory(status=Need.Status.CLOSED)
    NeedFactory(programme__status=Programme.Status.DRAFT)
    NeedFactory(application_deadline=days(-1))

    store.recommendations_refresh()

    assert set(stored()) == {(volunteer.pk, need.pk)}


def test_refresh_run_twice_leaves_the_same_rows_untouched():
    for _ in range(3):
        available()
    NeedFactory.create_batch(2)
    store.recommendations_refresh()
    before = list(Recommendation.objects.order_by("pk").values_list("pk", "score", "factors", "computed_at"))

    again = store.recommendations_refresh()

    assert list(Recommendation.objects.order_by("pk").values_list("pk", "score", "factors", "computed_at")) == before
    assert (again.inserted, again.deleted, again.rows) == (0, 0, 6)


def test_refresh_reads_the_database_in_the_same_handful_of_queries_for_many_volunteers_as_for_few():
    def queries_for_refresh():
        with CaptureQueriesContext(connection) as queries:
            store.recommendations_refresh()
        return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]

    available(skills=["embolisation"])
    NeedFactory(required_skills=["mri"], required_languages=["fr"])
    few = queries_for_refresh()
    for _ in range(12):
        volunteer = available(skills=["embolisation", "mri"], languages=[("en", 4), ("fr", 3)])
        CredentialFactory(profile=volunteer, status=Credential.Status.VERIFIED)
        PlacementFactory(application__volunteer=volunteer)
        NeedFactory(required_skills=["embolisation"], required_languages=["fr"])
        RemoteNeedFactory()
    many = queries_for_refresh()

    assert len(many) == len(few) <= 12


def test_loaded_records_equal_those_the_need_page_explains():
    volunteers = [
        available(skills=["embolisation", "mri"], languages=[("en", 4), ("fr", 2)], preferred_regions=["ssa", "lac"]),
        VolunteerProfileFactory(offers_onsite=False, preferred_regions=[]),
    ]
    CredentialFactory(profile=volunteers[0], status=Credential.Status.VERIFIED, expires_on=days(400))
    CredentialFactory(profile=volunteers[0], status=Credential.Status.PENDING, expires_on=days(900))
    CredentialFactory(profile=volunteers[1], status=Credential.Status.VERIFIED, expires_on=None)
    PlacementFactory(application__volunteer=volunteers[0])
    AvailabilityWindowFactory(profile=volunteers[1], start_date=days(0), end_date=days(10), hours_per_week=3)
    AvailabilityWindowFactory(profile=volunteers[1], start_date=days(11), end_date=days(60), hours_per_week=8)
    needs = [
        NeedFactory(required_skills=["embolisation"], required_languages=["fr", "en"]),
        RemoteNeedFactory(programme__countries=["KE", "TZ"], requires_verified_credential=True),
        RemoteNeedFactory(programme__countries=["KE", "PE"]),
    ]
    needs[0].preferred_skills.set([skill("mri")])

    loaded = {v.id: v for v in loader.volunteers_data(VolunteerProfile.objects.all())}
    loaded_needs = {n.id: n for n in loader.needs_data(Need.objects.all())}

    for volunteer in volunteers:
        assert loaded[volunteer.pk] == fit.volunteer_data(volunteer)
    for need in needs:
        page_need = selectors.need_listed_detail_queryset().get(pk=need.pk)
        assert loaded_needs[need.pk] == fit.need_data(page_need)


# -- partial refreshes -----------------------------------------------------------------------------


def snapshot_after_full_refresh() -> dict:
    store.recommendations_refresh()
    return stored()


def test_a_volunteers_refresh_gives_what_a_full_refresh_would(small_top_k):
    volunteers = [available(years_experience=4 + 2 * i) for i in range(5)]
    needs = [NeedFactory(required_skills=["embolisation"]) for _ in range(3)] + [NeedFactory()]
    store.recommendations_refresh()

    # The least experienced volunteer learns embolisation: now first for the needs that ask for it.
    volunteers[0].skills.set([skill("embolisation")])
    VolunteerProfile.objects.filter(pk=volunteers[0].pk).update(years_experience=20)
    summary = store.recommendations_refresh_volunteers(volunteer_ids=[volunteers[0].pk])

    assert summary.incomplete_needs == []
    partial = stored()
    assert partial == snapshot_after_full_refresh()
    assert partial[(volunteers[0].pk, needs[0].pk)][2] == 1


def test_a_volunteer_leaving_a_full_top_k_gets_that_need_recomputed(small_top_k, django_capture_on_commit_callbacks):
    volunteers = [available(years_experience=4 + 2 * i) for i in range(4)]
    need = NeedFactory()
    store.recommendations_refresh()
    best = volunteers[3]

    VolunteerProfile.objects.filter(pk=best.pk).update(consent_to_share=False)
    with django_capture_on_commit_callbacks(execute=True):
        summary = store.recommendations_refresh_volunteers(volunteer_ids=[best.pk])

    assert summary.incomplete_needs == [need.pk]
    assert not Recommendation.objects.filter(volunteer=best).exists()
    # The follow-up refresh of the need (run once the first committed) brought the next volunteer in.
    assert stored() == snapshot_after_full_refresh()
    ranked = Recommendation.objects.filter(need=need, rank_for_need__isnull=False).order_by("rank_for_need")
    assert [r.volunteer_id for r in ranked] == [volunteers[2].pk, volunteers[1].pk]


def test_a_needs_refresh_gives_what_a_full_refresh_would(small_top_k, django_capture_on_commit_callbacks):
    volunteers = [available(years_experience=4 + 2 * i, skills=["mri"] if i % 2 else []) for i in range(4)]
    needs = [NeedFactory() for _ in range(3)]
    store.recommendations_refresh()

    # The need now asks for MRI: the volunteers without it rank it lower than a need they had left out.
    needs[1].required_skills.set([skill("mri")])
    with django_capture_on_commit_callbacks(execute=True):
        summary = store.recommendations_refresh_needs(need_ids=[needs[1].pk])

    assert summary.incomplete_volunteers == [volunteers[0].pk, volunteers[2].pk]
    assert stored() == snapshot_after_full_refresh()
    assert {
        r.need_id for r in Recommendation.objects.filter(volunteer=volunteers[2], rank_for_volunteer__isnull=False)
    } == {needs[0].pk, needs[2].pk}


def test_a_closed_need_loses_its_recommendations_and_volunteers_see_their_next_best(
    small_top_k, coordinator, django_capture_on_commit_callbacks
):
    volunteer = available()
    needs = [NeedFactory(min_years_experience=y) for y in (0, 1, 2)]
    store.recommendations_refresh()
    top = Recommendation.objects.get(volunteer=volunteer, rank_for_volunteer=1).need

    with django_capture_on_commit_callbacks(execute=True):
        programmes_services.need_status_change(needs=[top], change=programmes_services.NeedChange.CLOSE, by=coordinator)

    assert not Recommendation.objects.filter(need=top).exists()
    remaining = Recommendation.objects.filter(volunteer=volunteer).order_by("rank_for_volunteer")
    assert [r.rank_for_volunteer for r in remaining] == [1, 2]
    assert {r.need_id for r in remaining} == {n.pk for n in needs} - {top.pk}


# -- atomic writes ---------------------------------------------------------------------------------


def test_a_refresh_failing_midway_leaves_the_previous_results_in_place(seeded_transactional_db, monkeypatch):
    volunteers = [available(years_experience=5 + i) for i in range(3)]
    NeedFactory.create_batch(3)
    store.recommendations_refresh()
    before = list(Recommendation.objects.order_by("pk").values_list("pk", "volunteer_id", "need_id", "score"))
    # New results to write: a volunteer gains experience, a need appears.
    VolunteerProfile.objects.filter(pk=volunteers[0].pk).update(years_experience=30)
    NeedFactory()
    real_insert = store_rows._insert_rows

    def insert_half_then_fail(rows, **kwargs):
        real_insert(rows[: len(rows) // 2], **kwargs)
        raise ConnectionError("the database went away while writing")

    monkeypatch.setattr(store_rows, "_insert_rows", insert_half_then_fail)
    with pytest.raises(ConnectionError):
        store.recommendations_refresh()
    with pytest.raises(ConnectionError):
        store.recommendations_refresh_volunteers(volunteer_ids=[volunteers[0].pk])

    assert list(Recommendation.objects.order_by("pk").values_list("pk", "volunteer_id", "need_id", "score")) == before
    monkeypatch.setattr(store_rows, "_insert_rows", real_insert)
    assert store.recommendations_refresh().inserted > 0
    assert Recommendation.objects.count() == 12


# -- tasks and enqueueing --------------------------------------------------------------------------


def test_tasks_take_ids_and_running_them_twice_leaves_the_same_rows():
    volunteer = available()
    need = NeedFactory()
    available()

    refresh_all_recommendations.delay()
    first = list(Recommendation.objects.order_by("pk").values_list("pk", "score", "computed_at"))
    for task, argument in (
        (refresh_all_recommendations, None),
        (refresh_volunteer_recommendations, volunteer.pk),
        (refresh_volunteer_recommendations, volunteer.pk),
        (refresh_need_recommendations, need.pk),
        (refresh_need_recommendations, need.pk),
    ):
        assert task.apply(args=[] if argument is None else [argument]).get() == 0

    assert list(Recommendation.objects.order_by("pk").values_list("pk", "score", "computed_at")) == first
    assert len(first) == 2


def test_tasks_acknowledge_late_retry_with_backoff_and_have_time_limits():
    for task in (refresh_all_recommendations, refresh_need_recommendations, refresh_volunteer_recommendations):
        assert task.acks_late and task.reject_on_worker_lost
        assert task.max_retries >= 3 and task.retry_backoff
        assert task.time_limit and task.soft_time_limit < task.time_limit


def test_a_burst_of_edits_queues_one_refresh_until_it_starts(django_capture_on_commit_callbacks):
    first, second = available(), available()
    NeedFactory()

    # Three edits of each volunteer before their tasks are sent: one queued refresh each.
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(3):
            volunteer_services.profiles_recommendations_refresh_later({first.pk})
            volunteer_services.profiles_recommendations_refresh_later({second.pk})
    queued = OutboxTask.objects.filter(status=OutboxTask.Status.PENDING).order_by("pk")
    assert [(row.args, row.owner_id, row.not_before is not None) for row in queued] == [
        ([first.pk], first.user_id, True),
        ([second.pk], second.user_id, True),
    ]

    # Once the first has run, the next edit of that volunteer queues another run.
    outbox_publish(ids=[queued[0].pk])
    assert Recommendation.objects.filter(volunteer=first).exists()
    with django_capture_on_commit_callbacks(execute=False):
        volunteer_services.profiles_recommendations_refresh_later({first.pk})
        volunteer_services.profiles_recommendations_refresh_later({second.pk})
    assert sorted(OutboxTask.objects.filter(status=OutboxTask.Status.PENDING).values_list("args", flat=True)) == [
        [first.pk],
        [second.pk],
    ]
    assert OutboxTask.objects.count() == 3


def test_nothing_runs_before_the_edit_commits_and_the_refresh_runs_once_it_has(django_capture_on_commit_callbacks):
    need = NeedFactory()
    available()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        refresh.recommendations_refresh_need_later(need_id=need.pk)

    assert not Recommendation.objects.exists()
    assert OutboxTask.objects.get().status == OutboxTask.Status.PENDING
    for callback in callbacks:
        callback()
    assert Recommendation.objects.filter(need=need).exists()
    assert OutboxTask.objects.get().status == OutboxTask.Status.DONE


def test_a_broker_outage_does_not_break_the_edit_and_the_relay_sends_it_later(
    monkeypatch, django_capture_on_commit_callbacks
):
    available()
    NeedFactory()

    def broker_down(**kwargs):
        raise ConnectionRefusedError("no broker")

    with monkeypatch.context() as patched:
        patched.setattr(refresh_all_recommendations, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            refresh.recommendations_refresh_all_later()
    assert OutboxTask.objects.get().status == OutboxTask.Status.PENDING

    # The broker is back: the relay sends the waiting task.
    assert outbox_relay(now=timezone.now() + datetime.timedelta(minutes=1)) == 1
    assert OutboxTask.objects.get().status == OutboxTask.Status.DONE
    assert Recommendation.objects.count() == 1


def test_the_full_refresh_runs_every_night():
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE["refresh-all-recommendations"]

    assert schedule["task"] == "matcher.refresh_all"
    assert schedule["schedule"].hour == {2}


def test_a_real_worker_refreshes_a_volunteer_sent_through_the_broker(seeded_transactional_db, worker):  # noqa: F811
    client, queue, process, log_path = worker
    volunteer = available()
    need = NeedFactory()

    client.send_task("matcher.refresh_volunteer", args=[volunteer.pk], queue=queue)

    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while not Recommendation.objects.filter(volunteer=volunteer, need=need).exists():
        assert process.poll() is None, f"The Celery worker exited early:\n{log_path.read_text()}"
        if time.monotonic() > deadline:
            pytest.fail(f"The worker did not refresh within {WORKER_TIMEOUT_SECONDS}s:\n{log_path.read_text()}")
        time.sleep(0.2)
    recommendation = Recommendation.objects.get(volunteer=volunteer, need=need)
    assert (recommendation.rank_for_volunteer, recommendation.rank_for_need) == (1, 1)
    assert "matcher.refresh_volunteer" in log_path.read_text()


# -- what triggers a refresh -----------------------------------------------------------------------


def test_completing_the_profile_shows_suggestions_from_the_matcher_at_once(client, django_capture_on_commit_callbacks):
    profile = available(onboarding_completed_at=None)
    need = NeedFactory(title="Teach embolisation in Moshi")

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_services.profile_complete(profile=profile)

    assert Recommendation.objects.filter(volunteer=profile, need=need, rank_for_volunteer=1).exists()
    client.force_login(profile.user)
    suggested = text(client.get(reverse("placements:dashboard"))).split("Suggested for you", 1)[1]
    assert "Teach embolisation in Moshi" in suggested


def test_saving_availability_refreshes_the_volunteers_recommendations(django_capture_on_commit_callbacks):
    profile = available()
    NeedFactory()
    store.recommendations_refresh()
    assert Recommendation.objects.filter(volunteer=profile).exists()

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_services.profile_save_step(
            user=profile.user,
            step="availability",
            data={"offers_onsite": True, "offers_remote": False, "windows": [(days(300), days(320), 0)]},
        )

    assert not Recommendation.objects.filter(volunteer=profile).exists()


def test_a_verified_credential_brings_needs_that_require_one(site_admin, django_capture_on_commit_callbacks):
    profile = available()
    need = NeedFactory(requires_verified_credential=True)
    credential = CredentialFactory(profile=profile, status=Credential.Status.PENDING)
    store.recommendations_refresh()
    assert not Recommendation.objects.filter(need=need).exists()

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_services.credentials_verify(credentials=[credential], by=site_admin)
    assert Recommendation.objects.filter(need=need, volunteer=profile).exists()

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_services.credential_delete(credential=credential, by=profile.user)
    assert not Recommendation.objects.filter(need=need).exists()


def test_accepting_an_offer_refreshes_the_volunteer_who_is_now_busy(django_capture_on_commit_callbacks):
    profile = available()
    need = NeedFactory(places=1)
    overlapping = NeedFactory(window_start=days(40), window_end=days(60))
    application = ApplicationFactory(
        volunteer=profile, need=need, status=Application.Status.OFFERED, proposed_end=days(100)
    )
    store.recommendations_refresh()
    assert Recommendation.objects.filter(volunteer=profile, need=overlapping).exists()

    with django_capture_on_commit_callbacks(execute=True):
        placements_services.offer_accept(application=application, by=profile.user)

    # On site from day 40 to 100, they are no longer free for the other need; the filled need is gone.
    assert not Recommendation.objects.filter(volunteer=profile).exists()


def test_closing_a_programme_removes_its_needs_suggestions(site_admin, django_capture_on_commit_callbacks):
    available()
    need = NeedFactory()
    store.recommendations_refresh()

    with django_capture_on_commit_callbacks(execute=True):
        programmes_services.programmes_close(programmes=[need.programme], by=site_admin)

    assert not Recommendation.objects.filter(need=need).exists()


# -- where volunteers see them ---------------------------------------------------------------------


def test_dashboard_suggestions_come_from_the_stored_recommendations(client):
    profile = available()
    first, second = NeedFactory(title="Stored first"), NeedFactory(title="Stored second")
    store.recommendations_refresh()
    # Scores as the matcher stored them (here edited to tell them apart from a live computation).
    Recommendation.objects.filter(need=first).update(score=91.6)
    Recommendation.objects.filter(need=second).update(score=97.2)
    client.force_login(profile.user)

    response = client.get(reverse("placements:dashboard"))

    suggested = response.context["suggestions"]
    assert [(n.title, n.fit_score) for n in suggested] == [("Stored second", 97), ("Stored first", 92)]
    assert "Fit 97 / 100" in text(response)


def test_dashboard_leaves_out_needs_applied_to_and_no_longer_listed(client):
    profile = available()
    applied, closed = NeedFactory(), NeedFactory()
    NeedFactory(title="Still open")
    store.recommendations_refresh()
    ApplicationFactory(volunteer=profile, need=applied)
    Need.objects.filter(pk=closed.pk).update(status=Need.Status.CLOSED)
    client.force_login(profile.user)

    suggested = client.get(reverse("placements:dashboard")).context["suggestions"]

    assert [n.title for n in suggested] == ["Still open"]


def test_dashboard_scores_live_until_the_matcher_has_run_for_the_volunteer(client):
    profile = available()
    NeedFactory(title="Not refreshed yet")
    client.force_login(profile.user)

    suggested = client.get(reverse("placements:dashboard")).context["suggestions"]

    assert [n.title for n in suggested] == ["Not refreshed yet"]
    assert suggested[0].fit_score > 0


def test_dashboard_with_stored_recommendations_runs_fewer_queries_than_scoring_live(
    client, django_assert_max_num_queries
):
    profile = available()
    NeedFactory.create_batch(8)
    client.force_login(profile.user)
    with CaptureQueriesContext(connection) as live:
        client.get(reverse("placements:dashboard"))
    store.recommendations_refresh()

    with django_assert_max_num_queries(len(live) - 3):
        response = client.get(reverse("placements:dashboard"))

    assert len(response.context["suggestions"]) == matcher_suggestions.DASHBOARD_SUGGESTIONS


def test_best_fit_sort_follows_the_stored_scores(client):
    profile = available()
    needs = [NeedFactory(title=f"Need {i}") for i in range(3)]
    NeedFactory(title="For radiographers", profession=Profession.RADIOGRAPHER, application_deadline=days(2))
    store.recommendations_refresh()
    for need, score in zip(needs, (55.0, 88.0, 70.0), strict=True):
        Recommendation.objects.filter(need=need).update(score=score)
    client.force_login(profile.user)

    response = client.get(reverse("programmes:opportunity-list"), {"sort": "fit"})

    shown = [(n.title, n.fit_score) for n in response.context["needs"]]
    assert shown == [("Need 1", 88), ("Need 2", 70), ("Need 0", 55), ("For radiographers", None)]


def test_best_fit_with_stored_recommendations_runs_fewer_queries_than_scoring_live(client):
    profile = available()
    NeedFactory.create_batch(25)
    client.force_login(profile.user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("programmes:opportunity-list"), {"sort": "fit", "page": 2}).status_code == 200
        return len(captured)

    live = queries()
    store.recommendations_refresh()

    assert queries() <= live - 4


def test_need_page_explains_the_same_score_the_matcher_stored(client):
    profile = available(skills=["embolisation"])
    need = NeedFactory(required_skills=["embolisation", "mri"])
    store.recommendations_refresh()
    client.force_login(profile.user)

    response = client.get(need.get_absolute_url())

    score = round(Recommendation.objects.get(volunteer=profile, need=need).score)
    assert response.context["fit"].score == score
    assert f"Why it fits you · {score} / 100" in text(response)


# -- where coordinators see them -------------------------------------------------------------------


def test_need_suggestions_list_the_best_volunteers_with_score_and_reasons(django_assert_num_queries):
    need = NeedFactory(required_skills=["embolisation"], programme__countries=["TZ"])
    skilled = available(skills=["embolisation"], years_experience=13)
    plain = available(preferred_regions=[])
    store.recommendations_refresh()

    with django_assert_num_queries(2):
        suggestions = matcher_suggestions.need_suggested_volunteers(need=need)

    assert [(s.volunteer, s.rank) for s in suggestions] == [(skilled, 1), (plain, 2)]
    assert suggestions[0].score == round(Recommendation.objects.get(volunteer=skilled, need=need).score)
    reasons = {reason.code: reason for reason in suggestions[0].reasons}
    assert reasons["required_skills"].label == "Required skills"
    assert (reasons["required_skills"].points, reasons["required_skills"].full_marks) == (30, 30)
    assert [r.points for r in suggestions[0].reasons] == sorted(
        (r.points for r in suggestions[0].reasons), reverse=True
    )
    assert "required_skills" not in {reason.code for reason in suggestions[1].reasons}
    assert not suggestions[0].invited
    assert suggestions[0].volunteer.user.email  # loaded with the volunteer


def test_need_suggestions_leave_out_applicants_and_volunteers_who_withdrew_consent():
    need = NeedFactory()
    applicant, withdrawn, hidden, shown = (available() for _ in range(4))
    store.recommendations_refresh()
    ApplicationFactory(need=need, volunteer=applicant)
    ApplicationFactory(need=need, volunteer=withdrawn, status=Application.Status.WITHDRAWN)
    ApplicationFactory(need=need, volunteer=None, status=Application.Status.COMPLETED)  # an erased volunteer
    VolunteerProfile.objects.filter(pk=hidden.pk).update(consent_to_share=False)

    suggestions = matcher_suggestions.need_suggested_volunteers(need=need, limit=10)

    assert [s.volunteer for s in suggestions] == [shown]


def test_need_suggestions_are_empty_before_the_matcher_ran():
    available()
    assert matcher_suggestions.need_suggested_volunteers(need=NeedFactory()) == []


# -- inviting a suggested volunteer to apply -------------------------------------------------------


@pytest.fixture
def suggested(organisation):
    need = NeedFactory(title="Embolisation faculty, Mwanza", programme__lead_organisation=organisation)
    volunteer = available(user__first_name="Amina", user__last_name="Okafor")
    store.recommendations_refresh()
    return need, volunteer


def invite_url(need, volunteer):
    return reverse("matcher:suggestion-invite", args=[need.pk, volunteer.pk])


def test_coordinator_invites_a_suggested_volunteer_who_gets_one_email(
    client, coordinator, suggested, mailoutbox, django_capture_on_commit_callbacks
):
    need, volunteer = suggested
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(need, volunteer), follow=True)

    assert response.redirect_chain[-1][0] == reverse("placements:pipeline", args=[need.pk])
    assert "Amina Okafor has been invited by e-mail to apply to this need." in [
        str(m) for m in response.context["messages"]
    ]
    notification = Notification.objects.get(event_key=f"apply-invitation:{need.pk}:{volunteer.pk}")
    assert notification.kind == "apply_invitation" and notification.recipient == volunteer.user
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [volunteer.user.email]
    assert "Embolisation faculty, Mwanza" in email.subject
    assert need.get_absolute_url() in email.body
    assert matcher_suggestions.need_suggested_volunteers(need=need)[0].invited


def test_a_volunteer_is_invited_once_only(
    client, coordinator, suggested, mailoutbox, django_capture_on_commit_callbacks
):
    need, volunteer = suggested
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(invite_url(need, volunteer))
        response = client.post(invite_url(need, volunteer), follow=True)

    assert "Amina Okafor has already been invited to apply." in [str(m) for m in response.context["messages"]]
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(kind="apply_invitation").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("not_suggested", "This volunteer is not among the suggestions for this need."),
        ("applied", "This volunteer has already applied to this need."),
        ("no_consent", "This volunteer is not available to be contacted by coordinators."),
        ("closed", "This need no longer takes applications, so nobody can be invited to it."),
    ],
)
def test_invitation_is_refused_with_a_reason(client, coordinator, suggested, change, message):
    need, volunteer = suggested
    if change == "not_suggested":
        volunteer = available()
    elif change == "applied":
        ApplicationFactory(need=need, volunteer=volunteer)
    elif change == "no_consent":
        VolunteerProfile.objects.filter(pk=volunteer.pk).update(consent_to_share=False)
    else:
        Need.objects.filter(pk=need.pk).update(status=Need.Status.CLOSED)
    client.force_login(coordinator)

    response = client.post(invite_url(need, volunteer), follow=True)

    assert response.redirect_chain[-1][0] == reverse("placements:pipeline", args=[need.pk])
    assert [str(m) for m in response.context["messages"]] == [message]
    assert not Notification.objects.filter(kind="apply_invitation").exists()


def test_anonymous_visitor_is_sent_to_log_in(client, suggested):
    need, volunteer = suggested

    response = client.post(invite_url(need, volunteer))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["other_coordinator", "volunteer_user"])
def test_outsiders_cannot_invite_and_learn_nothing(client, suggested, who, other_coordinator):
    need, volunteer = suggested
    client.force_login(other_coordinator if who == "other_coordinator" else volunteer.user)

    assert client.post(invite_url(need, volunteer)).status_code == 404
    assert not Notification.objects.filter(kind="apply_invitation").exists()


def test_invitation_needs_a_post_and_an_existing_volunteer(client, coordinator, suggested):
    need, volunteer = suggested
    client.force_login(coordinator)

    assert client.get(invite_url(need, volunteer)).status_code == 405
    assert client.post(reverse("matcher:suggestion-invite", args=[need.pk, 999999])).status_code == 404


def test_site_admin_may_invite_for_any_organisation(
    client, site_admin, suggested, mailoutbox, django_capture_on_commit_callbacks
):
    need, volunteer = suggested
    client.force_login(site_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(need, volunteer))

    assert response.status_code == 302
    assert len(mailoutbox) == 1


# -- the admin -------------------------------------------------------------------------------------


def test_site_admin_sees_recommendations_read_only_and_can_refresh_them(
    client, site_admin, django_capture_on_commit_callbacks
):
    available()
    need = NeedFactory(title="Suggested need")
    client.force_login(site_admin)
    changelist = reverse("admin:matcher_recommendation_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:matcher_recommendation_refresh"))
    assert response.status_code == 302 and response["Location"] == changelist
    response = client.get(changelist)

    assert "Every recommendation is being recomputed" in text(response)
    assert "Suggested need" in text(response)
    assert "Refresh every recommendation now" in text(response)
    recommendation = Recommendation.objects.get(need=need)
    change = client.get(reverse("admin:matcher_recommendation_change", args=[recommendation.pk]))
    assert change.status_code == 200 and "Save" not in text(change)
    assert client.get(reverse("admin:matcher_recommendation_add")).status_code == 403


def test_admin_action_refreshes_the_selected_needs(client, site_admin, django_capture_on_commit_callbacks):
    volunteer = available()
    need = NeedFactory()
    client.force_login(site_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:programmes_need_changelist"),
            {"action": "refresh_recommendations", "_selected_action": [need.pk]},
            follow=True,
        )

    assert "The suggestions of 1 need are being refreshed." in text(response)
    assert Recommendation.objects.filter(need=need, volunteer=volunteer, rank_for_need=1).exists()


def test_remote_needs_and_hybrid_needs_are_recommended_by_mode():
    onsite_only = available(offers_remote=False)
    remote_only = available(offers_onsite=False)
    remote = RemoteNeedFactory(hours_per_week=3, min_duration_days=20)
    hybrid = NeedFactory(mode=Mode.HYBRID, hours_per_week=2)

    store.recommendations_refresh()

    assert set(stored()) == {(onsite_only.pk, hybrid.pk), (remote_only.pk, remote.pk)}


def test_programme_factory_needs_are_candidates_only_when_published():
    programme = ProgrammeFactory(status=Programme.Status.DRAFT)
    NeedFactory(programme=programme)
    available()

    assert store.recommendations_refresh().rows == 0


def test_suggestions_block_shows_score_reasons_and_an_invite_button_for_the_board(rf, coordinator, suggested):
    from django.template.loader import render_to_string

    need, volunteer = suggested
    request = rf.get("/")
    request.user = coordinator
    suggestions = matcher_suggestions.need_suggested_volunteers(need=need)

    html = render_to_string(
        "matcher/includes/suggested_volunteers.html", {"need": need, "suggestions": suggestions}, request=request
    )

    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert f"Fit {suggestions[0].score} / 100" in page
    assert "Required skills: 30 of 30" in page
    assert f'action="{invite_url(need, volunteer)}"' in html
    assert "Invite Amina Okafor to apply" in page
    Notification.objects.create(
        kind="apply_invitation",
        event_key=f"apply-invitation:{need.pk}:{volunteer.pk}",
        recipient=volunteer.user,
        email=volunteer.user.email,
    )
    again = render_to_string(
        "matcher/includes/suggested_volunteers.html",
        {"need": need, "suggestions": matcher_suggestions.need_suggested_volunteers(need=need)},
        request=request,
    )
    assert "Invited to apply" in again and invite_url(need, volunteer) not in again


def test_refresh_command_stores_recommendations_and_says_how_many():
    from io import StringIO

    from django.core.management import call_command

    available()
    NeedFactory.create_batch(2)
    out = StringIO()

    call_command("refresh_recommendations", stdout=out)

    assert Recommendation.objects.count() == 2
    assert "1 volunteers × 2 needs: 2 recommendations stored (2 written, 0 removed)" in out.getvalue()


def test_editing_a_need_in_the_admin_refreshes_its_suggestions(client, site_admin, django_capture_on_commit_callbacks):
    volunteer = available(years_experience=8)
    need = NeedFactory()
    store.recommendations_refresh()
    assert Recommendation.objects.filter(need=need, volunteer=volunteer).exists()
    client.force_login(site_admin)
    url = reverse("admin:programmes_need_change", args=[need.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list | tuple) or hasattr(value, "all"):
            data[name] = [getattr(item, "pk", item) for item in value]
        else:
            data[name] = getattr(value, "pk", value)
    data["min_years_experience"] = 20

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not Recommendation.objects.filter(need=need).exists()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_partial_refreshes_after_random_edits_agree_with_a_full_refresh(
    seed, small_top_k, django_capture_on_commit_callbacks
):
    import random

    rng = random.Random(seed)
    skills = ["embolisation", "mri", "image-guided-biopsy"]
    volunteers = [
        available(years_experience=rng.randint(3, 30), skills=rng.sample(skills, rng.randint(0, 2))) for _ in range(7)
    ]
    needs = [
        NeedFactory(min_years_experience=rng.randint(0, 10), required_skills=rng.sample(skills, rng.randint(0, 2)))
        for _ in range(5)
    ]
    store.recommendations_refresh()

    for _ in range(6):
        if rng.random() < 0.5:
            volunteer = rng.choice(volunteers)
            edit = rng.choice(["years", "skills", "consent"])
            if edit == "years":
                VolunteerProfile.objects.filter(pk=volunteer.pk).update(years_experience=rng.randint(0, 30))
            elif edit == "skills":
                volunteer.skills.set([skill(slug) for slug in rng.sample(skills, rng.randint(0, 3))])
            else:
                VolunteerProfile.objects.filter(pk=volunteer.pk).update(consent_to_share=rng.random() < 0.5)
            with django_capture_on_commit_callbacks(execute=True):
                store.recommendations_refresh_volunteers(volunteer_ids=[volunteer.pk])
        else:
            need = rng.choice(needs)
            edit = rng.choice(["years", "skills", "status"])
            if edit == "years":
                Need.objects.filter(pk=need.pk).update(min_years_experience=rng.randint(0, 25))
            elif edit == "skills":
                need.required_skills.set([skill(slug) for slug in rng.sample(skills, rng.randint(0, 2))])
            else:
                status = rng.choice([Need.Status.OPEN, Need.Status.CLOSED])
                Need.objects.filter(pk=need.pk).update(status=status)
            with django_capture_on_commit_callbacks(execute=True):
                store.recommendations_refresh_needs(need_ids=[need.pk])
        partial = stored()

        assert partial == snapshot_after_full_refresh()
