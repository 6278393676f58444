"""Teams on rotations, volunteer side: applying to a role in ranked rotations, the teammates confirmed on a
rotation (named only with their consent), and the rotation in the calendar feed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from placements import services
from placements.models import Application
from placements.team_applications import team_apply
from programmes import team_services
from programmes.teams import TeamSlot
from tests.factories import ProgrammeFactory, SiteFactory, VolunteerProfileFactory, today
from volunteers.models import Profession
from volunteers.services import profile_consent_withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(organisation, coordinator):
    programme = ProgrammeFactory(lead_organisation=organisation, title="Road2IR")
    site = SiteFactory(organisation=organisation, name="Muhimbili National Hospital")
    team = team_services.team_create(
        programme=programme, data={"title": "Road2IR IR team", "host_site": site}, by=coordinator
    )
    for profession in (Profession.IR_PHYSICIAN, Profession.IR_NURSE):
        team_services.team_role_add(team=team, data={"profession": profession, "places": 1}, by=coordinator)
    first = today() + datetime.timedelta(days=30)
    dates = [
        (first + datetime.timedelta(weeks=8 * n), first + datetime.timedelta(weeks=8 * n, days=13)) for n in range(3)
    ]
    team_services.team_rotations_add(team=team, dates=dates, by=coordinator)
    return team


def rotations(team):
    return list(team.rotations.order_by("start_date"))


def slot_need(team, rotation, profession):
    return TeamSlot.objects.get(rotation=rotation, role__profession=profession).need


def test_anyone_sees_the_rotation_calendar_and_open_slots(client, team):
    page = client.get(reverse("placements:team-detail", args=[team.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Road2IR IR team" in body
    assert body.count("1 place open") == 6
    assert "Log in or sign up as a volunteer to apply." in body


def test_volunteer_applies_to_a_role_in_ranked_rotations(
    client, team, volunteer, mailoutbox, django_capture_on_commit_callbacks
):
    first, second, third = rotations(team)
    client.force_login(volunteer.user)
    role = team.roles.get(profession=Profession.IR_PHYSICIAN)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("placements:team-apply", args=[team.pk]),
            {"role": role.pk, f"rank_{third.pk}": "1", f"rank_{first.pk}": "2", "message": "Keen to teach."},
        )
    assert response.status_code == 302
    applications = Application.objects.filter(volunteer=volunteer).select_related("rotation_choice", "need")
    ranks = {application.need.team_slot.rotation: application.rotation_choice.rank for application in applications}
    assert ranks == {third: 1, first: 2}
    application = applications.get(need__team_slot__rotation=third)
    assert (application.proposed_start, application.proposed_end) == (third.start_date, third.end_date)
    to_volunteer = [mail for mail in mailoutbox if mail.to == ["volunteer@example.org"]]
    assert len(to_volunteer) == 1
    assert "Road2IR IR team" in to_volunteer[0].subject
    page = client.get(reverse("placements:team-detail", args=[team.pk])).content.decode()
    assert "preference 1" in page and "preference 2" in page
    # Only the rotation not applied to yet is offered again.
    assert f'name="rank_{second.pk}"' in page
    assert f'name="rank_{first.pk}"' not in page and f'name="rank_{third.pk}"' not in page


def test_ranks_must_differ(client, team, volunteer):
    first, second, _third = rotations(team)
    client.force_login(volunteer.user)
    role = team.roles.get(profession=Profession.IR_PHYSICIAN)
    response = client.post(
        reverse("placements:team-apply", args=[team.pk]),
        {"role": role.pk, f"rank_{first.pk}": "1", f"rank_{second.pk}": "1"},
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_a_volunteer_cannot_apply_to_another_professions_role(team, volunteer):
    nurse_role = team.roles.get(profession=Profession.IR_NURSE)
    with pytest.raises(ValidationError):
        team_apply(volunteer=volunteer, role=nurse_role, rotations=rotations(team)[:1], message="")
    assert not Application.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in_to_apply(client, team):
    response = client.post(reverse("placements:team-apply", args=[team.pk]), {})
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def confirm(volunteer, need, coordinator):
    application = team_apply(
        volunteer=volunteer, role=need.team_slot.role, rotations=[need.team_slot.rotation], message=""
    )[0]
    services.application_offer(application=application, by=coordinator)
    application.refresh_from_db()
    services.offer_accept(application=application, by=volunteer.user)
    return application


def test_a_confirmed_volunteer_sees_teammates_named_only_with_consent(client, team, coordinator, volunteer):
    first = rotations(team)[0]
    nurse = VolunteerProfileFactory(profession=Profession.IR_NURSE, name="Neema Mushi")
    confirm(volunteer, slot_need(team, first, Profession.IR_PHYSICIAN), coordinator)
    nurse_application = confirm(nurse, slot_need(team, first, Profession.IR_NURSE), coordinator)
    client.force_login(volunteer.user)
    assert "Neema Mushi" in client.get(reverse("placements:rotation-team", args=[first.pk])).content.decode()
    # Consent withdrawn after joining: the teammate is no longer named.
    profile_consent_withdraw(profile=nurse)
    client.force_login(volunteer.user)
    page = client.get(reverse("placements:rotation-team", args=[first.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert volunteer.display_name in body
    assert "Neema Mushi" not in body
    assert f"Volunteer #{nurse_application.pk}" in body
    team_page = client.get(reverse("placements:team-detail", args=[team.pk])).content.decode()
    assert reverse("placements:rotation-team", args=[first.pk]) in team_page
    assert "Ready" in team_page


def test_only_volunteers_confirmed_on_the_rotation_see_its_team(client, team, coordinator, volunteer, other_volunteer):
    first, second, _third = rotations(team)
    confirm(volunteer, slot_need(team, first, Profession.IR_PHYSICIAN), coordinator)
    client.force_login(other_volunteer.user)
    assert client.get(reverse("placements:rotation-team", args=[first.pk])).status_code == 404
    client.force_login(volunteer.user)
    assert client.get(reverse("placements:rotation-team", args=[second.pk])).status_code == 404
    client.force_login(coordinator)
    assert client.get(reverse("placements:rotation-team", args=[first.pk])).status_code == 404


def test_an_accepted_rotation_is_in_the_calendar_feed(client, team, coordinator, volunteer):
    first = rotations(team)[0]
    confirm(volunteer, slot_need(team, first, Profession.IR_PHYSICIAN), coordinator)
    feed = client.get(reverse("placements:calendar-feed"), {"token": volunteer.calendar_token}).content.decode()
    assert f"DTSTART;VALUE=DATE:{first.start_date:%Y%m%d}" in feed
    assert "Road2IR IR team" in feed


def test_a_draft_programmes_team_is_not_public(client, team, coordinator):
    team.programme.status = "draft"
    team.programme.save()
    assert client.get(reverse("placements:team-detail", args=[team.pk])).status_code == 404
    client.force_login(coordinator)
    assert client.get(reverse("placements:team-detail", args=[team.pk])).status_code == 200


def test_a_slots_need_page_points_to_its_team(client, team):
    need = slot_need(team, rotations(team)[0], Profession.IR_NURSE)
    page = client.get(reverse("programmes:need-detail", args=[need.pk])).content.decode()
    assert reverse("placements:team-detail", args=[team.pk]) in page


def test_a_match_round_treats_each_rotation_and_role_as_its_own_capacity(
    team, coordinator, volunteer, other_volunteer, django_capture_on_commit_callbacks
):
    # Match rounds live above placements; imported here, where the round is the subject.
    from matcher import rounds

    first, second, _third = rotations(team)
    role = team.roles.get(profession=Profession.IR_PHYSICIAN)
    for profile in (volunteer, other_volunteer):
        team_apply(volunteer=profile, role=role, rotations=[first, second], message="")
    first_need = slot_need(team, first, Profession.IR_PHYSICIAN)
    second_need = slot_need(team, second, Profession.IR_PHYSICIAN)
    match_round = rounds.match_round_open(
        programme=team.programme, ranking_deadline=timezone.now() + datetime.timedelta(days=3), by=coordinator
    )
    for profile in (volunteer, other_volunteer):
        rounds.match_round_rank_needs(
            match_round=match_round, profile=profile, ranks={first_need.pk: 1, second_need.pk: 2}
        )
    rounds.match_round_rank_applicants(
        match_round=match_round,
        need=first_need,
        ranks={
            Application.objects.get(need=first_need, volunteer=other_volunteer).pk: 1,
            Application.objects.get(need=first_need, volunteer=volunteer).pk: 2,
        },
        by=coordinator,
    )
    with django_capture_on_commit_callbacks(execute=True):
        rounds.match_round_request_run(match_round=match_round, by=coordinator)

    offered = Application.objects.filter(status=Application.Status.OFFERED)
    assert set(offered.values_list("need_id", "volunteer_id")) == {
        (first_need.pk, other_volunteer.pk),
        (second_need.pk, volunteer.pk),
    }
