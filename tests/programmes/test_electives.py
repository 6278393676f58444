"""Electives in the coordinator's workspace and on /opportunities/: the need form's elective fields, the
supervisor and cap on the coordinator's pages, the electives filter and the public page."""

import pytest
from django.urls import reverse

from programmes.electives import Elective, need_elective_set
from programmes.models import Need
from tests.factories import (
    ElectiveFactory,
    MembershipFactory,
    NeedFactory,
    ProgrammeFactory,
    SiteFactory,
    VolunteerProfileFactory,
)
from tests.programmes.test_need_form import need_payload, post_need
from volunteers.models import CareerStage, Profession

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(lead_organisation=organisation, title="IR Juniors electives")


@pytest.fixture
def site(organisation):
    return SiteFactory(name="Muhimbili National Hospital", organisation=organisation)


@pytest.fixture
def supervisor(organisation):
    return MembershipFactory(
        organisation=organisation,
        user__first_name="Grace",
        user__last_name="Mwakasege",
        user__email="grace@example.org",
    ).user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def elective_payload(site, supervisor, **overrides):
    return need_payload(
        site,
        **{
            "title": "Elective in interventional radiology",
            "profession": "student",
            "min_years_experience": "0",
            "elective-is_elective": "on",
            "elective-supervisor": str(supervisor.pk),
            "elective-max_students": "2",
            **overrides,
        },
    )


# The need form


def test_coordinator_posts_an_elective_with_its_supervisor_and_cap(coordinator_client, programme, site, supervisor):
    response = post_need(coordinator_client, programme, elective_payload(site, supervisor))

    assert response.status_code == 302
    need = Need.objects.get(title="Elective in interventional radiology")
    assert need.elective.supervisor == supervisor
    assert need.elective.max_students == 2

    page = coordinator_client.get(reverse("programmes:programme-detail", args=[programme.pk])).content.decode()
    assert "Supervisor: Grace Mwakasege, up to 2 students at a time" in page
    board = coordinator_client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()
    assert "Supervisor: Grace Mwakasege, up to 2 students at a time" in board


def test_the_need_form_offers_the_host_organisations_members_as_supervisors(
    coordinator_client, programme, supervisor, other_coordinator
):
    response = coordinator_client.get(reverse("programmes:need-create", args=[programme.pk]))

    page = response.content.decode()
    assert 'name="elective-is_elective"' in page
    assert "Grace Mwakasege" in page
    assert other_coordinator.email not in page


def test_a_supervisor_from_another_organisation_is_refused(coordinator_client, programme, site, other_coordinator):
    response = post_need(coordinator_client, programme, elective_payload(site, other_coordinator))

    assert response.status_code == 400
    assert response.context["elective_form"].errors["supervisor"]
    assert not Need.objects.filter(title="Elective in interventional radiology").exists()


def test_an_elective_names_its_supervisor(coordinator_client, programme, site, supervisor):
    response = post_need(
        coordinator_client, programme, elective_payload(site, supervisor, **{"elective-supervisor": ""})
    )

    assert response.status_code == 400
    assert response.context["elective_form"].errors["supervisor"] == ["Name the student's on-site supervisor."]


def test_an_elective_is_for_students_or_trainees_and_on_site(coordinator_client, programme, site, supervisor):
    response = post_need(coordinator_client, programme, elective_payload(site, supervisor, profession="ir_physician"))

    assert response.status_code == 400
    assert response.context["form"].errors["profession"] == [
        "An elective is for medical students or trainees: choose one of them."
    ]
    # Nothing was saved, not even the need.
    assert not Need.objects.filter(title="Elective in interventional radiology").exists()


def test_coordinator_edits_the_cap_and_makes_the_need_ordinary_again(coordinator_client, programme, site, supervisor):
    elective = ElectiveFactory(need__programme=programme, need__host_site=site, supervisor=supervisor)
    need = elective.need
    edit = reverse("programmes:need-edit", args=[need.pk])

    form = coordinator_client.get(edit).context["elective_form"]
    assert form.initial == {"is_elective": True, "supervisor": supervisor.pk, "max_students": 2}

    data = elective_payload(site, supervisor, title=need.title, **{"elective-max_students": "4"})
    assert coordinator_client.post(edit, data).status_code == 302
    assert Elective.objects.get(need=need).max_students == 4

    data.pop("elective-is_elective")
    assert coordinator_client.post(edit, data).status_code == 302
    assert not Elective.objects.filter(need=need).exists()


