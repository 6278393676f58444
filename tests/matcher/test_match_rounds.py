"""Match rounds: a coordinator opens one, volunteers and coordinators rank, the stable matching makes offers."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matcher import round_run, round_selectors, rounds, tasks
from matcher.engine import blocking_pairs
from matcher.models import MatchRound, Recommendation, RoundRanking
from notifications.models import Notification
from placements.emails import application_volunteer_label
from placements.models import Application
from programmes.models import Need
from tests.factories import (
    ApplicationFactory,
    CredentialFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    VolunteerProfileFactory,
)
from volunteers.models import Credential

pytestmark = pytest.mark.django_db


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def deadline_field(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@dataclass
class Cast:
    """A programme with three needs of one place each and three applicants.

    ana applied to A and B, ben to A, B and C, cai to A only.
    """

    programme: object
    a: Need
    b: Need
    c: Need
    ana: object
    ben: object
    cai: object
    apps: dict

    def app(self, who: str, need: str) -> Application:
        return self.apps[who, need]


@pytest.fixture
def cast(organisation):
    programme = ProgrammeFactory(lead_organisation=organisation, title="Road2IR rotation 2027")
    a = NeedFactory(programme=programme, title="Embolisation faculty", places=1)
    b = NeedFactory(programme=programme, title="Drainage teaching", places=1)
    c = NeedFactory(programme=programme, title="Ultrasound outreach", places=1)
    people = {
        name: VolunteerProfileFactory(
            user__first_name=name.title(), user__last_name="Tester", user__email=f"{name}@example.org"
        )
        for name in ("ana", "ben", "cai")
    }
    apps = {}
    for who, need_name, need in [
        ("ana", "A", a),
        ("ben", "A", a),
        ("cai", "A", a),
        ("ana", "B", b),
        ("ben", "B", b),
        ("ben", "C", c),
    ]:
        apps[who, need_name] = ApplicationFactory(volunteer=people[who], need=need)
    return Cast(programme=programme, a=a, b=b, c=c, apps=apps, **people)


def open_round(cast, coordinator, days: float = 7) -> MatchRound:
    return rounds.match_round_open(programme=cast.programme, ranking_deadline=in_days(days), by=coordinator)


def ranking(match_round, application) -> RoundRanking:
    return RoundRanking.objects.get(match_round=match_round, application=application)


def subjects(mailoutbox, to: str) -> list[str]:
    return [mail.subject for mail in mailoutbox if to in mail.to]


def rank_everything(cast, match_round, coordinator):
    """The preferences of the walk-through, saved through the services."""
    rounds.match_round_rank_needs(match_round=match_round, profile=cast.ana, ranks={cast.b.pk: 1, cast.a.pk: 2})
    rounds.match_round_rank_needs(
        match_round=match_round, profile=cast.ben, ranks={cast.a.pk: 1, cast.b.pk: 2, cast.c.pk: None}
    )
    rounds.match_round_rank_needs(match_round=match_round, profile=cast.cai, ranks={cast.a.pk: 1})
    rounds.match_round_rank_applicants(
        match_round=match_round,
        need=cast.a,
        ranks={cast.app("cai", "A").pk: 1, cast.app("ben", "A").pk: 2, cast.app("ana", "A").pk: 3},
        by=coordinator,
    )


def preferences(match_round):
    """Both sides' preference lists and the capacities, read back from the database."""
    volunteer_prefs, need_prefs = {}, {}
    for r in RoundRanking.objects.filter(match_round=match_round).select_related("application"):
        volunteer_prefs.setdefault(r.application.volunteer_id, [])
        if r.volunteer_rank:
            volunteer_prefs[r.application.volunteer_id].append((r.volunteer_rank, r.application.need_id))
        if r.need_rank:
            need_prefs.setdefault(r.application.need_id, []).append((r.need_rank, r.application.volunteer_id))
    return (
        {v: [n for _, n in sorted(items)] for v, items in volunteer_prefs.items()},
        {n: [v for _, v in sorted(items)] for n, items in need_prefs.items()},
    )


# The whole round through the pages


