"""Site admins withdraw applications for their volunteers in the Django admin; the status moves only
through the services."""

import datetime

import pytest
from django.urls import reverse

from placements.models import Application, Placement
from placements.services import offer_accept
from programmes.models import Need
from tests.factories import ApplicationFactory, NeedFactory, PlacementFactory, today

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


@pytest.fixture
def placement(volunteer):
    """One of everything: a placement of the volunteer, through an accepted application to a need."""
    return PlacementFactory(
        application__volunteer=volunteer,
        application__need__title="Embolisation faculty in Mwanza",
        application__need__programme__title="Lake Zone IR fellowship",
        application__need__host_site__name="Bugando Medical Centre",
    )


def run_action(client, changelist, action, objects):
    return client.post(
        reverse(changelist), {"action": action, "_selected_action": [obj.pk for obj in objects]}, follow=True
    )


# Withdrawing an application for its volunteer (they wrote in)

APPLICATIONS = "admin:placements_application_changelist"


def test_withdrawing_an_accepted_application_gives_its_dates_and_its_place_back(admin_client, placement, volunteer):
    need = placement.need
    Need.objects.filter(pk=need.pk).update(places=1, status=Need.Status.FILLED)
    elsewhere = ApplicationFactory(
        volunteer=volunteer,
        need=NeedFactory(window_start=need.window_start, window_end=need.window_end),
        proposed_start=placement.start_date,
        proposed_end=placement.end_date,
        status=Application.Status.OFFERED,
    )

    response = run_action(admin_client, APPLICATIONS, "withdraw", [placement.application])

    assert "1 application withdrawn." in response.content.decode()
    application = Application.objects.get(pk=placement.application_id)
    assert application.status == Application.Status.WITHDRAWN and application.withdrawn_at
    assert not Placement.objects.filter(pk=placement.pk).exists()
    assert Need.objects.get(pk=need.pk).status == Need.Status.OPEN
    # The dates are free again: an offer on the same days can be accepted (the constraint agrees on PostgreSQL).
    assert offer_accept(application=elsewhere, by=volunteer.user).start_date == placement.start_date


def test_withdrawing_a_placement_under_way_ends_it_today(admin_client, volunteer):
    placement = PlacementFactory(
        application__volunteer=volunteer,
        application__need__window_start=today() - 10 * DAY,
        application__need__application_deadline=None,
    )

    run_action(admin_client, APPLICATIONS, "withdraw", [placement.application])

    placement.refresh_from_db()
    assert (placement.start_date, placement.end_date) == (today() - 10 * DAY, today())


def test_a_completed_or_declined_application_cannot_be_withdrawn(admin_client, volunteer):
    completed = ApplicationFactory(volunteer=volunteer, status=Application.Status.COMPLETED)
    declined = ApplicationFactory(volunteer=volunteer, status=Application.Status.DECLINED)

    page = run_action(admin_client, APPLICATIONS, "withdraw", [completed, declined]).content.decode()

    assert "0 applications withdrawn." in page
    assert "An application that is completed cannot be withdrawn." in page
    assert "An application that is declined cannot be withdrawn." in page
    assert set(Application.objects.values_list("status", flat=True)) == {"completed", "declined"}


def test_the_change_form_cannot_move_a_status_past_the_services(admin_client, placement):
    application = placement.application
    url = reverse("admin:placements_application_change", args=[application.pk])
    data = {
        "need": application.need_id,
        "volunteer": application.volunteer_id,
        "message": application.message,
        "proposed_start": application.proposed_start.isoformat(),
        "proposed_end": application.proposed_end.isoformat(),
        "decline_reason": "",
        "coordinator_notes": "",
        "status": Application.Status.WITHDRAWN,
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert Placement.objects.filter(pk=placement.pk).exists()