def test_the_service_refuses_a_remote_elective(supervisor, programme):
    need = NeedFactory(programme=programme, profession="student", mode="remote", host_site=None, hours_per_week=3)

    with pytest.raises(Exception, match="takes place on site"):
        need_elective_set(need=need, data={"is_elective": True, "supervisor": supervisor}, by=supervisor)


def test_an_inactive_member_cannot_supervise(programme, site):
    inactive = MembershipFactory(organisation=programme.lead_organisation, user__is_active=False).user
    need = NeedFactory(programme=programme, profession="trainee", host_site=site)

    with pytest.raises(Exception, match="member of the organisation that manages the host site"):
        need_elective_set(need=need, data={"is_elective": True, "supervisor": inactive}, by=inactive)


# /opportunities/


def student_client(client, profession=Profession.STUDENT):
    profile = VolunteerProfileFactory(profession=profession, career_stage=CareerStage.STUDENT, years_experience=0)
    client.force_login(profile.user)
    return client


def test_students_filter_opportunities_to_electives(client):
    elective = ElectiveFactory(need__title="Elective in IR, Dar es Salaam")
    NeedFactory(title="IR faculty, Mwanza")

    page = student_client(client).get(reverse("programmes:opportunity-list"), {"elective": "yes"}).content.decode()

    assert elective.need.title in page
    assert "IR faculty, Mwanza" not in page
    assert "Elective" in page


@pytest.mark.parametrize(
    ("profession", "main_row"),
    [(Profession.STUDENT, True), (Profession.TRAINEE, True), (Profession.IR_PHYSICIAN, False)],
)
def test_students_and_trainees_see_the_electives_filter_beside_the_main_ones(client, profession, main_row):
    response = student_client(client, profession).get(reverse("programmes:opportunity-list"))

    assert response.context["filter"].electives_first is main_row
    assert 'name="elective"' in response.content.decode()


def test_the_electives_filter_is_one_to_relax_when_nothing_matches(client):
    NeedFactory(title="IR faculty, Mwanza")

    page = client.get(reverse("programmes:opportunity-list"), {"elective": "yes"}).content.decode()

    assert "IR faculty, Mwanza" not in page
    assert "Include needs that are not electives" in page


def test_the_public_page_of_an_elective_asks_for_the_letter_and_keeps_the_supervisor_private(client):
    elective = ElectiveFactory()
    elective.supervisor.first_name, elective.supervisor.last_name = "Grace", "Mwakasege"
    elective.supervisor.save()

    page = client.get(elective.need.get_absolute_url()).content.decode()

    assert "with a supervisor on site" in page
    assert "A letter from your home institution is required" in page
    # The supervisor is a member of the organisation, named to coordinators, never to the public.
    assert "Mwakasege" not in page
    assert elective.supervisor.email not in page


# The supervisor's account


def test_a_supervisor_cannot_erase_their_account_while_their_elective_runs(client, password):
    elective = ElectiveFactory(need__title="Elective in IR, Muhimbili")
    client.force_login(elective.supervisor)

    response = client.post(reverse("privacy:account-delete"), {"password": password})

    assert response.status_code == 200
    assert "You supervise the elective “Elective in IR, Muhimbili”." in response.content.decode()
    assert Elective.objects.filter(pk=elective.pk).exists()


def test_a_supervisor_of_closed_electives_only_can_erase_their_account(client, password):
    elective = ElectiveFactory()
    Need.objects.filter(pk=elective.need_id).update(status=Need.Status.CLOSED)
    supervisor = elective.supervisor
    client.force_login(supervisor)

    response = client.post(reverse("privacy:account-delete"), {"password": password})

    assert response.status_code == 302
    assert not type(supervisor).objects.filter(pk=supervisor.pk).exists()
    assert Need.objects.filter(pk=elective.need_id).exists()
    assert not Elective.objects.filter(pk=elective.pk).exists()
