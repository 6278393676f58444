"""Visiting professors and their hosts: host requests, candidacies, the host match round, feedback, report."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from matcher import host_rounds, tasks
from matcher.models import HostMatchRound, HostRoundRanking
from organisations.models import Membership, Organisation
from placements import visit_services
from placements.models import Visit, VisitCandidacy
from programmes import host_services
from programmes.models import HostRequest
from tests.factories import (
    HostRequestFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    VisitCandidacyFactory,
    VisitingProgrammeFactory,
    VolunteerProfileFactory,
    language,
    skill,
    today,
)
from volunteers.models import CareerStage, Profession

pytestmark = pytest.mark.django_db


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def deadline_field(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@dataclass
class Cast:
    """SIR's programme (its coordinator: `coordinator`), two host societies with a request each, and two
    senior candidates."""

    programme: object
    kenya: HostRequest
    peru: HostRequest
    kenya_host: object
    peru_host: object
    ana: VisitCandidacy
    ben: VisitCandidacy


@pytest.fixture
def cast(organisation, coordinator):
    programme = VisitingProgrammeFactory(lead_organisation=organisation, title="Visiting Professor Program")
    kenya_society = OrganisationFactory(name="Kenya IR Society", kind=Organisation.Kind.SOCIETY)
    peru_society = OrganisationFactory(name="Peru IR Society", kind=Organisation.Kind.SOCIETY)
    kenya_host = MembershipFactory(user__email="kenya@example.org", organisation=kenya_society).user
    peru_host = MembershipFactory(user__email="peru@example.org", organisation=peru_society).user
    kenya = HostRequestFactory(programme=programme, host_organisation=kenya_society, title="Nairobi meeting")
    peru = HostRequestFactory(
        programme=programme,
        host_organisation=peru_society,
        title="Lima teaching week",
        country="PE",
        city="Lima",
        topics=["image-guided-biopsy"],
    )
    ana = VisitCandidacyFactory(programme=programme, volunteer__user__email="ana@example.org", volunteer__name="Ana")
    ben = VisitCandidacyFactory(programme=programme, volunteer__user__email="ben@example.org", volunteer__name="Ben")
    return Cast(programme, kenya, peru, kenya_host, peru_host, ana, ben)


def rank_crosswise(cast, match_round):
    """Both candidates want Kenya first; Kenya wants Ben first, Peru wants Ana first."""
    for candidacy in (cast.ana, cast.ben):
        host_rounds.host_round_rank_hosts(
            match_round=match_round, candidacy=candidacy, ranks={cast.kenya.pk: 1, cast.peru.pk: 2}
        )
    host_rounds.host_round_rank_candidates(
        match_round=match_round, host_request=cast.kenya, ranks={cast.ben.pk: 1, cast.ana.pk: 2}, by=cast.kenya_host
    )
    host_rounds.host_round_rank_candidates(
        match_round=match_round, host_request=cast.peru, ranks={cast.ana.pk: 1, cast.ben.pk: None}, by=cast.peru_host
    )


# Services


def test_only_senior_radiologists_may_be_candidates(organisation):
    programme = VisitingProgrammeFactory(lead_organisation=organisation)
    trainee = VolunteerProfileFactory(profession=Profession.TRAINEE, career_stage=CareerStage.TRAINEE)
    early = VolunteerProfileFactory(career_stage=CareerStage.EARLY)
    senior = VolunteerProfileFactory(career_stage=CareerStage.SENIOR)
    topics = [skill("embolisation")]
    for profile in (trainee, early):
        with pytest.raises(ValidationError, match="at least five years"):
            visit_services.candidacy_submit(programme=programme, volunteer=profile, statement="I teach.", topics=topics)
    candidacy = visit_services.candidacy_submit(
        programme=programme, volunteer=senior, statement="I teach.", topics=topics
    )
    assert candidacy.status == VisitCandidacy.Status.ACTIVE
    with pytest.raises(ValidationError, match="already a candidate"):
        visit_services.candidacy_submit(programme=programme, volunteer=senior, statement="Again.", topics=topics)


def test_host_requests_and_candidacies_go_only_to_visiting_professor_programmes(organisation, volunteer):
    training = ProgrammeFactory(lead_organisation=organisation)
    with pytest.raises(ValidationError, match="does not take host requests"):
        host_services.host_request_create(
            programme=training,
            host_organisation=organisation,
            topics=[skill("embolisation")],
            by=None,
            title="Meeting",
            language=language("en"),
            country="KE",
            city="Nairobi",
            preferred_start=today(),
            preferred_end=today(),
        )
    with pytest.raises(ValidationError, match="visiting-professor candidates"):
        visit_services.candidacy_submit(
            programme=training, volunteer=volunteer, statement="x", topics=[skill("embolisation")]
        )


def test_the_round_pairs_hosts_and_candidates_stably_and_explains_each_pair(
    cast, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        match_round = host_rounds.host_round_open(programme=cast.programme, ranking_deadline=in_days(7), by=coordinator)
    assert match_round.rankings.count() == 4
    assert {m.to[0] for m in mailoutbox} == {
        "ana@example.org",
        "ben@example.org",
        "kenya@example.org",
        "peru@example.org",
    }
    rank_crosswise(cast, match_round)

    with django_capture_on_commit_callbacks(execute=True):
        match_round = host_rounds.host_round_run(match_round=match_round, by=coordinator)

    assert match_round.status == HostMatchRound.Status.DONE
    # Kenya takes Ben (its first choice); Ana, turned down by Kenya, goes to Peru.
    assert Visit.objects.get(host_request=cast.kenya).candidacy == cast.ben
    assert Visit.objects.get(host_request=cast.peru).candidacy == cast.ana
    cast.kenya.refresh_from_db()
    assert cast.kenya.status == HostRequest.Status.MATCHED
    assert HostRoundRanking.objects.filter(outcome=HostRoundRanking.Outcome.MATCHED).count() == 2

    ana_view = host_rounds.host_round_candidate_view(match_round=match_round, candidacy=cast.ana)
    texts = [pair.text for pair in ana_view]
    assert "“Nairobi meeting” went to a candidate the host ranked higher." in texts
    assert "You were matched to “Lima teaching week”." in texts
    ben_view = host_rounds.host_round_candidate_view(match_round=match_round, candidacy=cast.ben)
    assert "“Lima teaching week”: you were matched to “Nairobi meeting”, which you ranked higher." in [
        pair.text for pair in ben_view
    ]
    result_mail = next(m for m in mailoutbox if "kenya@example.org" in m.to and "result" in m.subject)
    assert "is matched with Ben" in result_mail.body


def test_a_pair_left_unranked_by_the_host_is_never_matched(cast, coordinator):
    match_round = host_rounds.host_round_open(programme=cast.programme, ranking_deadline=in_days(7), by=coordinator)
    host_rounds.host_round_rank_hosts(match_round=match_round, candidacy=cast.ana, ranks={cast.peru.pk: 1})
    host_rounds.host_round_rank_candidates(
        match_round=match_round, host_request=cast.peru, ranks={cast.ben.pk: 1}, by=cast.peru_host
    )
    match_round = host_rounds.host_round_run(match_round=match_round, by=coordinator)
    assert not Visit.objects.exists()
    blocks = host_rounds.host_round_overview(match_round=match_round)
    peru = next(block for block in blocks if block.host_request == cast.peru)
    texts = {pair.label: pair.text for pair in peru.rows}
    assert texts["Ana"] == "The host did not rank this candidate (not acceptable)."
    assert texts["Ben"] == "The candidate did not rank this request."


def test_ranking_closes_at_the_deadline_and_ranks_must_be_distinct(cast, coordinator):
    match_round = host_rounds.host_round_open(programme=cast.programme, ranking_deadline=in_days(1), by=coordinator)
    with pytest.raises(ValidationError, match="used more than once"):
        host_rounds.host_round_rank_hosts(
            match_round=match_round, candidacy=cast.ana, ranks={cast.kenya.pk: 1, cast.peru.pk: 1}
        )
    with pytest.raises(ValidationError, match="closed"):
        host_rounds.host_round_rank_hosts(
            match_round=match_round, candidacy=cast.ana, ranks={cast.kenya.pk: 1}, now=in_days(2)
        )
    with pytest.raises(ValidationError, match="in progress"):
        host_rounds.host_round_open(programme=cast.programme, ranking_deadline=in_days(3), by=coordinator)


def test_feedback_opens_after_the_visit_and_the_report_counts_visits_per_region_and_topic(cast, coordinator):
    match_round = host_rounds.host_round_open(programme=cast.programme, ranking_deadline=in_days(7), by=coordinator)
    rank_crosswise(cast, match_round)
    host_rounds.host_round_run(match_round=match_round, by=coordinator)
    visit = Visit.objects.get(host_request=cast.kenya)
    with pytest.raises(ValidationError, match="once the visit is over"):
        visit_services.visit_feedback_give(visit=visit, side="host", rating=5, comments="", by=cast.kenya_host)
    after = visit.end_date + datetime.timedelta(days=1)
    visit_services.visit_feedback_give(visit=visit, side="host", rating=5, comments="", by=cast.kenya_host, today=after)
    visit_services.visit_feedback_give(
        visit=visit, side="professor", rating=4, comments="", by=cast.ben.volunteer.user, today=after
    )
    with pytest.raises(ValidationError, match="already been given"):
        visit_services.visit_feedback_give(
            visit=visit, side="host", rating=1, comments="", by=cast.kenya_host, today=after
        )

    report = visit_services.visit_report(programme=cast.programme)
    assert report.visits == 2
    assert dict(report.by_region) == {"Sub-Saharan Africa": 1, "Latin America and the Caribbean": 1}
    assert dict(report.by_topic) == {"Embolisation": 1, "Image-guided biopsy": 1}
    assert report.average_rating == 4.5


def test_the_periodic_task_runs_a_round_once_its_deadline_has_passed_and_only_once(
    cast, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    match_round = host_rounds.host_round_open(programme=cast.programme, ranking_deadline=in_days(7), by=coordinator)
    rank_crosswise(cast, match_round)
    HostMatchRound.objects.filter(pk=match_round.pk).update(ranking_deadline=in_days(-0.001))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_due_host_rounds() == 1

    match_round.refresh_from_db()
    assert match_round.status == HostMatchRound.Status.DONE
    assert Visit.objects.get(host_request=cast.kenya).candidacy == cast.ben
    assert Visit.objects.get(host_request=cast.peru).candidacy == cast.ana
    results = [m for m in mailoutbox if "result" in m.subject]
    assert {m.to[0] for m in results} == {"ana@example.org", "ben@example.org", "kenya@example.org", "peru@example.org"}

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_due_host_rounds() == 0
    assert Visit.objects.count() == 2
    assert len([m for m in mailoutbox if "result" in m.subject]) == len(results)
    with pytest.raises(ValidationError, match="Only an open round"):
        host_rounds.host_round_run(match_round=match_round, by=coordinator)


def test_the_periodic_task_leaves_a_round_alone_before_its_deadline_and_once_cancelled(cast, coordinator):
    match_round = host_rounds.host_round_open(programme=cast.programme, ranking_deadline=in_days(1), by=coordinator)
    rank_crosswise(cast, match_round)

    assert tasks.run_due_host_rounds() == 0

    match_round.refresh_from_db()
    assert match_round.status == HostMatchRound.Status.OPEN
    assert host_rounds.host_round_may_rank(match_round)
    assert not Visit.objects.exists()
    host_rounds.host_round_cancel(match_round=match_round, by=coordinator)
    HostMatchRound.objects.filter(pk=match_round.pk).update(ranking_deadline=in_days(-1))
    assert tasks.run_due_host_rounds() == 0
    assert HostMatchRound.objects.get(pk=match_round.pk).status == HostMatchRound.Status.CANCELLED
    assert not Visit.objects.exists()


# Pages


def test_host_candidate_and_coordinator_go_through_the_pages(client, cast, coordinator, organisation):
    society = OrganisationFactory(name="Ghana IR Society", kind=Organisation.Kind.SOCIETY)
    host = MembershipFactory(organisation=society, role=Membership.Role.COORDINATOR).user
    client.force_login(host)
    response = client.post(
        reverse("matcher:host-request-create", args=[society.slug]),
        {
            "programme": cast.programme.pk,
            "title": "Accra teaching week",
            "kind": HostRequest.Kind.TEACHING_WEEK,
            "topics": [skill("embolisation").pk],
            "language": "en",
            "city": "Accra",
            "country": "GH",
            "preferred_start": (today() + datetime.timedelta(days=60)).isoformat(),
            "preferred_end": (today() + datetime.timedelta(days=65)).isoformat(),
            "covers_accommodation": "on",
        },
    )
    accra = HostRequest.objects.get(title="Accra teaching week")
    assert response.status_code == 302
    assert accra.host_organisation == society
    assert "Accra teaching week" in client.get(reverse("matcher:visiting-list")).content.decode()

    candidate = VolunteerProfileFactory(career_stage=CareerStage.SENIOR, name="Chidi")
    client.force_login(candidate.user)
    response = client.post(
        reverse("matcher:candidacy-create", args=[cast.programme.pk]),
        {"topics": [skill("embolisation").pk], "statement": "Embolisation lectures."},
    )
    assert response.status_code == 302
    candidacy = VisitCandidacy.objects.get(volunteer=candidate)

    client.force_login(coordinator)
    response = client.post(
        reverse("matcher:visiting-programme", args=[cast.programme.pk]),
        {"ranking_deadline": deadline_field(in_days(7))},
    )
    match_round = HostMatchRound.objects.get()
    assert response.status_code == 302

    client.force_login(host)
    page = client.get(reverse("matcher:host-request-detail", args=[accra.pk]))
    assert "Chidi" in page.content.decode()
    response = client.post(
        reverse("matcher:host-request-detail", args=[accra.pk]),
        {f"candidate-{candidacy.pk}": "1", f"candidate-{cast.ana.pk}": "", f"candidate-{cast.ben.pk}": ""},
    )
    assert response.status_code == 302

    client.force_login(candidate.user)
    response = client.post(reverse("matcher:host-round-candidate", args=[match_round.pk]), {f"host-{accra.pk}": "1"})
    assert response.status_code == 302

    client.force_login(coordinator)
    page = client.get(reverse("matcher:host-round-detail", args=[match_round.pk]))
    assert "Would be matched." in page.content.decode()
    client.post(reverse("matcher:host-round-run", args=[match_round.pk]))
    assert Visit.objects.get().candidacy == candidacy
    report = client.get(reverse("matcher:visit-report", args=[cast.programme.pk])).content.decode()
    assert "Sub-Saharan Africa" in report

    client.force_login(candidate.user)
    page = client.get(reverse("matcher:host-round-candidate", args=[match_round.pk])).content.decode()
    assert "You were matched to “Accra teaching week”." in page


def test_outsiders_do_not_see_host_requests_or_rounds(client, cast, coordinator, other_coordinator, volunteer):
    match_round = host_rounds.host_round_open(programme=cast.programme, ranking_deadline=in_days(7), by=coordinator)
    client.force_login(other_coordinator)
    assert client.get(reverse("matcher:host-request-detail", args=[cast.kenya.pk])).status_code == 404
    assert client.get(reverse("matcher:host-round-detail", args=[match_round.pk])).status_code == 404
    # A host ranks its own request's candidates, not another host's, and does not run the round.
    client.force_login(cast.kenya_host)
    assert client.get(reverse("matcher:host-request-detail", args=[cast.peru.pk])).status_code == 404
    assert client.post(reverse("matcher:host-round-run", args=[match_round.pk])).status_code == 404
    client.force_login(volunteer.user)
    assert client.get(reverse("matcher:host-round-candidate", args=[match_round.pk])).status_code == 404


def test_the_candidacy_page_warns_a_volunteer_without_the_seniority(client, cast):
    early = VolunteerProfileFactory(career_stage=CareerStage.EARLY)
    client.force_login(early.user)
    page = client.get(reverse("matcher:candidacy-create", args=[cast.programme.pk]))
    assert "at least five years of practice" in page.content.decode()
    response = client.post(
        reverse("matcher:candidacy-create", args=[cast.programme.pk]),
        {"topics": [skill("embolisation").pk], "statement": "x"},
    )
    assert response.status_code == 400
    assert not VisitCandidacy.objects.filter(volunteer=early).exists()


def test_the_result_e_mail_is_written_in_the_recipients_language(
    cast, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    cast.ben.volunteer.user.language = "fr"
    cast.ben.volunteer.user.save(update_fields=["language"])
    match_round = host_rounds.host_round_open(programme=cast.programme, ranking_deadline=in_days(7), by=coordinator)
    rank_crosswise(cast, match_round)
    with django_capture_on_commit_callbacks(execute=True):
        host_rounds.host_round_run(match_round=match_round, by=coordinator)
    message = next(m for m in mailoutbox if "ben@example.org" in m.to)
    assert "Le tour d'appariement de" in message.body
    assert "Nairobi meeting" in message.body


def test_the_round_page_reads_the_round_in_a_constant_number_of_queries(
    client, cast, coordinator, django_assert_max_num_queries
):
    for number in range(4):
        VisitCandidacyFactory(programme=cast.programme, volunteer__name=f"Extra {number}")
    match_round = host_rounds.host_round_open(programme=cast.programme, ranking_deadline=in_days(7), by=coordinator)
    rank_crosswise(cast, match_round)
    client.force_login(coordinator)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("matcher:host-round-detail", args=[match_round.pk]))
    assert response.status_code == 200
    assert "Would be matched." in response.content.decode()


def test_a_portuguese_reader_sees_the_topics_wanted_in_portuguese(client, cast):
    page = client.get(reverse("matcher:visiting-list"), HTTP_ACCEPT_LANGUAGE="pt").content.decode()

    assert "Lima teaching week" in page
    assert "Biópsia guiada por imagem" in page
    assert "Image-guided biopsy" not in page