def test_a_coordinator_runs_a_match_round_end_to_end_through_the_pages(
    client, cast, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    # The coordinator opens the round.
    client.force_login(coordinator)
    page = client.get(reverse("matcher:round-create", args=[cast.programme.pk]))
    assert page.status_code == 200
    assert "Open the round" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("matcher:round-create", args=[cast.programme.pk]),
            {"ranking_deadline": deadline_field(in_days(7))},
        )
    match_round = MatchRound.objects.get(programme=cast.programme)
    assert response.status_code == 302
    assert response["Location"] == reverse("matcher:round-detail", args=[match_round.pk])
    assert match_round.status == MatchRound.Status.OPEN
    assert match_round.rankings.count() == 6
    for who in ("ana", "ben", "cai"):
        assert any(
            "Rank your choices for “Road2IR rotation 2027”" in s for s in subjects(mailoutbox, f"{who}@example.org")
        )
    opened = next(m for m in mailoutbox if "ben@example.org" in m.to)
    assert reverse("matcher:round-volunteer", args=[match_round.pk]) in opened.body
    assert "Ultrasound outreach" in opened.body

    # Each volunteer ranks the needs they applied to on their page.
    volunteer_ranks = {
        "ana": {f"need-{cast.b.pk}": "1", f"need-{cast.a.pk}": "2"},
        "ben": {f"need-{cast.a.pk}": "1", f"need-{cast.b.pk}": "2", f"need-{cast.c.pk}": ""},
        "cai": {f"need-{cast.a.pk}": "1"},
    }
    for who, ranks in volunteer_ranks.items():
        client.force_login(getattr(cast, who).user)
        url = reverse("matcher:round-volunteer", args=[match_round.pk])
        page = client.get(url).content.decode()
        assert "Rank the needs you applied to" in page
        assert "Embolisation faculty" in page
        response = client.post(url, ranks)
        assert response.status_code == 302, response.content.decode()
    assert ranking(match_round, cast.app("ana", "B")).volunteer_rank == 1
    assert ranking(match_round, cast.app("ben", "C")).volunteer_rank is None

    # The coordinator sees who has ranked and puts cai first for need A.
    client.force_login(coordinator)
    detail = client.get(reverse("matcher:round-detail", args=[match_round.pk])).content.decode()
    assert "3 of 3" in detail
    response = client.post(
        reverse("matcher:round-need-ranking", args=[match_round.pk, cast.a.pk]),
        {
            f"applicant-{cast.app('cai', 'A').pk}": "1",
            f"applicant-{cast.app('ben', 'A').pk}": "2",
            f"applicant-{cast.app('ana', 'A').pk}": "3",
        },
    )
    assert response.status_code == 302
    assert ranking(match_round, cast.app("cai", "A")).need_rank == 1

    # A dry run shows who would be matched, without offers or e-mails.
    sent_before = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matcher:round-dry-run", args=[match_round.pk]))
    assert response.status_code == 302
    detail = client.get(reverse("matcher:round-detail", args=[match_round.pk])).content.decode()
    assert "Dry run: who would be matched" in detail
    assert "Would be matched:" in detail
    assert "Cai Tester" in detail
    assert not Application.objects.filter(status=Application.Status.OFFERED).exists()
    assert len(mailoutbox) == sent_before
    match_round.refresh_from_db()
    assert match_round.status == MatchRound.Status.OPEN
    assert match_round.dry_run_result["pairs"] == 2

    # Running it without ticking the confirmation does nothing.
    response = client.post(reverse("matcher:round-run", args=[match_round.pk]))
    match_round.refresh_from_db()
    assert match_round.status == MatchRound.Status.OPEN

    # Run now: offers for the matched pairs only, within the request under eager Celery.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matcher:round-run", args=[match_round.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    match_round.refresh_from_db()
    assert match_round.status == MatchRound.Status.DONE
    assert match_round.progress == 100
    offered = set(Application.objects.filter(status=Application.Status.OFFERED))
    assert offered == {cast.app("cai", "A"), cast.app("ana", "B")}
    assert Application.objects.filter(volunteer=cast.ben, status=Application.Status.INTERESTED).count() == 3

    # The matching is stable and within capacity.
    volunteer_prefs, need_prefs = preferences(match_round)
    matching = {need.pk: [] for need in (cast.a, cast.b, cast.c)}
    for application in offered:
        matching[application.need_id].append(application.volunteer_id)
    assert blocking_pairs(matching, volunteer_prefs, need_prefs, {cast.a.pk: 1, cast.b.pk: 1, cast.c.pk: 1}) == []
    assert all(len(members) <= 1 for members in matching.values())

    # Both sides are e-mailed.
    assert any("you were matched to “Drainage teaching”" in s for s in subjects(mailoutbox, "ana@example.org"))
    assert any("you were matched to “Embolisation faculty”" in s for s in subjects(mailoutbox, "cai@example.org"))
    assert any("Match round result for “Road2IR rotation 2027”" in s for s in subjects(mailoutbox, "ben@example.org"))
    assert any("2 volunteers matched" in s for s in subjects(mailoutbox, "coordinator@example.org"))
    ben_mail = next(m for m in mailoutbox if "ben@example.org" in m.to and "Match round result" in m.subject)
    assert "You did not rank “Ultrasound outreach”." in ben_mail.body

    # Each participant's result page explains the outcome.
    client.force_login(cast.ana.user)
    page = client.get(reverse("matcher:round-volunteer", args=[match_round.pk])).content.decode()
    assert "You were matched to “Drainage teaching”." in page
    assert "An offer is waiting for your answer on your dashboard." in page
    assert "you were matched to “Drainage teaching”, which you ranked higher" in page
    client.force_login(cast.ben.user)
    page = client.get(reverse("matcher:round-volunteer", args=[match_round.pk])).content.decode()
    assert "You were not matched in this round." in page
    assert "The places of “Embolisation faculty” went to applicants the coordinators ranked higher." in page
    assert "The places of “Drainage teaching” went to applicants the coordinators ranked higher." in page
    assert "You did not rank “Ultrasound outreach”." in page

    # The coordinator's page: per need who was matched, the places left, and why the others were not.
    client.force_login(coordinator)
    detail = client.get(reverse("matcher:round-detail", args=[match_round.pk])).content.decode()
    assert "Result" in detail
    assert "Matched:" in detail
    assert "The places went to applicants you ranked higher." in detail
    assert "The volunteer did not rank this need." in detail
    assert "1 place left" in detail
    assert "Run now" not in detail
    assert "Dry run: who would be matched" not in detail


