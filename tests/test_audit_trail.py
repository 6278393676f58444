"""Site admins see who changed what on needs, applications and credentials."""

import pytest
from django.urls import reverse

from programmes.models import Need
from tests.factories import ApplicationFactory, CredentialFactory, NeedFactory
from volunteers.models import Credential

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


def test_closing_a_need_in_the_admin_is_recorded_with_who_and_what(admin_client, site_admin):
    need = NeedFactory(title="Post-partum haemorrhage embolisation")

    admin_client.post(reverse("admin:programmes_need_changelist"), {"action": "close", "_selected_action": [need.pk]})

    latest = need.history.first()
    assert latest.status == Need.Status.CLOSED
    assert latest.history_user == site_admin
    trail = admin_client.get(reverse("admin:programmes_historicalneed_changelist")).content.decode()
    assert str(site_admin) in trail
    assert "status: open → closed" in trail


def test_verifying_a_credential_is_recorded_in_its_history_page(admin_client, site_admin):
    credential = CredentialFactory()

    admin_client.post(
        reverse("admin:volunteers_credential_changelist"),
        {"action": "mark_verified", "_selected_action": [credential.pk]},
    )

    assert credential.history.first().status == Credential.Status.VERIFIED
    assert credential.history.first().history_user == site_admin
    page = admin_client.get(reverse("admin:volunteers_credential_history", args=[credential.pk]))
    assert page.status_code == 200
    assert str(site_admin) in page.content.decode()


def test_the_audit_trail_keeps_no_application_message_or_internal_notes():
    application = ApplicationFactory(message="Please call me on +255 700 000 000", coordinator_notes="Seems keen")

    record = application.history.first()

    assert not hasattr(record, "message")
    assert not hasattr(record, "coordinator_notes")


def test_the_audit_trail_cannot_be_edited_from_the_admin(admin_client):
    need = NeedFactory()
    record = need.history.first()

    page = admin_client.get(reverse("admin:programmes_historicalneed_change", args=[record.pk]))
    admin_client.post(reverse("admin:programmes_historicalneed_delete", args=[record.pk]), {"post": "yes"})

    assert page.status_code == 200  # read-only view
    assert need.history.filter(pk=record.pk).exists()


def test_a_failed_match_rounds_error_is_visible_to_site_admins(admin_client):
    from programmes.models import MatchRound
    from tests.factories import ProgrammeFactory

    failed = MatchRound.objects.create(
        programme=ProgrammeFactory(),
        ranking_deadline="2026-12-01T10:00:00Z",
        status=MatchRound.Status.FAILED,
        error="IntegrityError: duplicate key",
    )

    page = admin_client.get(reverse("admin:programmes_matchround_change", args=[failed.pk]))

    assert "IntegrityError: duplicate key" in page.content.decode()
