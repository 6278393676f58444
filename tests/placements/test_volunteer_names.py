"""How volunteers are named to coordinators: the name and title they gave, wherever coordinators see them
(board, application page, e-mails, feedback, CSV export, admin), under one rule with its pseudonyms."""

import csv
import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from globalir import privacy
from notifications.models import Notification
from placements import services
from placements.models import Application
from tests.factories import (
    ApplicationFactory,
    FeedbackFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    VolunteerProfileFactory,
)
from volunteers.selectors import volunteer_label

pytestmark = pytest.mark.django_db

# The address of the newcomer in the report: its local part was all coordinators were shown.
EMAIL = "journey-1202134203@example.org"


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(lead_organisation=organisation, title="Lake Zone IR fellowship")


@pytest.fixture
def need(programme):
    return NeedFactory(programme=programme, title="PPH embolisation teaching, Moshi")


@pytest.fixture
def named():
    """A volunteer who gave a name and a title in the wizard; their account has no name of its own."""
    return VolunteerProfileFactory(
        name="Amina Okafor", title="Dr", user__email=EMAIL, user__first_name="", user__last_name=""
    )


def csv_rows(client, programme) -> list[list[str]]:
    response = client.get(reverse("placements:placements-csv", args=[programme.pk]))
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_coordinators_see_the_name_and_title_the_volunteer_gave_on_the_board_and_application(
    client, coordinator, need, named
):
    application = ApplicationFactory(need=need, volunteer=named)
    client.force_login(coordinator)

    board = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()
    page = client.get(reverse("placements:pipeline-application", args=[application.pk])).content.decode()

    assert "Dr Amina Okafor" in board
    assert "<h1>Dr Amina Okafor</h1>" in page
    assert "journey-1202134203</" not in board + page