# Opening a round


def test_applicants_are_pre_sorted_by_score_best_first(cast, coordinator):
    for who, score in (("ana", 40.0), ("ben", 95.0), ("cai", 70.0)):
        Recommendation.objects.create(
            volunteer=getattr(cast, who), need=cast.a, score=score, computed_at=timezone.now()
        )

    match_round = open_round(cast, coordinator)

    order = (
        RoundRanking.objects.filter(match_round=match_round, application__need=cast.a)
        .order_by("need_rank")
        .values_list("application__volunteer__user__email", flat=True)
    )
    assert list(order) == ["ben@example.org", "cai@example.org", "ana@example.org"]
    assert not RoundRanking.objects.filter(match_round=match_round, volunteer_rank__isnull=False).exists()


def test_only_active_applications_to_open_needs_take_part(cast, coordinator):
    Application.objects.filter(pk=cast.app("ben", "C").pk).update(status=Application.Status.WITHDRAWN)
    closed = NeedFactory(programme=cast.programme, title="Closed need")
    ApplicationFactory(need=closed)
    Need.objects.filter(pk=closed.pk).update(status=Need.Status.CLOSED)

    match_round = open_round(cast, coordinator)

    assert match_round.rankings.count() == 5
    assert not match_round.rankings.filter(application__need=closed).exists()


def test_a_second_round_cannot_open_while_one_is_in_progress(client, cast, coordinator):
    match_round = open_round(cast, coordinator)
    client.force_login(coordinator)

    response = client.post(
        reverse("matcher:round-create", args=[cast.programme.pk]), {"ranking_deadline": deadline_field(in_days(3))}
    )

    assert response.status_code == 400
    assert "already has a match round in progress" in response.content.decode()
    assert MatchRound.objects.filter(programme=cast.programme).get() == match_round


def test_the_round_create_page_links_to_the_round_in_progress(client, cast, coordinator):
    match_round = open_round(cast, coordinator)
    client.force_login(coordinator)

    page = client.get(reverse("matcher:round-create", args=[cast.programme.pk])).content.decode()

    assert "A round is already in progress" in page
    assert reverse("matcher:round-detail", args=[match_round.pk]) in page


def test_a_round_without_applications_is_refused_with_a_clear_message(client, organisation, coordinator):
    programme = ProgrammeFactory(lead_organisation=organisation)
    NeedFactory(programme=programme)
    client.force_login(coordinator)

    response = client.post(
        reverse("matcher:round-create", args=[programme.pk]), {"ranking_deadline": deadline_field(in_days(3))}
    )

    assert response.status_code == 400
    assert "there is nothing to rank" in response.content.decode()
    assert not MatchRound.objects.exists()


@pytest.mark.parametrize("value", ["", "not a date", "past"])
def test_a_ranking_deadline_must_be_a_future_date_and_time(client, cast, coordinator, value):
    if value == "past":
        value = deadline_field(in_days(-1))
    client.force_login(coordinator)

    response = client.post(reverse("matcher:round-create", args=[cast.programme.pk]), {"ranking_deadline": value})

    assert response.status_code == 400
    assert not MatchRound.objects.exists()
    if value and value != "not a date":
        assert "The ranking deadline must be in the future." in response.content.decode()


def test_the_service_refuses_a_deadline_in_the_past(cast, coordinator):
    with pytest.raises(ValidationError, match="must be in the future"):
        open_round(cast, coordinator, days=-0.01)


