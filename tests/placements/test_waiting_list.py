"""A full need's waiting list: volunteers join it instead of being turned away, see where they stand, and the
coordinators are told when a place reopens and offer it to the first on the list in one click."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from globalir.privacy import volunteer_data_export
from notifications.models import Notification
from placements import services, waiting_list_services
from placements.models import Application
from placements.privacy import erase
from placements.waiting_list import WaitingListEntry
from programmes.models import Need
from tests.factories import (
    ApplicationFactory,
    AvailabilityWindowFactory,
    CredentialFactory,
    MembershipFactory,
    NeedFactory,
    StaffFactory,
    VolunteerProfileFactory,
)
from volunteers.models import Profession

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(organisation):
    """One place, already offered: the need is full."""
    need = NeedFactory(programme__lead_organisation=organisation, title="CT-guided drainage, Mwanza", places=1)
    ApplicationFactory(need=need, status=Application.Status.OFFERED)
    return need


def join(volunteer, need) -> WaitingListEntry:
    return waiting_list_services.waiting_list_join(volunteer=volunteer, need=need)


def fits(volunteer, need):
    """Make the matcher find the volunteer eligible for the need: available on site through its dates, with a
    verified credential."""
    AvailabilityWindowFactory(profile=volunteer, start_date=need.window_start, end_date=need.window_end)
    CredentialFactory(profile=volunteer, status="verified")
    return volunteer


# Joining and leaving


def test_a_volunteer_joins_a_full_need_from_its_page_and_sees_their_position(client, volunteer, need):
    client.force_login(volunteer.user)
    page = client.get(need.get_absolute_url()).content.decode()
    assert "Every place is offered or taken. Join the waiting list" in page

    response = client.post(reverse("placements:waiting-list-join", args=[need.pk]), follow=True)

    page = response.content.decode()
    assert "You are on the waiting list for “CT-guided drainage, Mwanza”" in page
    assert "You are number <strong>1</strong> of 1 on the waiting list." in page
    assert "Join the waiting list" not in page
    dashboard = client.get(reverse("placements:dashboard")).content.decode()
    assert "Your waiting lists" in dashboard
    assert "Number <strong>1</strong> of 1 on the waiting list." in dashboard


def test_no_waiting_list_while_a_place_is_free(client, volunteer, organisation):
    need = NeedFactory(programme__lead_organisation=organisation, places=2)
    ApplicationFactory(need=need, status=Application.Status.OFFERED)
    client.force_login(volunteer.user)

    assert "Join the waiting list" not in client.get(need.get_absolute_url()).content.decode()
    response = client.post(reverse("placements:waiting-list-join", args=[need.pk]), follow=True)

    assert "A place on this need is still free: apply for it instead." in response.content.decode()
    assert not WaitingListEntry.objects.exists()


def test_a_filled_need_takes_a_waiting_list(volunteer, organisation):
    need = NeedFactory(programme__lead_organisation=organisation, places=1, status=Need.Status.FILLED)
    ApplicationFactory(need=need, status=Application.Status.ACCEPTED)

    assert join(volunteer, need).is_active


def test_a_closed_need_takes_no_waiting_list(volunteer, need):
    Need.objects.filter(pk=need.pk).update(status=Need.Status.CLOSED)
    need.refresh_from_db()

    with pytest.raises(ValidationError, match="no longer takes volunteers"):
        join(volunteer, need)


def test_the_volunteer_holding_the_place_cannot_join_its_list(need):
    holder = Application.objects.get(need=need).volunteer

    with pytest.raises(ValidationError, match="already hold a place"):
        join(holder, need)


def test_once_on_the_list_is_enough(volunteer, need):
    join(volunteer, need)

    with pytest.raises(ValidationError, match="already on the waiting list"):
        join(volunteer, need)
    assert WaitingListEntry.objects.active().count() == 1


def test_leaving_the_list_from_the_dashboard_and_joining_again(client, volunteer, need):
    entry = join(volunteer, need)
    client.force_login(volunteer.user)

    response = client.post(reverse("placements:waiting-list-leave", args=[entry.pk]), follow=True)

    assert "You left the waiting list for “CT-guided drainage, Mwanza”." in response.content.decode()
    assert "Your waiting lists" not in response.content.decode()
    entry.refresh_from_db()
    assert entry.left_at is not None
    assert join(volunteer, need).is_active


def test_another_volunteer_cannot_take_someone_off_the_list(client, volunteer, other_volunteer, need):
    entry = join(volunteer, need)
    client.force_login(other_volunteer.user)

    assert client.post(reverse("placements:waiting-list-leave", args=[entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.is_active


# The order of the list


def test_the_list_is_ranked_by_fit_then_by_time_joined(need):
    early_misfit = VolunteerProfileFactory(profession=Profession.IR_NURSE)
    first_fit = fits(VolunteerProfileFactory(), need)
    second_fit = fits(VolunteerProfileFactory(), need)
    for volunteer in (early_misfit, first_fit, second_fit):
        join(volunteer, need)

    ranked = waiting_list_services.waiting_list_ranked(need=need)

    assert [entry.volunteer for entry in ranked] == [first_fit, second_fit, early_misfit]
    assert [entry.position for entry in ranked] == [1, 2, 3]
    assert ranked[0].fit_score > 0
    assert ranked[2].fit_score == 0


def test_a_volunteer_who_withdrew_consent_is_not_ranked_nor_shown(
    client, volunteer, other_volunteer, need, coordinator
):
    join(volunteer, need)
    join(other_volunteer, need)
    volunteer.consent_to_share = False
    volunteer.save(update_fields=["consent_to_share"])

    assert [entry.volunteer for entry in waiting_list_services.waiting_list_ranked(need=need)] == [other_volunteer]
    client.force_login(coordinator)
    board = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()
    assert other_volunteer.display_name in board
    assert volunteer.display_name not in board


# Offering a place that reopened


def test_coordinators_are_told_when_a_declined_offer_frees_a_place_for_the_list(
    volunteer, need, coordinator, other_coordinator, django_capture_on_commit_callbacks
):
    join(volunteer, need)
    offered = Application.objects.get(need=need)

    with django_capture_on_commit_callbacks(execute=True):
        services.offer_decline(application=offered, by=offered.volunteer.user)

    [told] = [message for message in mail.outbox if "waiting list" in message.subject]
    assert told.to == [coordinator.email]
    assert told.subject == "[GlobalIR] A place on “CT-guided drainage, Mwanza” is free for its waiting list"
    assert "1 volunteer is on its waiting list" in told.body
    assert reverse("placements:pipeline", args=[need.pk]) in told.body


def test_a_placement_given_up_tells_the_coordinators_too(volunteer, organisation, coordinator, site_admin):
    need = NeedFactory(programme__lead_organisation=organisation, places=1)
    accepted = ApplicationFactory(need=need, status=Application.Status.OFFERED)
    services.offer_accept(application=accepted, by=accepted.volunteer.user)
    join(volunteer, need)

    services.application_withdraw_for_volunteer(application=accepted, by=site_admin)

    assert Notification.objects.filter(kind="waiting_list_place_free", recipient=coordinator).count() == 1
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_nobody_is_told_when_no_one_waits(need, coordinator):
    offered = Application.objects.get(need=need)

    services.offer_decline(application=offered, by=offered.volunteer.user)

    assert not Notification.objects.filter(kind="waiting_list_place_free").exists()


def test_the_coordinator_offers_the_reopened_place_to_the_first_on_the_list_in_one_click(
    client, volunteer, other_volunteer, need, coordinator, django_capture_on_commit_callbacks
):
    join(fits(volunteer, need), need)
    join(other_volunteer, need)
    offered = Application.objects.get(need=need)
    services.offer_decline(application=offered, by=offered.volunteer.user)
    client.force_login(coordinator)
    board = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()
    assert f"Offer a place to {volunteer.display_name}, the first on the list" in board

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placements:waiting-list-offer", args=[need.pk]), follow=True)

    assert f"was offered to {volunteer.display_name}, the first on its waiting list" in response.content.decode()
    application = Application.objects.get(need=need, volunteer=volunteer)
    assert application.status == Application.Status.OFFERED
    entry = WaitingListEntry.objects.get(volunteer=volunteer)
    assert entry.offered_at is not None and entry.application == application
    assert [entry.volunteer for entry in waiting_list_services.waiting_list_ranked(need=need)] == [other_volunteer]
    assert volunteer.user.email in [message.to[0] for message in mail.outbox if "offered a place" in message.subject]


def test_an_application_the_first_already_made_is_the_one_offered(volunteer, need, coordinator):
    join(volunteer, need)
    mine = ApplicationFactory(need=need, volunteer=volunteer)
    offered = Application.objects.exclude(pk=mine.pk).get(need=need)
    services.offer_decline(application=offered, by=offered.volunteer.user)

    application = waiting_list_services.waiting_list_offer_first(need=need, by=coordinator)

    assert application == mine
    assert Application.objects.filter(need=need, volunteer=volunteer).count() == 1


def test_an_offer_made_from_the_pipeline_takes_the_volunteer_off_the_list(
    volunteer, other_volunteer, need, coordinator
):
    join(volunteer, need)
    join(other_volunteer, need)
    mine = ApplicationFactory(need=need, volunteer=volunteer)
    offered = Application.objects.exclude(pk=mine.pk).get(need=need)
    services.offer_decline(application=offered, by=offered.volunteer.user)

    services.application_offer(application=mine, by=coordinator)

    entry = WaitingListEntry.objects.get(volunteer=volunteer)
    assert entry.offered_at is not None and entry.application == mine
    assert [entry.volunteer for entry in waiting_list_services.waiting_list_ranked(need=need)] == [other_volunteer]


def test_no_offer_from_the_list_while_every_place_is_held(client, volunteer, need, coordinator):
    join(volunteer, need)
    client.force_login(coordinator)
    board = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()
    assert "the first on the list</button>" not in board
    assert "When a place frees up, you can offer it here" in board

    response = client.post(reverse("placements:waiting-list-offer", args=[need.pk]), follow=True)

    assert "Every place of “CT-guided drainage, Mwanza” is already offered or taken." in response.content.decode()
    assert not Application.objects.filter(volunteer=volunteer).exists()
    assert WaitingListEntry.objects.get(volunteer=volunteer).is_active


def test_the_board_says_when_nobody_waits(client, need, coordinator):
    client.force_login(coordinator)

    board = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()

    assert "Nobody is on the waiting list." in board


def test_a_coordinator_of_another_organisation_cannot_offer_from_the_list(client, volunteer, need, other_coordinator):
    join(volunteer, need)
    client.force_login(other_coordinator)

    assert client.post(reverse("placements:waiting-list-offer", args=[need.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_transactional_db")
def test_two_coordinators_offering_the_last_place_while_the_list_offers_it_give_one_offer():
    need = NeedFactory(places=1)
    coordinators = [
        MembershipFactory(organisation=need.programme.lead_organisation, role="coordinator").user for _ in range(2)
    ]
    applications = [ApplicationFactory(need=need), ApplicationFactory(need=need)]
    waiting = VolunteerProfileFactory()
    holder = ApplicationFactory(need=need, status=Application.Status.OFFERED)
    join(waiting, need)
    services.offer_decline(application=holder, by=holder.volunteer.user)
    admin = StaffFactory()
    start = threading.Barrier(3)
    outcomes: list[str] = []

    def run(action):
        try:
            start.wait(timeout=10)
            action()
            outcomes.append("offered")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            # Each thread has its own connection: closed, so that the test database can be dropped.
            connection.close()

    actions = [
        lambda: services.application_offer(application=applications[0], by=coordinators[0]),
        lambda: services.application_offer(application=applications[1], by=coordinators[1]),
        lambda: waiting_list_services.waiting_list_offer_first(need=need, by=admin),
    ]
    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["no_place_left", "no_place_left", "offered"]
    assert Application.objects.filter(need=need, status=Application.Status.OFFERED).count() == 1


# Personal data


def test_the_waiting_lists_are_in_the_export_and_go_with_the_account(client, volunteer, need):
    join(volunteer, need)

    [row] = volunteer_data_export(user=volunteer.user)["waiting_lists"]

    assert row["need"]["title"] == "CT-guided drainage, Mwanza"
    assert row["left_at"] is None

    erase(volunteer.user)
    assert not WaitingListEntry.objects.exists()


def test_the_admin_lists_the_waiting_lists(client, volunteer, need):
    join(volunteer, need)
    client.force_login(StaffFactory())

    page = client.get(reverse("admin:placements_waitinglistentry_changelist")).content.decode()

    assert "CT-guided drainage, Mwanza" in page
