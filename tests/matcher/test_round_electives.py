"""Match rounds and electives: pairs the offer rules would refuse are left out before matching, with the
reason, instead of failing the whole round."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from matcher import round_run, round_selectors, rounds
from matcher.models import MatchRound, RoundRanking
from placements.models import Application
from tests.factories import (
    ApplicationFactory,
    CredentialFactory,
    ElectiveFactory,
    HomeLetterFactory,
    NeedFactory,
    ProgrammeFactory,
    VolunteerProfileFactory,
)
from volunteers.models import CareerStage, Credential, Profession

pytestmark = pytest.mark.django_db


def student(name: str):
    profile = VolunteerProfileFactory(
        profession=Profession.STUDENT,
        career_stage=CareerStage.STUDENT,
        years_experience=0,
        user__first_name=name,
        user__last_name="Student",
    )
    HomeLetterFactory(profile=profile)
    return profile


def open_round(programme, coordinator) -> MatchRound:
    deadline = timezone.now() + datetime.timedelta(days=7)
    return rounds.match_round_open(programme=programme, ranking_deadline=deadline, by=coordinator)


def ranking(match_round, application) -> RoundRanking:
    return RoundRanking.objects.get(match_round=match_round, application=application)


def test_a_round_leaves_out_a_student_on_licensed_clinical_work_and_offers_the_elective(
    client, organisation, coordinator
):
    programme = ProgrammeFactory(lead_organisation=organisation)
    licensed = NeedFactory(programme=programme, title="Consultant cover", requires_verified_credential=True, places=1)
    elective = ElectiveFactory(need__programme=programme, need__title="IR elective in Mwanza")
    ada = student("Ada")
    # Applied before the need asked for a licence: the round must not offer it.
    on_licensed = ApplicationFactory(need=licensed, volunteer=ada)
    on_elective = ApplicationFactory(need=elective.need, volunteer=ada)
    match_round = open_round(programme, coordinator)
    rounds.match_round_rank_needs(match_round=match_round, profile=ada, ranks={licensed.pk: 1, elective.need.pk: 2})

    # The preview already leaves the pair out and says why.
    rounds.match_round_request_dry_run(match_round=match_round, by=coordinator)
    round_run.match_round_run(match_round=match_round, dry_run=True)
    client.force_login(coordinator)
    page = client.get(reverse("matcher:round-detail", args=[match_round.pk])).content.decode()
    assert "Left out: a medical student cannot be offered this need, which asks for a licence to practise." in page

    match_round = round_run.match_round_run(match_round=match_round, dry_run=False)

    assert match_round.status == MatchRound.Status.DONE, match_round.error
    assert set(Application.objects.filter(status=Application.Status.OFFERED)) == {on_elective}
    on_elective_ranking, on_licensed_ranking = ranking(match_round, on_elective), ranking(match_round, on_licensed)
    assert on_elective_ranking.outcome == RoundRanking.Outcome.MATCHED
    assert on_licensed_ranking.outcome == RoundRanking.Outcome.UNMATCHED
    assert match_round.result["outcomes"][str(on_licensed_ranking.pk)]["code"] == round_selectors.REFUSED_LICENCE
    assert on_licensed_ranking.explanation == (
        "“Consultant cover” asks for a licence to practise: medical students take part through electives only."
    )


def test_a_round_offers_an_elective_only_up_to_its_supervisors_cap(organisation, coordinator):
    programme = ProgrammeFactory(lead_organisation=organisation)
    elective = ElectiveFactory(need__programme=programme, need__places=3, max_students=2)
    applications = [ApplicationFactory(need=elective.need, volunteer=student(name)) for name in ("Ada", "Ben", "Cai")]
    match_round = open_round(programme, coordinator)
    for application in applications:
        rounds.match_round_rank_needs(
            match_round=match_round, profile=application.volunteer, ranks={elective.need.pk: 1}
        )
    need_ranks = {ranking(match_round, a).need_rank: a for a in applications}
    first, second, third = need_ranks[1], need_ranks[2], need_ranks[3]

    round_run.match_round_run(match_round=match_round, dry_run=True)
    match_round.refresh_from_db()
    assert match_round.dry_run_result["pairs"] == 2

    match_round = round_run.match_round_run(match_round=match_round, dry_run=False)

    assert match_round.status == MatchRound.Status.DONE, match_round.error
    assert set(Application.objects.filter(status=Application.Status.OFFERED)) == {first, second}
    left_out = ranking(match_round, third)
    assert left_out.outcome == RoundRanking.Outcome.UNMATCHED
    assert match_round.result["outcomes"][str(left_out.pk)]["code"] == round_selectors.REFUSED_SUPERVISOR_FULL
    assert "already had as many students as they take" in left_out.explanation


def test_a_round_leaves_out_a_volunteer_whose_credential_does_not_last_the_placement(organisation, coordinator):
    programme = ProgrammeFactory(lead_organisation=organisation)
    need = NeedFactory(programme=programme, title="Consultant cover", requires_verified_credential=True, places=2)
    lasting, expiring = ApplicationFactory(need=need), ApplicationFactory(need=need)
    # Valid on the need's first days, not until the end of the dates the volunteer proposed.
    short = expiring.proposed_end - datetime.timedelta(days=5)
    for application, expires_on in ((lasting, None), (expiring, short)):
        CredentialFactory(
            profile=application.volunteer,
            kind=Credential.Kind.LICENCE,
            status=Credential.Status.VERIFIED,
            expires_on=expires_on,
        )
    match_round = open_round(programme, coordinator)
    for application in (lasting, expiring):
        rounds.match_round_rank_needs(match_round=match_round, profile=application.volunteer, ranks={need.pk: 1})

    match_round = round_run.match_round_run(match_round=match_round, dry_run=False)

    assert match_round.status == MatchRound.Status.DONE, match_round.error
    assert set(Application.objects.filter(status=Application.Status.OFFERED)) == {lasting}
    left_out = ranking(match_round, expiring)
    assert match_round.result["outcomes"][str(left_out.pk)]["code"] == round_selectors.REFUSED_CREDENTIAL
    assert left_out.explanation.startswith("“Consultant cover” requires a credential you have not had verified")
