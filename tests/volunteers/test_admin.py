"""Site admins look after volunteer profiles, the taxonomy, languages and credentials in the Django admin."""

import pytest
from django.urls import reverse

from tests.factories import CredentialFactory, UserFactory, VolunteerProfileFactory, skill
from volunteers.models import Credential, Language

pytestmark = pytest.mark.django_db

CREDENTIALS = "admin:volunteers_credential_changelist"
Status = Credential.Status


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


def mark_verified(client, credentials):
    return client.post(
        reverse(CREDENTIALS),
        {"action": "mark_verified", "_selected_action": [credential.pk for credential in credentials]},
        follow=True,
    )


def test_site_admin_marks_credentials_verified_recording_who_and_when(admin_client, site_admin, volunteer):
    pending = CredentialFactory(profile=volunteer)
    rejected = CredentialFactory(profile=volunteer, status=Status.REJECTED, rejection_reason="Document unreadable.")

    response = mark_verified(admin_client, [pending, rejected])

    assert "2 credentials verified." in response.content.decode()
    for credential in (pending, rejected):
        credential.refresh_from_db()
        assert credential.status == Status.VERIFIED
        assert credential.verified_by == site_admin
        assert credential.verified_at is not None
    assert rejected.rejection_reason == ""


def test_credentials_already_verified_keep_their_original_verifier(admin_client, volunteer):
    earlier_admin = UserFactory(is_staff=True)
    already = CredentialFactory(profile=volunteer, status=Status.VERIFIED, verified_by=earlier_admin)

    response = mark_verified(admin_client, [already])

    assert "0 credentials verified." in response.content.decode()
    already.refresh_from_db()
    assert already.verified_by == earlier_admin


def test_the_credentials_list_shows_who_verified_each_one(admin_client, site_admin, volunteer):
    credential = CredentialFactory(profile=volunteer)

    mark_verified(admin_client, [credential])
    response = admin_client.get(reverse(CREDENTIALS), {"status__exact": "verified"})

    page = response.content.decode()
    assert str(site_admin) in page
    assert "volunteer@example.org" in page


def test_verifying_through_the_change_form_records_who_and_when(admin_client, site_admin, volunteer):
    credential = CredentialFactory(profile=volunteer, issued_on=None)

    response = admin_client.post(
        reverse("admin:volunteers_credential_change", args=[credential.pk]),
        {
            "profile": volunteer.pk,
            "kind": credential.kind,
            "title": credential.title,
            "issuing_body": credential.issuing_body,
            "issuing_country": "CA",
            "number": credential.number,
            "expires_on": credential.expires_on.isoformat(),
            "status": Status.VERIFIED,
            "rejection_reason": "",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.status, credential.verified_by) == (Status.VERIFIED, site_admin)
    assert credential.verified_at is not None


def test_rejecting_a_credential_without_a_reason_is_refused(admin_client, volunteer):
    credential = CredentialFactory(profile=volunteer)

    response = admin_client.post(
        reverse("admin:volunteers_credential_change", args=[credential.pk]),
        {
            "profile": volunteer.pk,
            "kind": credential.kind,
            "title": credential.title,
            "issuing_country": "CA",
            "status": Status.REJECTED,
            "rejection_reason": "",
            "_save": "Save",
        },
    )

    assert "Give the volunteer a reason for the rejection." in response.content.decode()
    credential.refresh_from_db()
    assert credential.status == Status.PENDING


def test_credential_documents_are_only_linked_through_the_checked_download(admin_client, volunteer):
    credential = CredentialFactory(profile=volunteer, document="credentials/0123abcd.pdf")

    for url in (
        reverse("admin:volunteers_credential_change", args=[credential.pk]),
        reverse("admin:volunteers_volunteerprofile_change", args=[volunteer.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert reverse("placements:credential-document", args=[credential.pk]) in page
        assert "0123abcd.pdf" not in page


def test_volunteer_consent_is_shown_but_cannot_be_changed_by_an_admin(admin_client, volunteer):
    page = admin_client.get(reverse("admin:volunteers_volunteerprofile_change", args=[volunteer.pk])).content.decode()

    assert "consent to be shown to coordinators" in page.lower()
    assert 'name="consent_to_share"' not in page


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        (
            "volunteerprofile",
            {
                "profession__exact": "ir_physician",
                "home_country": "CA",
                "consent_to_share__exact": "1",
                "q": "volunteer@",
            },
            "volunteer@example.org",
        ),
        ("skill", {"category__exact": "procedure", "q": "embolisation"}, "Post-partum haemorrhage embolisation"),
        ("language", {"q": "swahili"}, "Swahili"),
        (
            "credential",
            {"status__exact": "pending", "kind__exact": "board", "issuing_country": "CA", "q": "Board"},
            "volunteer@example.org",
        ),
    ],
)
def test_changelists_load_with_a_filter_and_search(admin_client, volunteer, model, query, expected):
    CredentialFactory(profile=volunteer)
    VolunteerProfileFactory(user__email="nurse@example.org", profession="ir_nurse")

    response = admin_client.get(reverse(f"admin:volunteers_{model}_changelist"), query)

    page = response.content.decode()
    assert response.status_code == 200
    assert expected in page
    assert "nurse@example.org" not in page


@pytest.mark.parametrize("model", ["volunteerprofile", "skill", "language", "credential"])
def test_add_and_change_forms_load(admin_client, volunteer, model):
    obj = {
        "volunteerprofile": volunteer,
        "skill": skill("embolisation"),
        "language": Language.objects.get(code="fr"),
        "credential": CredentialFactory(profile=volunteer),
    }[model]

    add = admin_client.get(reverse(f"admin:volunteers_{model}_add"))
    change = admin_client.get(reverse(f"admin:volunteers_{model}_change", args=[obj.pk]))

    assert add.status_code == 200
    assert change.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_profile_and_credential_changelist_queries_do_not_grow_with_rows(
    admin_client, site_admin, rows, django_assert_max_num_queries
):
    for profile in VolunteerProfileFactory.create_batch(rows):
        CredentialFactory(profile=profile, status=Status.VERIFIED, verified_by=site_admin)

    for model in ("volunteerprofile", "credential"):
        with django_assert_max_num_queries(8):
            admin_client.get(reverse(f"admin:volunteers_{model}_changelist"))
