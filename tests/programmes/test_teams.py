"""Teams on rotations, coordinator side: posting a team, its roles and rotations, slots and readiness."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from placements.models import Application
from programmes import team_services
from programmes.models import Need
from programmes.team_selectors import team_calendar
from programmes.teams import Rotation, TeamSlot, rotation_dates
from tests.factories import (
    ApplicationFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    SiteFactory,
    today,
)
from volunteers.models import Profession

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(lead_organisation=organisation, title="Road2IR Dar es Salaam")


@pytest.fixture
def site(organisation):
    return SiteFactory(organisation=organisation, name="Muhimbili National Hospital")


@pytest.fixture
def team(programme, site, coordinator):
    return team_services.team_create(
        programme=programme, data={"title": "IR team", "description": "", "host_site": site}, by=coordinator
    )


def add_roles(team, by):
    team_services.team_role_add(team=team, data={"profession": Profession.IR_PHYSICIAN, "places": 1}, by=by)
    team_services.team_role_add(team=team, data={"profession": Profession.IR_NURSE, "places": 2}, by=by)


def test_rotations_every_n_weeks_between_two_dates():
    start = datetime.date(2027, 3, 1)
    dates = rotation_dates(first_start=start, last_start=datetime.date(2027, 11, 30), every_weeks=8, length_days=14)
    assert dates[0] == (start, datetime.date(2027, 3, 14))
    assert dates[1][0] == datetime.date(2027, 4, 26)
    assert len(dates) == 5
    assert all(end - begin == datetime.timedelta(days=13) for begin, end in dates)


def test_each_rotation_and_role_is_a_slot_with_the_roles_places(team, coordinator):
    add_roles(team, coordinator)
    first = today() + datetime.timedelta(days=30)
    team_services.team_rotations_add(
        team=team,
        dates=[
            (first, first + datetime.timedelta(days=13)),
            (first + datetime.timedelta(weeks=8), first + datetime.timedelta(weeks=8, days=13)),
        ],
        by=coordinator,
    )
    slots = TeamSlot.objects.filter(rotation__team=team).select_related("need", "role")
    assert slots.count() == 4
    nurse_slot = next(slot for slot in slots if slot.role.profession == Profession.IR_NURSE)
    assert nurse_slot.need.places == 2
    assert nurse_slot.need.host_site == team.host_site
    assert nurse_slot.need.min_duration_days == 14
    assert nurse_slot.need.status == Need.Status.OPEN


def test_a_role_added_after_the_rotations_gets_its_slots(team, coordinator):
    first = today() + datetime.timedelta(days=30)
    team_services.team_rotations_add(team=team, dates=[(first, first + datetime.timedelta(days=13))], by=coordinator)
    add_roles(team, coordinator)
    assert TeamSlot.objects.filter(rotation__team=team).count() == 2


def test_a_rotation_already_over_is_refused(team, coordinator):
    past = today() - datetime.timedelta(days=30)
    with pytest.raises(ValidationError):
        team_services.team_rotations_add(team=team, dates=[(past, past + datetime.timedelta(days=13))], by=coordinator)
    assert not Rotation.objects.exists()


def test_the_same_role_twice_is_refused(team, coordinator):
    add_roles(team, coordinator)
    with pytest.raises(ValidationError):
        team_services.team_role_add(team=team, data={"profession": Profession.IR_NURSE, "places": 1}, by=coordinator)


def test_a_rotation_is_ready_only_when_every_role_is_filled(team, coordinator):
    add_roles(team, coordinator)
    first = today() + datetime.timedelta(days=30)
    team_services.team_rotations_add(team=team, dates=[(first, first + datetime.timedelta(days=13))], by=coordinator)
    slots = {slot.role.profession: slot.need for slot in TeamSlot.objects.select_related("need", "role")}
    ApplicationFactory(need=slots[Profession.IR_PHYSICIAN], status=Application.Status.ACCEPTED)
    ApplicationFactory(need=slots[Profession.IR_NURSE], status=Application.Status.ACCEPTED)
    row = team_calendar(team=team).rows[0]
    assert not row.is_ready
    assert (row.taken, row.places) == (2, 3)
    ApplicationFactory(need=slots[Profession.IR_NURSE], status=Application.Status.ACCEPTED)
    row = team_calendar(team=team).rows[0]
    assert row.is_ready


def test_coordinator_posts_a_team_with_roles_and_rotations_through_the_pages(client, coordinator, programme, site):
    client.force_login(coordinator)
    response = client.post(
        reverse("programmes:team-create", args=[programme.pk]),
        {"title": "Road2IR IR team", "description": "Attending, nurse, radiographer.", "host_site": site.pk},
    )
    team = programme.team_needs.get()
    assert response.url == reverse("programmes:team-manage", args=[team.pk])
    for profession in (Profession.IR_PHYSICIAN, Profession.IR_NURSE, Profession.RADIOGRAPHER):
        response = client.post(
            reverse("programmes:team-role-add", args=[team.pk]), {"profession": profession, "places": 1}
        )
        assert response.status_code == 302
    first = today() + datetime.timedelta(days=20)
    response = client.post(
        reverse("programmes:team-rotations-add", args=[team.pk]),
        {
            "length_days": 14,
            "first_start": first.isoformat(),
            "last_start": (first + datetime.timedelta(weeks=16)).isoformat(),
            "every_weeks": 8,
        },
    )
    assert response.status_code == 302
    assert team.rotations.count() == 3
    page = client.get(reverse("programmes:team-manage", args=[team.pk]))
    assert page.status_code == 200
    assert "0 of 3 rotations ready" in page.content.decode()
    assert "0 of 3 places filled" in page.content.decode()
    programme_page = client.get(reverse("programmes:programme-detail", args=[programme.pk])).content.decode()
    assert "Road2IR IR team" in programme_page


def test_explicit_rotation_dates_through_the_page(client, coordinator, team):
    client.force_login(coordinator)
    first = today() + datetime.timedelta(days=20)
    second = first + datetime.timedelta(days=100)
    response = client.post(
        reverse("programmes:team-rotations-add", args=[team.pk]),
        {"length_days": 10, "explicit_dates": f"{first.isoformat()}\n{second.isoformat()}"},
    )
    assert response.status_code == 302
    assert list(team.rotations.values_list("start_date", "end_date")) == [
        (first, first + datetime.timedelta(days=9)),
        (second, second + datetime.timedelta(days=9)),
    ]


def test_a_schedule_without_dates_is_explained(client, coordinator, team):
    client.force_login(coordinator)
    response = client.post(reverse("programmes:team-rotations-add", args=[team.pk]), {"length_days": 14})
    assert response.status_code == 400
    assert "explicit start dates" in response.content.decode()


def test_a_site_of_another_organisation_is_refused(client, coordinator, programme, other_organisation):
    client.force_login(coordinator)
    foreign = SiteFactory(organisation=other_organisation)
    response = client.post(
        reverse("programmes:team-create", args=[programme.pk]), {"title": "Team", "host_site": foreign.pk}
    )
    assert response.status_code == 400
    assert not programme.team_needs.exists()


@pytest.mark.parametrize("who", ["other_coordinator", "volunteer"])
def test_outsiders_cannot_manage_a_team(client, team, who, request):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert client.get(reverse("programmes:team-manage", args=[team.pk])).status_code == 404
    response = client.post(reverse("programmes:team-role-add", args=[team.pk]), {"profession": "ir_nurse", "places": 1})
    assert response.status_code == 404
    assert not team.roles.exists()


def test_team_page_lists_the_programmes_distance_learning(client, coordinator, team, programme):
    RemoteNeedFactory(programme=programme, title="Weekly IR case conference")
    client.force_login(coordinator)
    page = client.get(reverse("programmes:team-manage", args=[team.pk])).content.decode()
    assert "Weekly IR case conference" in page
    public = client.get(reverse("placements:team-detail", args=[team.pk])).content.decode()
    assert "Weekly IR case conference" in public
