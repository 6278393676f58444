"""Offering places: never more offers and acceptances than the need has places."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections
from django.urls import reverse

from placements import services
from placements.models import Application, Placement
from programmes.models import Need
from tests.factories import ApplicationFactory, NeedFactory, PlacementFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_an_interested_applicant_receives_an_offer(site_admin):
    application = ApplicationFactory()

    services.application_offer(application=application, by=site_admin)

    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED
    assert application.offered_at is not None


def test_no_offer_once_every_place_is_offered_or_taken(site_admin):
    need = NeedFactory(places=2)
    PlacementFactory(application__need=need)
    ApplicationFactory(need=need, status=Application.Status.OFFERED)
    waiting = ApplicationFactory(need=need)

    with pytest.raises(ValidationError, match="already offered or taken"):
        services.application_offer(application=waiting, by=site_admin)

    waiting.refresh_from_db()
    assert waiting.status == Application.Status.INTERESTED


def test_a_withdrawn_application_cannot_receive_an_offer(site_admin):
    application = ApplicationFactory(status=Application.Status.WITHDRAWN)

    with pytest.raises(ValidationError, match="withdrawn cannot receive an offer"):
        services.application_offer(application=application, by=site_admin)


def test_a_closed_need_makes_no_offer(site_admin):
    application = ApplicationFactory()
    Need.objects.filter(pk=application.need_id).update(status=Need.Status.CLOSED)

    with pytest.raises(ValidationError, match="is not open any more"):
        services.application_offer(application=application, by=site_admin)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_transactional_db")
def test_two_offers_of_the_last_place_at_once_give_one_offer_and_one_refusal():
    admin = StaffFactory()
    need = NeedFactory(places=1)
    applications = [ApplicationFactory(need=need), ApplicationFactory(need=need)]
    start = threading.Barrier(len(applications))
    outcomes: list[str] = []

    def offer(application):
        try:
            start.wait(timeout=10)
            services.application_offer(application=application, by=admin)
            outcomes.append("offered")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=offer, args=(application,)) for application in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["no_place_left", "offered"]
    assert Application.objects.filter(need=need, status=Application.Status.OFFERED).count() == 1


def test_from_application_to_accepted_placement_through_the_web_pages(client, volunteer, site_admin):
    need = NeedFactory(places=1)
    client.force_login(volunteer.user)
    client.post(
        reverse("placements:application-create", args=[need.pk]),
        {"message": "Happy to help", "proposed_start": need.window_start, "proposed_end": need.window_end},
    )
    application = Application.objects.get(need=need, volunteer=volunteer)

    client.force_login(site_admin)
    response = client.post(
        reverse("admin:placements_application_changelist"),
        {"action": "offer", "_selected_action": [application.pk]},
        follow=True,
    )
    assert "1 offer made." in response.content.decode()

    client.force_login(volunteer.user)
    assert "Accept the offer" in client.get(reverse("placements:dashboard")).content.decode()
    client.post(reverse("placements:offer-accept", args=[application.pk]))

    placement = Placement.objects.get(application=application)
    assert (placement.start_date, placement.end_date) == (need.window_start, need.window_end)
    need.refresh_from_db()
    assert need.status == Need.Status.FILLED


def test_the_admin_says_why_an_offer_was_refused(client, site_admin):
    need = NeedFactory(places=1)
    ApplicationFactory(need=need, status=Application.Status.OFFERED)
    waiting = ApplicationFactory(need=need)
    client.force_login(site_admin)

    response = client.post(
        reverse("admin:placements_application_changelist"),
        {"action": "offer", "_selected_action": [waiting.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "0 offers made." in page
    assert "already offered or taken" in page