# Ranking: bad input gives clear errors, never a 500


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ({"A": "0"}, "Ranks start at 1"),
        ({"A": "-3"}, "Ranks start at 1"),
        ({"A": "1", "B": "1"}, "1 is used more than once"),
        ({"A": "one"}, "Enter a whole number"),
        ({"A": "1", "other": "2"}, "Only the choices listed here can be ranked."),
    ],
)
def test_a_volunteer_gets_a_clear_error_for_bad_ranks(client, cast, coordinator, ranks, message):
    match_round = open_round(cast, coordinator)
    other = NeedFactory(title="Someone else's need")
    needs = {"A": cast.a, "B": cast.b, "other": other}
    client.force_login(cast.ana.user)

    response = client.post(
        reverse("matcher:round-volunteer", args=[match_round.pk]),
        {f"need-{needs[key].pk}": value for key, value in ranks.items()},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RoundRanking.objects.filter(match_round=match_round, volunteer_rank__isnull=False).exists()


def test_volunteer_ranks_are_stored_in_order_from_one(cast, coordinator):
    match_round = open_round(cast, coordinator)

    rounds.match_round_rank_needs(
        match_round=match_round, profile=cast.ben, ranks={cast.a.pk: 7, cast.b.pk: 3, cast.c.pk: None}
    )

    assert ranking(match_round, cast.app("ben", "B")).volunteer_rank == 1
    assert ranking(match_round, cast.app("ben", "A")).volunteer_rank == 2
    assert ranking(match_round, cast.app("ben", "C")).volunteer_rank is None


def test_the_service_refuses_ranks_for_needs_not_in_the_round(cast, coordinator):
    match_round = open_round(cast, coordinator)

    with pytest.raises(ValidationError, match="only rank needs you applied to"):
        rounds.match_round_rank_needs(match_round=match_round, profile=cast.cai, ranks={cast.b.pk: 1})
    with pytest.raises(ValidationError, match="used more than once"):
        rounds.match_round_rank_needs(match_round=match_round, profile=cast.ana, ranks={cast.a.pk: 2, cast.b.pk: 2})
    with pytest.raises(ValidationError, match="start at 1"):
        rounds.match_round_rank_needs(match_round=match_round, profile=cast.ana, ranks={cast.a.pk: 0})


def test_volunteers_cannot_rank_after_the_deadline(client, cast, coordinator):
    match_round = open_round(cast, coordinator)
    MatchRound.objects.filter(pk=match_round.pk).update(ranking_deadline=in_days(-0.01))
    client.force_login(cast.cai.user)
    url = reverse("matcher:round-volunteer", args=[match_round.pk])

    page = client.get(url).content.decode()
    response = client.post(url, {f"need-{cast.a.pk}": "1"})

    assert "Ranking has closed" in page
    assert response.status_code == 400
    assert "Ranking for this round has closed." in response.content.decode()
    assert ranking(match_round, cast.app("cai", "A")).volunteer_rank is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"cai": "1", "ben": "1"}, "1 is used more than once"),
        ({"cai": "0"}, "Ranks start at 1"),
        ({"cai": "1", "stranger": "2"}, "Only the choices listed here can be ranked."),
    ],
)
def test_a_coordinator_gets_a_clear_error_for_bad_ranks(client, cast, coordinator, values, message):
    match_round = open_round(cast, coordinator)
    stranger = ApplicationFactory(need=cast.a)  # applied after the round opened: not part of it
    applications = {"cai": cast.app("cai", "A"), "ben": cast.app("ben", "A"), "stranger": stranger}
    before = list(match_round.rankings.order_by("pk").values_list("need_rank", flat=True))
    client.force_login(coordinator)

    response = client.post(
        reverse("matcher:round-need-ranking", args=[match_round.pk, cast.a.pk]),
        {f"applicant-{applications[key].pk}": value for key, value in values.items()},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(match_round.rankings.order_by("pk").values_list("need_rank", flat=True)) == before


def test_a_coordinator_marks_an_applicant_not_acceptable_by_leaving_the_box_empty(client, cast, coordinator):
    match_round = open_round(cast, coordinator)
    client.force_login(coordinator)

    client.post(
        reverse("matcher:round-need-ranking", args=[match_round.pk, cast.a.pk]),
        {
            f"applicant-{cast.app('cai', 'A').pk}": "5",
            f"applicant-{cast.app('ben', 'A').pk}": "",
            f"applicant-{cast.app('ana', 'A').pk}": "9",
        },
    )

    assert ranking(match_round, cast.app("cai", "A")).need_rank == 1
    assert ranking(match_round, cast.app("ana", "A")).need_rank == 2
    assert ranking(match_round, cast.app("ben", "A")).need_rank is None


def test_ranking_a_need_that_is_not_in_the_round_is_not_found(client, cast, coordinator):
    match_round = open_round(cast, coordinator)
    elsewhere = NeedFactory(programme=cast.programme)
    client.force_login(coordinator)

    response = client.post(reverse("matcher:round-need-ranking", args=[match_round.pk, elsewhere.pk]), {})

    assert response.status_code == 404


# Running


def test_capacities_count_places_already_offered_or_taken(cast, coordinator, django_capture_on_commit_callbacks):
    Need.objects.filter(pk=cast.a.pk).update(places=2)
    PlacementFactory(application__need=cast.a)  # one of A's two places is taken
    match_round = open_round(cast, coordinator)
    rank_everything(cast, match_round, coordinator)
    rounds.match_round_rank_needs(match_round=match_round, profile=cast.ana, ranks={cast.a.pk: 1, cast.b.pk: 2})

    with django_capture_on_commit_callbacks(execute=True):
        match_round = round_run.match_round_run(match_round=match_round, dry_run=False)

    # A has one place left: cai (ranked first) gets it; ana and ben go to B in B's order.
    assert match_round.result["capacities"][str(cast.a.pk)] == 1
    assert set(Application.objects.filter(need=cast.a, status=Application.Status.OFFERED)) == {cast.app("cai", "A")}
    assert Application.objects.filter(need=cast.b, status=Application.Status.OFFERED).count() == 1
    assert ranking(match_round, cast.app("ben", "B")).outcome == RoundRanking.Outcome.UNMATCHED


def test_explanations_name_an_unranked_applicant_a_closed_need_and_a_withdrawn_application(cast, coordinator):
    match_round = open_round(cast, coordinator)
    rank_everything(cast, match_round, coordinator)
    rounds.match_round_rank_needs(
        match_round=match_round, profile=cast.ben, ranks={cast.a.pk: 1, cast.b.pk: 2, cast.c.pk: 3}
    )
    rounds.match_round_rank_applicants(
        match_round=match_round, need=cast.b, ranks={cast.app("ana", "B").pk: 1}, by=coordinator
    )
    Need.objects.filter(pk=cast.c.pk).update(status=Need.Status.CLOSED)
    Application.objects.filter(pk=cast.app("ana", "A").pk).update(status=Application.Status.WITHDRAWN)

    match_round = round_run.match_round_run(match_round=match_round, dry_run=False)

    assert match_round.status == MatchRound.Status.DONE
    assert ranking(match_round, cast.app("ben", "B")).explanation == (
        "The coordinators did not rank you for “Drainage teaching”."
    )
    assert "Ultrasound outreach" in ranking(match_round, cast.app("ben", "C")).explanation
    assert "no longer open" in ranking(match_round, cast.app("ben", "C")).explanation
    assert ranking(match_round, cast.app("ana", "A")).explanation == (
        "Your application to “Embolisation faculty” was no longer open when the round ran."
    )
    assert Application.objects.get(pk=cast.app("ana", "A").pk).status == Application.Status.WITHDRAWN


def test_running_a_round_twice_does_nothing_more(cast, coordinator, django_capture_on_commit_callbacks):
    match_round = open_round(cast, coordinator)
    rank_everything(cast, match_round, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_match_round(match_round.pk, False)
    offered = list(Application.objects.filter(status=Application.Status.OFFERED).order_by("pk"))
    notifications = Notification.objects.count()
    finished_at = MatchRound.objects.get(pk=match_round.pk).finished_at

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_match_round(match_round.pk, False) == MatchRound.Status.DONE
        round_run.match_round_run(match_round=match_round, dry_run=False)

    assert list(Application.objects.filter(status=Application.Status.OFFERED).order_by("pk")) == offered
    assert len(offered) == 2
    assert Notification.objects.count() == notifications
    assert MatchRound.objects.get(pk=match_round.pk).finished_at == finished_at


def test_the_periodic_task_runs_a_round_once_its_deadline_has_passed(
    cast, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    match_round = open_round(cast, coordinator)
    rank_everything(cast, match_round, coordinator)
    assert tasks.start_due_match_rounds() == 0  # the deadline is still ahead

    MatchRound.objects.filter(pk=match_round.pk).update(ranking_deadline=in_days(-0.001))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.start_due_match_rounds() == 1
    match_round.refresh_from_db()
    assert match_round.status == MatchRound.Status.DONE
    assert Application.objects.filter(status=Application.Status.OFFERED).count() == 2
    sent = len(mailoutbox)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.start_due_match_rounds() == 0
    assert len(mailoutbox) == sent
    assert Application.objects.filter(status=Application.Status.OFFERED).count() == 2


def test_a_round_whose_worker_died_is_started_again(cast, coordinator, django_capture_on_commit_callbacks):
    match_round = open_round(cast, coordinator)
    rank_everything(cast, match_round, coordinator)
    MatchRound.objects.filter(pk=match_round.pk).update(
        status=MatchRound.Status.RUNNING,
        started_at=timezone.now() - round_selectors.STALE_RUN - datetime.timedelta(minutes=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.start_due_match_rounds() == 1

    assert MatchRound.objects.get(pk=match_round.pk).status == MatchRound.Status.DONE
    assert Application.objects.filter(status=Application.Status.OFFERED).count() == 2


def test_a_failing_run_leaves_no_offers_and_says_it_failed(
    client, cast, coordinator, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    match_round = open_round(cast, coordinator)
    rank_everything(cast, match_round, coordinator)
    real_offers = round_run.applications_offer_in_bulk
    calls = []

    def offer_then_break(**kwargs):
        # The offers are written, then the run breaks before it finishes: they must all roll back.
        offered = real_offers(**kwargs)
        calls.append([application.pk for application in offered])
        assert Application.objects.filter(status=Application.Status.OFFERED).count() == 2
        raise RuntimeError("The mail relay caught fire")

    monkeypatch.setattr(round_run, "applications_offer_in_bulk", offer_then_break)
    sent = len(mailoutbox)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matcher:round-run", args=[match_round.pk]), {"confirm": "yes"})

    assert response.status_code == 302
    match_round.refresh_from_db()
    assert len(calls) == 1 and len(calls[0]) == 2
    assert match_round.status == MatchRound.Status.FAILED
    assert "The mail relay caught fire" in match_round.error
    assert not Application.objects.filter(status=Application.Status.OFFERED).exists()
    assert not RoundRanking.objects.filter(match_round=match_round).exclude(outcome="").exists()
    assert len(mailoutbox) == sent
    assert not Notification.objects.filter(kind__in=["offer_made", "round_result_volunteer"]).exists()
    page = client.get(reverse("matcher:round-detail", args=[match_round.pk])).content.decode()
    assert "The round could not run. No offer was made" in page
    client.force_login(cast.ana.user)
    page = client.get(reverse("matcher:round-volunteer", args=[match_round.pk])).content.decode()
    assert "could not be completed" in page


def test_a_dry_run_makes_no_offer_and_sends_no_e_mail(
    cast, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    match_round = open_round(cast, coordinator)
    rank_everything(cast, match_round, coordinator)
    notifications = Notification.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        rounds.match_round_request_dry_run(match_round=match_round, by=coordinator)

    match_round.refresh_from_db()
    assert match_round.status == MatchRound.Status.OPEN
    assert match_round.dry_run_at is not None
    assert match_round.dry_run_result["matching"] == {
        str(cast.a.pk): [cast.cai.pk],
        str(cast.b.pk): [cast.ana.pk],
        str(cast.c.pk): [],
    }
    assert not Application.objects.filter(status=Application.Status.OFFERED).exists()
    assert Notification.objects.count() == notifications
    assert not RoundRanking.objects.filter(match_round=match_round).exclude(outcome="").exists()


def test_a_cancelled_round_makes_no_offer_and_tells_the_volunteers(client, cast, coordinator):
    match_round = open_round(cast, coordinator)
    client.force_login(coordinator)

    client.post(reverse("matcher:round-cancel", args=[match_round.pk]))

    match_round.refresh_from_db()
    assert match_round.status == MatchRound.Status.CANCELLED
    assert round_run.match_round_run(match_round=match_round, dry_run=False).status == MatchRound.Status.CANCELLED
    assert not Application.objects.filter(status=Application.Status.OFFERED).exists()
    client.force_login(cast.ben.user)
    page = client.get(reverse("matcher:round-volunteer", args=[match_round.pk])).content.decode()
    assert "cancelled this round" in page


def test_progress_is_shown_while_the_round_runs_and_the_page_reloads_when_done(client, cast, coordinator):
    match_round = open_round(cast, coordinator)
    MatchRound.objects.filter(pk=match_round.pk).update(
        status=MatchRound.Status.RUNNING, started_at=timezone.now(), progress=40
    )
    client.force_login(coordinator)

    detail = client.get(reverse("matcher:round-detail", args=[match_round.pk])).content.decode()
    fragment = client.get(reverse("matcher:round-progress", args=[match_round.pk]), headers={"HX-Request": "true"})

    assert 'hx-trigger="every 2s"' in detail
    assert "Refresh" in detail
    assert 'value="40"' in fragment.content.decode()
    assert "HX-Refresh" not in fragment
    MatchRound.objects.filter(pk=match_round.pk).update(status=MatchRound.Status.DONE, progress=100)
    fragment = client.get(reverse("matcher:round-progress", args=[match_round.pk]), headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true"
    assert "hx-trigger" not in fragment.content.decode()


def test_the_dashboard_invites_participants_to_rank_their_choices(client, cast, coordinator, other_volunteer):
    match_round = open_round(cast, coordinator)

    client.force_login(cast.ana.user)
    page = client.get(reverse("placements:dashboard")).content.decode()
    client.force_login(other_volunteer.user)
    other_page = client.get(reverse("placements:dashboard")).content.decode()

    waiting = page.split("Waiting for you", 1)[1].split("</section>", 1)[0]
    assert "Rank your choices" in waiting
    assert reverse("matcher:round-volunteer", args=[match_round.pk]) in waiting
    assert "Rank your choices" not in other_page


def test_the_round_page_runs_a_constant_number_of_queries(client, cast, coordinator, django_assert_max_num_queries):
    for _ in range(6):
        ApplicationFactory(need=cast.b)
    match_round = open_round(cast, coordinator)
    client.force_login(coordinator)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("matcher:round-detail", args=[match_round.pk]))

    assert response.status_code == 200
    labels = [application_volunteer_label(a) for a in Application.objects.filter(need=cast.b)]
    assert all(label in response.content.decode() for label in labels)


# Permissions


COORDINATOR_PAGES = ["round-detail", "round-progress"]


@pytest.mark.parametrize("name", COORDINATOR_PAGES + ["round-create"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("volunteer", 404),
        ("other_coordinator", 404),
        ("coordinator", 200),
        ("organisation_admin", 200),
        ("site_admin", 200),
    ],
)
def test_who_may_open_the_coordinator_pages(client, request, cast, coordinator, name, who, status):
    match_round = open_round(cast, coordinator)
    pk = cast.programme.pk if name == "round-create" else match_round.pk
    if who == "volunteer":
        client.force_login(cast.ana.user)
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = client.get(reverse(f"matcher:{name}", args=[pk]))

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["round-dry-run", "round-run", "round-cancel"])
@pytest.mark.parametrize("who", ["volunteer", "other_coordinator"])
def test_outsiders_cannot_act_on_a_round(client, request, cast, coordinator, name, who):
    match_round = open_round(cast, coordinator)
    client.force_login(cast.ana.user if who == "volunteer" else request.getfixturevalue(who))

    response = client.post(reverse(f"matcher:{name}", args=[match_round.pk]), {"confirm": "yes"})
    need_ranking = client.post(
        reverse("matcher:round-need-ranking", args=[match_round.pk, cast.a.pk]),
        {f"applicant-{cast.app('ana', 'A').pk}": "1"},
    )

    assert response.status_code == 404
    assert need_ranking.status_code == 404
    match_round.refresh_from_db()
    assert match_round.status == MatchRound.Status.OPEN
    assert match_round.dry_run_result == {}


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("participant", 200), ("other_volunteer", 404), ("coordinator", 404), ("site_admin", 404)],
)
def test_who_may_open_the_volunteer_round_page(client, request, cast, coordinator, who, status):
    match_round = open_round(cast, coordinator)
    if who == "participant":
        client.force_login(cast.ana.user)
    elif who == "other_volunteer":
        client.force_login(request.getfixturevalue(who).user)
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("matcher:round-volunteer", args=[match_round.pk]))

    assert response.status_code == status


def test_the_action_urls_answer_post_only(client, cast, coordinator):
    match_round = open_round(cast, coordinator)
    client.force_login(coordinator)

    for name in ("round-dry-run", "round-run", "round-cancel"):
        assert client.get(reverse(f"matcher:{name}", args=[match_round.pk])).status_code == 405


def test_a_run_waiting_for_a_worker_closes_the_ranking_and_is_started_again_later(
    client, cast, coordinator, django_capture_on_commit_callbacks
):
    match_round = open_round(cast, coordinator)
    rank_everything(cast, match_round, coordinator)
    rounds.match_round_request_run(match_round=match_round, by=coordinator)  # its task is never delivered
    client.force_login(coordinator)

    detail = client.get(reverse("matcher:round-detail", args=[match_round.pk])).content.decode()
    refused = client.post(
        reverse("matcher:round-need-ranking", args=[match_round.pk, cast.a.pk]),
        {f"applicant-{cast.app('ana', 'A').pk}": "1"},
    )
    client.force_login(cast.ana.user)
    volunteer_refused = client.post(
        reverse("matcher:round-volunteer", args=[match_round.pk]), {f"need-{cast.a.pk}": "1"}
    )

    assert "waiting for a worker" in detail
    assert refused.status_code == 400
    assert "no longer open for ranking" in refused.content.decode()
    assert volunteer_refused.status_code == 400
    assert tasks.start_due_match_rounds() == 0  # asked for a moment ago: its own task may still come
    MatchRound.objects.filter(pk=match_round.pk).update(started_at=timezone.now() - round_selectors.QUEUED_RETRY)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.start_due_match_rounds() == 1
    assert MatchRound.objects.get(pk=match_round.pk).status == MatchRound.Status.DONE


# At scale: opening and running a round take the same number of queries whatever its size


def _round_world(organisation, *, needs: int, volunteers: int):
    """A programme whose volunteers each applied to two of its needs (one place each)."""
    programme = ProgrammeFactory(lead_organisation=organisation)
    need_list = NeedFactory.create_batch(needs, programme=programme, places=1)
    for index, profile in enumerate(VolunteerProfileFactory.create_batch(volunteers)):
        for need in (need_list[index % needs], need_list[(index + 1) % needs]):
            ApplicationFactory(volunteer=profile, need=need)
    return programme


def _open_rank_and_run(programme, coordinator, django_capture_on_commit_callbacks):
    """Open a round (every volunteer ranking their needs in application order), run it; the queries of
    the opening and of the run, then the e-mails are sent."""
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as opening:
        match_round = rounds.match_round_open(programme=programme, ranking_deadline=in_days(7), by=coordinator)
    rankings = list(RoundRanking.objects.filter(match_round=match_round).select_related("application"))
    seen: dict[int, int] = {}
    for r in sorted(rankings, key=lambda r: r.application_id):
        seen[r.application.volunteer_id] = r.volunteer_rank = seen.get(r.application.volunteer_id, 0) + 1
    RoundRanking.objects.bulk_update(rankings, ["volunteer_rank"])
    MatchRound.objects.filter(pk=match_round.pk).update(started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as running:
        match_round = round_run.match_round_run(match_round=match_round, dry_run=False)
    assert match_round.status == MatchRound.Status.DONE, match_round.error
    return match_round, len(opening), len(running)


def test_opening_and_running_a_round_take_as_many_queries_for_ten_times_the_applications(
    organisation, other_organisation, coordinator, other_coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    small = _round_world(organisation, needs=2, volunteers=3)
    large = _round_world(other_organisation, needs=8, volunteers=30)

    small_round, small_open, small_run = _open_rank_and_run(small, coordinator, django_capture_on_commit_callbacks)
    large_round, large_open, large_run = _open_rank_and_run(
        large, other_coordinator, django_capture_on_commit_callbacks
    )

    assert small_round.result["pairs"] == 2 and large_round.result["pairs"] == 8
    offered = Application.objects.filter(need__programme=large, status=Application.Status.OFFERED)
    assert offered.count() == 8
    offer_mails = Notification.objects.filter(event_key__in=[f"offer-made:{a.pk}" for a in offered])
    assert list(offer_mails.values_list("status", flat=True)) == [Notification.Status.SENT] * 8
    # Every volunteer of the large round was told it opened, and how it ended, once each, by e-mail.
    for event in (f"round-opened:{large_round.pk}:", f"round-result:{large_round.pk}:"):
        mails = Notification.objects.filter(event_key__startswith=event)
        assert mails.count() == 30
        assert not mails.exclude(status=Notification.Status.SENT).exists()
    assert len(mailoutbox) == Notification.objects.filter(status=Notification.Status.SENT).count()
    assert RoundRanking.objects.filter(match_round=large_round, outcome=RoundRanking.Outcome.MATCHED).count() == 8
    assert not RoundRanking.objects.filter(match_round=large_round, explanation="").exists()
    assert large_open == small_open
    assert large_run == small_run


def _licensed_round_world(organisation, *, needs: int, volunteers: int):
    """As `_round_world`, every need asking for a licence to practise: a third of the volunteers have one
    verified for good, a third one that expires before their placement would end, a third none."""
    programme = ProgrammeFactory(lead_organisation=organisation)
    need_list = NeedFactory.create_batch(needs, programme=programme, places=1, requires_verified_credential=True)
    licensed = set()
    for index, profile in enumerate(VolunteerProfileFactory.create_batch(volunteers)):
        applications = [
            ApplicationFactory(volunteer=profile, need=need)
            for need in (need_list[index % needs], need_list[(index + 1) % needs])
        ]
        if index % 3 == 0:
            licensed.add(profile.pk)
            expires_on = None
        else:
            expires_on = min(a.proposed_end for a in applications) - datetime.timedelta(days=5)
        if index % 3 != 2:
            CredentialFactory(
                profile=profile, kind=Credential.Kind.LICENCE, status=Credential.Status.VERIFIED, expires_on=expires_on
            )
    return programme, licensed


def test_a_round_whose_needs_require_a_licence_takes_as_many_queries_for_ten_times_the_applications(
    organisation, other_organisation, coordinator, other_coordinator, django_capture_on_commit_callbacks
):
    small, small_licensed = _licensed_round_world(organisation, needs=3, volunteers=3)
    large, large_licensed = _licensed_round_world(other_organisation, needs=10, volunteers=30)

    small_round, small_open, small_run = _open_rank_and_run(small, coordinator, django_capture_on_commit_callbacks)
    large_round, large_open, large_run = _open_rank_and_run(
        large, other_coordinator, django_capture_on_commit_callbacks
    )

    for match_round, licensed in ((small_round, small_licensed), (large_round, large_licensed)):
        offered = Application.objects.filter(need__programme=match_round.programme, status=Application.Status.OFFERED)
        assert offered.exists()
        assert {a.volunteer_id for a in offered} <= licensed
        for r in RoundRanking.objects.filter(match_round=match_round).select_related("application"):
            if r.application.volunteer_id not in licensed:
                assert match_round.result["outcomes"][str(r.pk)]["code"] == round_selectors.REFUSED_CREDENTIAL
                assert "requires a credential you have not had verified" in r.explanation
    assert large_open == small_open
    assert large_run == small_run
