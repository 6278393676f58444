"""Holes found in review of the coordinator's journey, each closed and kept closed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from matcher.rounds import match_round_open
from notifications.services import notify
from organisations.models import Membership, Organisation
from organisations.services import invitation_create
from programmes.models import Need
from programmes.services import needs_close_expired
from tests.factories import ApplicationFactory, NeedFactory, today

pytestmark = pytest.mark.django_db


def test_an_archived_organisations_coordinator_can_no_longer_open_its_pipeline(client, organisation, coordinator):
    need = NeedFactory(programme__lead_organisation=organisation)
    client.force_login(coordinator)
    assert client.get(reverse("placements:pipeline", args=[need.pk])).status_code == 200

    organisation.status = Organisation.Status.ARCHIVED
    organisation.save()

    assert client.get(reverse("placements:pipeline", args=[need.pk])).status_code == 404
    assert client.get(reverse("programmes:programme-detail", args=[need.programme_id])).status_code == 404


def test_an_organisation_awaiting_verification_cannot_send_invitations(organisation_admin, organisation):
    organisation.status = Organisation.Status.PENDING
    organisation.save()

    with pytest.raises(ValidationError, match="once GlobalIR has verified"):
        invitation_create(
            organisation=organisation,
            email="someone@example.org",
            role=Membership.Role.COORDINATOR,
            by=organisation_admin,
        )


@pytest.mark.parametrize("value", ["²", "١", "abc"])
def test_odd_digits_in_the_copy_parameter_are_not_an_error(client, organisation, coordinator, value):
    need = NeedFactory(programme__lead_organisation=organisation)
    client.force_login(coordinator)

    response = client.get(reverse("programmes:need-create", args=[need.programme_id]), {"copy": value})

    assert response.status_code == 200


def test_an_email_subject_shows_names_as_written(mailoutbox, django_capture_on_commit_callbacks, volunteer):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind="offer_made",
            event_key="offer-made:subject-test",
            recipient=volunteer.user,
            context={"need_title": "Women's health & IR", "organisation": "A & B", "dashboard_url": "/me/"},
        )

    assert "Women's health & IR" in mailoutbox[0].subject
    assert "&amp;" not in mailoutbox[0].subject


def test_a_need_in_a_match_round_stays_open_past_its_application_deadline(organisation, coordinator):
    need = NeedFactory(programme__lead_organisation=organisation, application_deadline=today() + datetime.timedelta(1))
    ApplicationFactory(need=need)
    match_round_open(
        programme=need.programme, ranking_deadline=timezone.now() + datetime.timedelta(days=5), by=coordinator
    )

    needs_close_expired(today=today() + datetime.timedelta(days=2))

    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
