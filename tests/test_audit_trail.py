"""Site admins see who changed what on needs, applications and credentials."""

import pytest
from django.urls import reverse
from django.utils import timezone

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
    from matcher.models import MatchRound
    from tests.factories import ProgrammeFactory

    failed = MatchRound.objects.create(
        programme=ProgrammeFactory(),
        ranking_deadline="2026-12-01T10:00:00Z",
        status=MatchRound.Status.FAILED,
        error="IntegrityError: duplicate key",
    )

    page = admin_client.get(reverse("admin:matcher_matchround_change", args=[failed.pk]))

    assert "IntegrityError: duplicate key" in page.content.decode()


# Each change of verification, status or role, made through the path people use, is recorded exactly once,
# with who made it, when, and the old and new values.


def recorded(obj, action) -> list:
    """The history rows of ``obj`` that ``action`` added."""
    before = set(obj.history.values_list("history_id", flat=True))
    action()
    return list(obj.history.exclude(history_id__in=before))


def old_and_new(record) -> dict:
    return {change.field: (change.old, change.new) for change in record.diff_against(record.prev_record).changes}


def test_verifying_an_organisation_by_the_admin_action_is_recorded_once(client, site_admin):
    from organisations.models import Organisation
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    client.force_login(site_admin)
    before = timezone.now()

    [record] = recorded(
        organisation,
        lambda: client.post(
            reverse("admin:organisations_organisation_changelist"),
            {"action": "verify", "_selected_action": [organisation.pk]},
        ),
    )

    assert record.history_user == site_admin
    assert record.history_date >= before
    assert old_and_new(record)["status"] == (Organisation.Status.PENDING, Organisation.Status.VERIFIED)


def test_publishing_a_programme_by_the_admin_action_is_recorded_once(client, site_admin):
    from programmes.models import Programme
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(status=Programme.Status.DRAFT)
    client.force_login(site_admin)

    [record] = recorded(
        programme,
        lambda: client.post(
            reverse("admin:programmes_programme_changelist"),
            {"action": "publish", "_selected_action": [programme.pk]},
        ),
    )

    assert record.history_user == site_admin
    assert old_and_new(record)["status"] == (Programme.Status.DRAFT, Programme.Status.PUBLISHED)


def test_changing_a_members_role_is_recorded_once(client, organisation, organisation_admin):
    from organisations.models import Membership
    from tests.factories import MembershipFactory

    membership = MembershipFactory(organisation=organisation, role=Membership.Role.COORDINATOR)
    client.force_login(organisation_admin)

    [record] = recorded(
        membership,
        lambda: client.post(
            reverse("organisations:member-role", args=[organisation.slug, membership.pk]), {"role": "admin"}
        ),
    )

    assert record.history_user == organisation_admin
    assert old_and_new(record) == {"role": (Membership.Role.COORDINATOR, Membership.Role.ADMIN)}


def test_a_coordinator_closing_a_need_is_recorded_once(client, coordinator, organisation):
    need = NeedFactory(programme__lead_organisation=organisation)
    client.force_login(coordinator)

    [record] = recorded(need, lambda: client.post(reverse("programmes:need-close", args=[need.pk])))

    assert record.history_user == coordinator
    assert old_and_new(record)["status"] == (Need.Status.OPEN, Need.Status.CLOSED)


def test_a_coordinator_shortlisting_an_application_is_recorded_once(client, coordinator, organisation):
    from placements.models import Application

    application = ApplicationFactory(need__programme__lead_organisation=organisation)
    client.force_login(coordinator)

    [record] = recorded(
        application, lambda: client.post(reverse("placements:application-shortlist", args=[application.pk]))
    )

    assert record.history_user == coordinator
    assert old_and_new(record)["status"] == (Application.Status.INTERESTED, Application.Status.SHORTLISTED)


def test_accepting_the_last_place_records_the_application_and_the_need_once_each(client):
    from placements.models import Application

    application = ApplicationFactory(status=Application.Status.OFFERED, need__places=1)
    need = application.need
    volunteer = application.volunteer.user
    client.force_login(volunteer)
    need_before = set(need.history.values_list("history_id", flat=True))

    [record] = recorded(application, lambda: client.post(reverse("placements:offer-accept", args=[application.pk])))
    [need_record] = need.history.exclude(history_id__in=need_before)

    assert record.history_user == need_record.history_user == volunteer
    assert old_and_new(record)["status"] == (Application.Status.OFFERED, Application.Status.ACCEPTED)
    assert old_and_new(need_record)["status"] == (Need.Status.OPEN, Need.Status.FILLED)


def test_verifying_a_credential_by_the_admin_action_is_recorded_once(client, site_admin):
    credential = CredentialFactory()
    client.force_login(site_admin)

    [record] = recorded(
        credential,
        lambda: client.post(
            reverse("admin:volunteers_credential_changelist"),
            {"action": "mark_verified", "_selected_action": [credential.pk]},
        ),
    )

    assert record.history_user == site_admin
    assert old_and_new(record)["status"] == (Credential.Status.PENDING, Credential.Status.VERIFIED)


def test_the_nightly_closing_of_expired_needs_is_recorded_once_by_no_one():
    import datetime

    from programmes.services import needs_close_expired

    need = NeedFactory()
    later = need.window_end + datetime.timedelta(days=1)

    [record] = recorded(need, lambda: needs_close_expired(today=later))
    recorded_again = recorded(need, lambda: needs_close_expired(today=later))

    assert record.history_user is None
    assert old_and_new(record)["status"] == (Need.Status.OPEN, Need.Status.CLOSED)
    assert recorded_again == []