def test_the_e_mail_to_coordinators_names_the_volunteer_as_they_asked(
    need, named, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(
            volunteer=named, need=need, message="", proposed_start=need.window_start, proposed_end=need.window_end
        )

    [mail] = mailoutbox
    assert "Dr Amina Okafor" in mail.body
    assert "journey-1202134203 " not in mail.body


def test_the_placements_csv_and_the_feedback_page_name_the_volunteer_as_they_asked(
    client, coordinator, programme, need, named
):
    placement = PlacementFactory(application__need=need, application__volunteer=named)
    FeedbackFactory(placement=placement, comments="Thank you for having me.")
    client.force_login(coordinator)

    rows = csv_rows(client, programme)
    feedback = client.get(reverse("placements:programme-feedback", args=[programme.pk])).content.decode()

    assert rows[1][-1] == "Dr Amina Okafor"
    assert "Dr Amina Okafor" in feedback


def test_site_admins_see_the_volunteers_name_with_their_address(client, site_admin, need, named):
    ApplicationFactory(need=need, volunteer=named)
    client.force_login(site_admin)

    applications = client.get(reverse("admin:placements_application_changelist")).content.decode()
    profiles = client.get(reverse("admin:volunteers_volunteerprofile_changelist"), {"q": "Okafor"}).content.decode()

    assert "Dr Amina Okafor &lt;journey-1202134203@example.org&gt;" in applications
    assert "Dr Amina Okafor &lt;journey-1202134203@example.org&gt;" in profiles


def test_a_volunteer_who_does_not_share_is_a_number_whatever_their_name(client, coordinator, programme, need):
    private = VolunteerProfileFactory(name="Hidden Person", title="Prof", consent_to_share=False)
    placement = PlacementFactory(application__need=need, application__volunteer=private)
    client.force_login(coordinator)

    board = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()
    rows = csv_rows(client, programme)

    assert f"Volunteer #{placement.application_id}" in board
    assert rows[1][-1] == f"Volunteer #{placement.application_id}"
    assert "Hidden Person" not in board


def test_an_erased_volunteer_is_named_the_same_way_on_the_board_in_the_csv_and_on_feedback(
    client, coordinator, programme, need
):
    placement = PlacementFactory(application__need=need, application__status=Application.Status.COMPLETED)
    FeedbackFactory(placement=placement, comments="It went well.")
    privacy.account_erase(user=placement.volunteer.user)
    client.force_login(coordinator)

    board = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()
    rows = csv_rows(client, programme)
    feedback = client.get(reverse("placements:programme-feedback", args=[programme.pk])).content.decode()

    assert rows[1][-1] == "Former volunteer (account erased)"
    assert "Former volunteer (account erased)" in board
    assert "Former volunteer (account erased)" in feedback


def test_an_erased_volunteer_is_named_alike_in_the_e_mails_renamed_at_erasure_on_the_pages_and_in_the_admin(
    client, coordinator, site_admin, programme, need
):
    # The e-mails are renamed by the erasure itself; the pages and the admin name the NULL profile they
    # find afterwards. Both paths follow one rule.
    placement = PlacementFactory(application__need=need, application__status=Application.Status.COMPLETED)
    application = placement.application
    email = Notification.objects.create(
        kind="offer_accepted",
        event_key=f"offer-accepted:{application.pk}:{coordinator.pk}",
        recipient=coordinator,
        email=coordinator.email,
        context={"volunteer_name": placement.volunteer.display_name},
    )
    privacy.account_erase(user=placement.volunteer.user)
    client.force_login(coordinator)
    board = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()
    rows = csv_rows(client, programme)
    client.force_login(site_admin)
    admin_list = client.get(reverse("admin:placements_application_changelist")).content.decode()

    email.refresh_from_db()
    application.refresh_from_db()
    label = volunteer_label(volunteer=application.volunteer, number=application.pk)
    assert application.volunteer is None
    assert label == "Former volunteer (account erased)"
    assert email.context["volunteer_name"] == label
    assert rows[1][-1] == label
    assert label in board
    assert label in admin_list


def test_a_volunteer_from_before_names_were_asked_is_shown_by_whole_e_mail_address(client, coordinator, need):
    unnamed = VolunteerProfileFactory(name="", user__email=EMAIL, user__first_name="", user__last_name="")
    ApplicationFactory(need=need, volunteer=unnamed)
    client.force_login(coordinator)

    board = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()

    assert EMAIL in board


def test_a_volunteer_without_a_name_is_asked_for_it_on_their_dashboard(client):
    unnamed = VolunteerProfileFactory(name="", user__email=EMAIL, user__first_name="", user__last_name="")
    client.force_login(unnamed.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    assert f"they see you as “{EMAIL}”" in page
    assert reverse("volunteers:onboarding-step", args=["about"]) in page

    unnamed.name = "Amina Okafor"
    unnamed.save()
    assert 'id="name-prompt"' not in client.get(reverse("placements:dashboard")).content.decode()


MIGRATION_BEFORE = ("volunteers", "0006_credential_document_checked")
MIGRATION_AFTER = ("volunteers", "0007_profile_name_title_consent_withdrawn")


@pytest.fixture
def schema_before_names(transactional_db):
    """The database as it was before names were asked; back to the latest schema afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate([MIGRATION_BEFORE])
    yield executor.loader.project_state([MIGRATION_BEFORE]).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migration_names_existing_profiles_after_their_accounts(schema_before_names):
    User = schema_before_names.get_model("accounts", "User")
    Profile = schema_before_names.get_model("volunteers", "VolunteerProfile")
    for email, first, last in [("grace@example.org", " Grace ", "Achieng"), (EMAIL, "", "")]:
        user = User.objects.create(email=email, first_name=first, last_name=last)
        Profile.objects.create(user=user, profession="radiographer", career_stage="early", calendar_token=email)

    executor = MigrationExecutor(connection)
    executor.migrate([MIGRATION_AFTER])

    Profile = executor.loader.project_state([MIGRATION_AFTER]).apps.get_model("volunteers", "VolunteerProfile")
    assert dict(Profile.objects.values_list("user__email", "name")) == {"grace@example.org": "Grace Achieng", EMAIL: ""}
