"""A volunteer withdraws their consent to be shown to coordinators: what coordinators stop seeing, and
what the volunteer can still do (volunteers.services.profile_consent_withdraw)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from matcher.models import Recommendation
from notifications.models import Notification
from placements import services
from placements.models import Application
from tests.factories import (
    ApplicationFactory,
    CredentialFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    VolunteerProfileFactory,
)
from volunteers.services import credential_upload, profile_consent_give, profile_consent_withdraw

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(lead_organisation=organisation)


@pytest.fixture
def need(programme):
    return NeedFactory(programme=programme, title="PPH embolisation teaching, Moshi")


@pytest.fixture
def amina():
    return VolunteerProfileFactory(name="Amina Okafor", title="Dr", institution="Lakeside General Hospital")


def document_url(credential) -> str:
    return reverse("placements:credential-document", args=[credential.pk])


def upload(profile, title: str):
    return credential_upload(
        profile=profile,
        data={"kind": "licence", "title": title, "issuing_country": "CA"},
        document=SimpleUploadedFile("licence.pdf", PDF),
    )


def test_coordinators_see_an_existing_application_by_number_once_consent_is_withdrawn(client, coordinator, need, amina):
    application = ApplicationFactory(need=need, volunteer=amina, message="I teach embolisation in Toronto.")
    client.force_login(coordinator)
    assert "Dr Amina Okafor" in client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()

    profile_consent_withdraw(profile=amina)

    board = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()
    page = client.get(reverse("placements:pipeline-application", args=[application.pk])).content.decode()
    for shown in (board, page):
        assert f"Volunteer #{application.pk}" in shown
        assert "Amina" not in shown
        assert "Lakeside General Hospital" not in shown
        assert amina.user.email not in shown
    assert "I teach embolisation in Toronto." not in page


def test_coordinators_cannot_open_documents_uploaded_after_the_withdrawal_nor_before(client, coordinator, need, amina):
    ApplicationFactory(need=need, volunteer=amina)
    before = upload(amina, "Licence to practise in Ontario")
    client.force_login(coordinator)
    assert client.get(document_url(before)).status_code == 200

    profile_consent_withdraw(profile=amina)
    after = upload(amina, "Board certification in radiology")

    assert client.get(document_url(after)).status_code == 404
    assert client.get(document_url(before)).status_code == 404
    client.force_login(amina.user)
    assert client.get(document_url(after)).status_code == 200  # still theirs to open


def test_giving_consent_again_shows_the_volunteer_and_their_documents_again(client, coordinator, need, amina):
    ApplicationFactory(need=need, volunteer=amina)
    profile_consent_withdraw(profile=amina)
    meanwhile = upload(amina, "Board certification in radiology")

    profile_consent_give(profile=amina)
    client.force_login(coordinator)

    assert client.get(document_url(meanwhile)).status_code == 200
    assert "Dr Amina Okafor" in client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()


def test_the_placements_csv_names_a_volunteer_who_withdrew_by_number(client, coordinator, programme, need, amina):
    placement = PlacementFactory(application__need=need, application__volunteer=amina)
    profile_consent_withdraw(profile=amina)
    client.force_login(coordinator)

    response = client.get(reverse("placements:placements-csv", args=[programme.pk]))

    csv_text = response.content.decode("utf-8-sig")
    assert f"Volunteer #{placement.application_id}" in csv_text
    assert "Amina" not in csv_text


def test_the_recorded_e_mails_to_coordinators_stop_naming_the_volunteer(need, amina, coordinator):
    application = services.application_submit(
        volunteer=amina, need=need, message="", proposed_start=need.window_start, proposed_end=need.window_end
    )
    other = services.application_submit(
        volunteer=VolunteerProfileFactory(name="Grace Achieng"),
        need=need,
        message="",
        proposed_start=need.window_start,
        proposed_end=need.window_end,
    )

    profile_consent_withdraw(profile=amina)

    names = {
        notification.event_key: notification.context["volunteer_name"]
        for notification in Notification.objects.filter(kind="application_received")
    }
    assert names == {
        f"application-received:{application.pk}:{coordinator.pk}": f"Volunteer #{application.pk}",
        f"application-received:{other.pk}:{coordinator.pk}": "Grace Achieng",
    }


def test_the_matcher_stops_suggesting_a_volunteer_who_withdrew(need, amina, django_capture_on_commit_callbacks):
    Recommendation.objects.create(
        volunteer=amina, need=need, score=80, rank_for_need=1, rank_for_volunteer=1, computed_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        profile_consent_withdraw(profile=amina)

    assert not Recommendation.objects.filter(volunteer=amina).exists()


def test_applying_needs_consent_given_again(client, need, amina):
    profile_consent_withdraw(profile=amina)
    client.force_login(amina.user)

    page = client.get(need.get_absolute_url()).content.decode()
    response = client.post(
        reverse("placements:application-create", args=[need.pk]),
        {"message": "", "proposed_start": need.window_start, "proposed_end": need.window_end},
    )

    assert "which you withdrew" in page
    assert f'href="{reverse("volunteers:consent")}"' in page
    assert 'action="{}"'.format(reverse("placements:application-create", args=[need.pk])) not in page
    assert response.status_code == 400
    assert not Application.objects.filter(volunteer=amina).exists()


def test_the_service_refuses_an_application_without_consent_and_says_why(need, amina):
    amina = profile_consent_withdraw(profile=amina)

    with pytest.raises(ValidationError, match="give it again on your profile to apply") as refused:
        services.application_submit(
            volunteer=amina, need=need, message="", proposed_start=need.window_start, proposed_end=need.window_end
        )

    assert refused.value.code == "no_consent"


def test_the_dashboard_of_a_volunteer_who_withdrew_says_so(client, amina):
    profile_consent_withdraw(profile=amina)
    client.force_login(amina.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    assert "Coordinators cannot see you: you withdrew your consent" in page


def test_existing_applications_stay_as_they_were(need, amina):
    application = ApplicationFactory(need=need, volunteer=amina, status=Application.Status.SHORTLISTED)
    CredentialFactory(profile=amina)

    profile_consent_withdraw(profile=amina)

    application.refresh_from_db()
    assert application.status == Application.Status.SHORTLISTED
    assert amina.credentials.count() == 1
