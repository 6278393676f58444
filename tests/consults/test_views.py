import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from consults import services
from consults.models import ConsultImage, ConsultImageView, ConsultRequest
from organisations.models import Membership
from organisations.services import invitation_accept, invitation_create
from tests.factories import MembershipFactory, StaffFactory, UserFactory

from .factories import (
    burnt_in_upload,
    clinician_of,
    consult_request,
    ct_series_zip,
    ct_upload,
    host_site,
    remote_radiologist,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(site, clinician, radiologist):
    consult = consult_request(site=site, by=clinician)
    services.consult_claim(consult=consult, profile=radiologist)
    return consult


def _preview(consult):
    return reverse("consults:image-preview", args=[consult.images.first().pk])


def _download(consult):
    return reverse("consults:image-download", args=[consult.images.first().pk])


@pytest.mark.parametrize("who", ["clinician", "claimer", "site_admin"])
def test_the_sites_clinicians_the_claimer_and_site_admins_see_the_images_and_each_view_is_audited(
    client, claimed, clinician, radiologist, who
):
    user = {"clinician": clinician, "claimer": radiologist.user, "site_admin": StaffFactory()}[who]
    client.force_login(user)

    preview = client.get(_preview(claimed) + "?preset=lung")
    download = client.get(_download(claimed))

    assert preview.status_code == 200
    assert preview["Content-Type"] in ("image/webp", "image/png")
    Image.open(io.BytesIO(preview.content)).verify()
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    views = ConsultImageView.objects.filter(viewer=user).order_by("pk")
    assert [(view.how, view.preset) for view in views] == [("preview", "lung"), ("download", "")]
    assert all(view.request_public_id == claimed.public_id for view in views)


@pytest.mark.parametrize("who", ["stranger", "non_claiming_volunteer", "other_sites_clinician", "coordinator"])
def test_everyone_else_gets_404_for_the_images_and_nothing_is_audited(client, claimed, site, who):
    user = {
        "stranger": lambda: UserFactory(),
        "non_claiming_volunteer": lambda: remote_radiologist("second.radiologist@example.org").user,
        "other_sites_clinician": lambda: clinician_of(host_site("Other Hospital"), "other.clinician@example.org"),
        "coordinator": lambda: MembershipFactory(organisation=site.organisation).user,
    }[who]()
    client.force_login(user)

    assert client.get(_preview(claimed)).status_code == 404
    assert client.get(_download(claimed)).status_code == 404
    assert not ConsultImageView.objects.exists()


def test_a_volunteer_it_is_offered_to_reads_the_question_but_not_the_images_until_they_take_it(
    client, site, clinician, radiologist
):
    consult = consult_request(site=site, by=clinician)
    client.force_login(radiologist.user)

    page = client.get(consult.get_absolute_url())
    assert page.status_code == 200
    assert b"Pulmonary embolism?" in page.content
    assert _preview(consult).encode() not in page.content
    assert client.get(_preview(consult)).status_code == 404

    response = client.post(reverse("consults:claim", args=[consult.public_id]))
    assert response.status_code == 302
    assert client.get(_preview(consult)).status_code == 200
    assert _preview(consult).encode() in client.get(consult.get_absolute_url()).content


def test_a_clinician_asks_for_a_consult_through_the_page(client, site, clinician, radiologist):
    client.force_login(clinician)
    form = client.get(reverse("consults:new"))
    assert form.status_code == 200
    assert b"Never write a patient" in form.content

    response = client.post(
        reverse("consults:new"),
        {
            "site": site.pk,
            "question": "Appendicitis?",
            "history": "Right iliac fossa pain for two days.",
            "modality": "CT",
            "body_part": "Abdomen",
            "urgency": "urgent",
            "language": "en",
            "images": [SimpleUploadedFile("series.zip", ct_series_zip(4), content_type="application/zip")],
        },
    )

    consult = ConsultRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == consult.get_absolute_url()
    assert consult.images.count() == 4
    assert consult.status == ConsultRequest.Status.OPEN


def test_a_hostile_file_is_refused_with_its_name_and_nothing_is_stored(client, site, clinician, private_media_in_tmp):
    client.force_login(clinician)
    response = client.post(
        reverse("consults:new"),
        {
            "site": site.pk,
            "question": "Fracture?",
            "modality": "CR",
            "body_part": "Wrist",
            "urgency": "routine",
            "language": "en",
            "images": [ct_upload(1), SimpleUploadedFile("wrist.dcm", b"MZ" + b"\0" * 400)],
        },
    )
    assert response.status_code == 200
    assert "wrist.dcm" in response.content.decode()
    assert not ConsultRequest.objects.exists() and not ConsultImage.objects.exists()
    assert not (private_media_in_tmp / "consults").exists() or not any((private_media_in_tmp / "consults").rglob("*.*"))


def test_only_partner_clinicians_may_ask(client, radiologist):
    client.force_login(radiologist.user)
    assert client.get(reverse("consults:new")).status_code == 403


def test_a_clinician_is_not_a_coordinator(client, site, clinician):
    """No two-factor enrolment forced on them, no coordinator's workspace, members page or menu link."""
    client.force_login(clinician)

    home = client.get(reverse("consults:list"))
    assert home.status_code == 200
    assert reverse("programmes:workspace").encode() not in home.content
    assert reverse("consults:new").encode() in home.content
    assert site.organisation.name.encode() not in client.get(reverse("programmes:workspace")).content
    members = reverse("organisations:member-list", args=[site.organisation.slug])
    assert client.get(members).status_code == 404
    assert client.get(reverse("consults:turnaround")).status_code == 403


def test_an_organisation_admin_invites_a_clinician_and_they_join_as_one(site):
    admin = MembershipFactory(organisation=site.organisation, role=Membership.Role.ADMIN).user
    invitation, token = invitation_create(
        organisation=site.organisation, email="new.clinician@example.org", role="clinician", by=admin
    )
    user = UserFactory(email="new.clinician@example.org")  # with its confirmed address
    membership = invitation_accept(token=token, user=user)
    assert membership.role == Membership.Role.CLINICIAN


def test_the_clinician_reads_the_answer_and_closes_the_request(client, claimed, clinician, radiologist):
    client.force_login(radiologist.user)
    client.post(
        reverse("consults:report", args=[claimed.public_id]),
        {"findings": "Filling defect.", "impression": "Pulmonary embolism.", "confidence": "high", "hours_spent": "1"},
    )
    client.force_login(clinician)
    page = client.get(claimed.get_absolute_url())
    assert b"Pulmonary embolism." in page.content
    client.post(reverse("consults:close", args=[claimed.public_id]), {"rating": "4"})
    claimed.refresh_from_db()
    assert (claimed.status, claimed.rating) == (ConsultRequest.Status.CLOSED, 4)


def test_the_lists_paginate(client, site, clinician):
    for _ in range(21):
        ConsultRequest.objects.create(site=site, question="?", modality="CT", body_part="Head", language_id="en")
    client.force_login(clinician)
    first = client.get(reverse("consults:list"))
    assert first.context["requests_page"].paginator.num_pages == 2
    assert client.get(reverse("consults:list") + "?page=2").status_code == 200


def test_the_clinician_sees_each_image_to_check_beside_its_choice(client, site, clinician, private_media_in_tmp):
    consult = consult_request(site=site, by=clinician, files=[burnt_in_upload()])
    flagged = consult.images.get()
    client.force_login(clinician)

    page = client.get(reverse("consults:detail", args=[consult.public_id])).content.decode()

    check = page[page.index('id="check-heading"') : page.index("</form>", page.index('id="check-heading"'))]
    assert reverse("consults:image-preview", args=[flagged.pk]) in check
    assert f'name="image_{flagged.pk}"' in check
