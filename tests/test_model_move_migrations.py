"""A database filled before applications and the matcher's rows had apps of their own migrates with every row.

Applications, placements, feedback (with the applications' audit trail) moved from programmes to placements,
and recommendations, match rounds and round rankings to matcher, by migrations that only rename tables. The
test takes the database back to programmes' last migration before the move, fills every moved table the way
the portal did then (foreign keys between moved models, an audit-trail row, the admin's log and a permission
through their content types, a task queued in the outbox under its former name), migrates forward and reads
it all back through today's models.
"""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from globalir.accounts.models import User
from globalir.outbox.models import OutboxTask
from matcher.models import MatchRound, Recommendation, RoundRanking
from placements.models import Application, Feedback, Placement

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("programmes", "0005_programme_history"), ("placements", None), ("matcher", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    state = executor.migrate(targets)
    state.clear_delayed_apps_cache()
    return state.apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_apps():
    """The models as they were before the move; the database is brought back to today's schema afterwards."""
    try:
        yield migrate(BEFORE_THE_MOVE)
    finally:
        migrate(latest())


def fill(apps) -> dict[str, int]:
    """One row in every moved table, linked as the portal links them; returns their ids."""
    user = apps.get_model("accounts", "User").objects.create(email="move@example.org", password="!")
    organisation = apps.get_model("organisations", "Organisation").objects.create(
        name="Move Partners", slug="move-partners", status="verified"
    )
    programme = apps.get_model("programmes", "Programme").objects.create(
        lead_organisation=organisation, title="Move", slug="move", kind="training", status="published"
    )
    today = timezone.localdate()
    need = apps.get_model("programmes", "Need").objects.create(
        programme=programme,
        title="Interventional radiologist",
        profession="ir_physician",
        mode="remote",
        hours_per_week=4,
        window_start=today,
        window_end=today + datetime.timedelta(days=60),
    )
    profile = apps.get_model("volunteers", "VolunteerProfile").objects.create(
        user=user, profession="ir_physician", career_stage="consultant", calendar_token="move-token"
    )
    application = apps.get_model("programmes", "Application").objects.create(
        need=need, volunteer=profile, status="accepted", message="Happy to help.", accepted_at=timezone.now()
    )
    apps.get_model("programmes", "HistoricalApplication").objects.create(
        id=application.pk,
        need=need,
        volunteer=profile,
        status="accepted",
        created_at=application.created_at,
        history_date=timezone.now(),
        history_type="~",
        history_user=user,
    )
    placement = apps.get_model("programmes", "Placement").objects.create(
        application=application,
        need=need,
        volunteer=profile,
        mode="remote",
        start_date=today,
        end_date=today + datetime.timedelta(days=30),
        hours_per_week=4,
    )
    feedback = apps.get_model("programmes", "Feedback").objects.create(
        placement=placement, side="volunteer", author=user, rating=5, comments="Great team."
    )
    recommendation = apps.get_model("programmes", "Recommendation").objects.create(
        volunteer=profile,
        need=need,
        score=81.5,
        rank_for_volunteer=1,
        rank_for_need=1,
        factors={"languages": 15.0},
        computed_at=timezone.now(),
    )
    match_round = apps.get_model("programmes", "MatchRound").objects.create(
        programme=programme, ranking_deadline=timezone.now() + datetime.timedelta(days=3), created_by=user
    )
    ranking = apps.get_model("programmes", "RoundRanking").objects.create(
        match_round=match_round, application=application, volunteer_rank=1, need_rank=1
    )
    # What pointed at the moved models through their content types before the move.
    content_types = apps.get_model("contenttypes", "ContentType").objects
    application_type, _ = content_types.get_or_create(app_label="programmes", model="application")
    recommendation_type, _ = content_types.get_or_create(app_label="programmes", model="recommendation")
    apps.get_model("admin", "LogEntry").objects.create(
        user=user,
        content_type=application_type,
        object_id=str(application.pk),
        object_repr="application",
        action_flag=CHANGE,
        action_time=timezone.now(),
    )
    permission, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=recommendation_type, codename="view_recommendation", defaults={"name": "Can view recommendation"}
    )
    user.user_permissions.add(permission)
    task = apps.get_model("outbox", "OutboxTask").objects.create(
        task_name="programmes.matching.tasks.refresh_need_recommendations", args=[need.pk]
    )
    return {
        "user": user.pk,
        "need": need.pk,
        "profile": profile.pk,
        "application": application.pk,
        "placement": placement.pk,
        "feedback": feedback.pk,
        "recommendation": recommendation.pk,
        "match_round": match_round.pk,
        "ranking": ranking.pk,
        "task": task.pk,
    }


def test_every_moved_row_is_read_back_through_the_new_apps_models(old_apps):
    ids = fill(old_apps)

    migrate(latest())

    application = Application.objects.get(pk=ids["application"])
    assert (application.need_id, application.volunteer_id, application.status) == (
        ids["need"],
        ids["profile"],
        Application.Status.ACCEPTED,
    )
    assert application.message == "Happy to help."
    assert [record.status for record in application.history.all()] == ["accepted"]
    placement = Placement.objects.get(pk=ids["placement"])
    assert placement.application == application
    assert placement.hours_per_week == 4
    feedback = Feedback.objects.get(pk=ids["feedback"])
    assert (feedback.placement, feedback.rating, feedback.comments) == (placement, 5, "Great team.")
    recommendation = Recommendation.objects.get(pk=ids["recommendation"])
    assert (recommendation.need_id, recommendation.score, recommendation.factors) == (
        ids["need"],
        81.5,
        {"languages": 15.0},
    )
    ranking = RoundRanking.objects.get(pk=ids["ranking"])
    assert ranking.application == application
    assert ranking.match_round == MatchRound.objects.get(pk=ids["match_round"])
    # New rows get ids after the moved ones.
    assert Feedback.objects.create(placement=placement, side="organisation", rating=4).pk > feedback.pk


def test_the_admins_log_permissions_and_queued_tasks_follow_the_moved_models(old_apps):
    ids = fill(old_apps)

    migrate(latest())

    entry = LogEntry.objects.get(object_id=str(ids["application"]))
    assert entry.content_type == ContentType.objects.get_for_model(Application)
    assert entry.get_edited_object() == Application.objects.get(pk=ids["application"])
    assert not ContentType.objects.filter(app_label="programmes", model__in=["application", "recommendation"])
    assert User.objects.get(pk=ids["user"]).has_perm("matcher.view_recommendation")
    assert OutboxTask.objects.get(pk=ids["task"]).task_name == "matcher.refresh_need"


def test_the_move_can_be_undone_with_its_rows(old_apps):
    ids = fill(old_apps)
    migrate(latest())

    apps = migrate(BEFORE_THE_MOVE)

    application = apps.get_model("programmes", "Application").objects.get(pk=ids["application"])
    assert application.status == "accepted"
    assert apps.get_model("programmes", "RoundRanking").objects.get(pk=ids["ranking"]).application_id == application.pk
    task = apps.get_model("outbox", "OutboxTask").objects.get(pk=ids["task"])
    assert task.task_name == "programmes.matching.tasks.refresh_need_recommendations"
