"""A volunteer's credentials (/me/credentials/): uploading documents, the list with expiry warnings, deleting."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from globalir import settings as project_settings
from tests.factories import CredentialFactory, StaffFactory, today
from tests.volunteers.documents import jpeg
from volunteers.models import Credential

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
CREDENTIALS_URL = reverse("volunteers:credentials")

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = jpeg(2480, 3508)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 32
HTML = b"<!doctype html><html><body><script>fetch('/me/export/')</script></body></html>"
FIVE_MB = 5 * 1024 * 1024

NOT_A_DOCUMENT = "This file is not a PDF, JPEG or PNG document. Save your document in one of these formats."
TOO_LARGE = (
    "The file is larger than 5 MB, the most a document may be. Scan it at a lower resolution or save it as a "
    "smaller PDF, then try again."
)
EMPTY = "The file is empty. Choose the scan or photo of your document again."
NAME_SAYS_PNG = (
    "The name of the file does not match its content, which is a PDF document. Name it with .pdf at the end and "
    "try again."
)
NOT_UPLOADED = "The credential was not uploaded: see the messages below."


def in_days(days: int) -> datetime.date:
    return today() + days * DAY


def credential_data(**overrides) -> dict:
    return {
        "kind": "licence",
        "title": "Licence to practise medicine",
        "issuing_body": "Medical and Dental Council of Nigeria",
        "issuing_country": "NG",
        "number": "MDCN-48213",
        "issued_on": "2019-03-01",
        "expires_on": in_days(400).isoformat(),
        **overrides,
    }


def upload(client, name: str, content: bytes, content_type: str = "application/octet-stream", **overrides):
    document = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(CREDENTIALS_URL, {**credential_data(**overrides), "document": document})


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def volunteer_client(client, volunteer):
    client.force_login(volunteer.user)
    return client


# Uploading


def test_volunteer_uploads_a_pdf_and_it_awaits_verification(volunteer_client, volunteer, private_media_in_tmp):
    response = upload(volunteer_client, "My licence (2024).PDF", PDF, content_type="application/pdf")

    assert response.status_code == 302
    assert response["Location"] == CREDENTIALS_URL
    assert messages_of(response) == ["Thank you. Your credential has been uploaded and is waiting for verification."]
    credential = Credential.objects.get()
    assert credential.profile == volunteer
    assert credential.status == Credential.Status.PENDING
    assert (credential.title, credential.issuing_country, credential.number) == (
        "Licence to practise medicine",
        "NG",
        "MDCN-48213",
    )
    assert credential.expires_on == in_days(400)
    # Stored in private storage under a generated name: nothing of the uploader's file name is kept.
    assert re.fullmatch(r"credentials/[0-9a-f]{32}\.pdf", credential.document.name)
    assert stored_files(private_media_in_tmp) == [private_media_in_tmp / credential.document.name]
    assert (private_media_in_tmp / credential.document.name).read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    # The stored extension comes from the content: every JPEG is stored as .jpg.
    [("scan.jpg", JPEG, ".jpg"), ("scan.JPEG", JPEG, ".jpg"), ("photo.png", PNG, ".png")],
)
def test_jpeg_and_png_scans_are_accepted(volunteer_client, private_media_in_tmp, name, content, extension):
    response = upload(volunteer_client, name, content)

    assert response.status_code == 302
    credential = Credential.objects.get()
    assert credential.document.name.endswith(extension)
    assert len(stored_files(private_media_in_tmp)) == 1


def test_document_type_is_judged_from_its_content_not_from_what_the_browser_claims(volunteer_client):
    refused = upload(volunteer_client, "licence.pdf", HTML, content_type="application/pdf")
    accepted = upload(volunteer_client, "licence.pdf", PDF, content_type="text/html")

    assert refused.status_code == 200
    assertContains(refused, NOT_A_DOCUMENT)
    assert accepted.status_code == 302
    assert Credential.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("licence.pdf", HTML, NOT_A_DOCUMENT, id="html-named-pdf"),
        pytest.param("licence.png", PDF, NAME_SAYS_PNG, id="pdf-named-png"),
        pytest.param("licence.pdf", PDF + b"0" * (FIVE_MB - len(PDF) + 1), TOO_LARGE, id="one-byte-over-5-mb"),
        pytest.param("licence.pdf", b"", EMPTY, id="empty"),
        pytest.param("licence.docx", b"PK\x03\x04" + b"\x00" * 200, NOT_A_DOCUMENT, id="word-document"),
        pytest.param("licence", PDF, "The name of the file does not match its content", id="no-extension"),
    ],
)
def test_bad_upload_is_refused_with_its_message_and_nothing_is_stored(
    volunteer_client, private_media_in_tmp, name, content, message
):
    response = upload(volunteer_client, name, content, title="Board certificate, renewed")

    assert response.status_code == 200
    assertContains(response, message)
    assertContains(response, NOT_UPLOADED)
    assert response.context["form"].errors["document"]
    # What was typed is kept, so only the file has to be chosen again.
    assertContains(response, 'value="Board certificate, renewed"')
    assertContains(response, 'value="MDCN-48213"')
    assert not Credential.objects.exists()
    assert stored_files(private_media_in_tmp) == []


def test_a_document_of_exactly_5_mb_is_accepted(volunteer_client):
    response = upload(volunteer_client, "licence.pdf", PDF + b"0" * (FIVE_MB - len(PDF)))

    assert response.status_code == 302
    assert Credential.objects.get().document.size == FIVE_MB


def test_upload_without_a_document_asks_for_one(volunteer_client):
    response = volunteer_client.post(CREDENTIALS_URL, credential_data())

    assert response.status_code == 200
    assertContains(response, "Choose the scan or photo of your document.")
    assert not Credential.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"expires_on": (today() - DAY).isoformat()},
            "expires_on",
            "This credential has already expired: upload the current one.",
        ),
        ({"issued_on": (today() + DAY).isoformat()}, "issued_on", "The issue date cannot be in the future."),
        (
            {"issued_on": today().isoformat(), "expires_on": today().isoformat()},
            "expires_on",
            "The expiry date must be after the issue date.",
        ),
        ({"title": ""}, "title", "This field is required."),
        (
            {"issuing_country": "XX"},
            "issuing_country",
            "Select a valid choice. XX is not one of the available choices.",
        ),
    ],
)
def test_credential_details_with_mistakes_are_refused_clearly(
    volunteer_client, private_media_in_tmp, overrides, field, message
):
    response = upload(volunteer_client, "licence.pdf", PDF, **overrides)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Credential.objects.exists()
    assert stored_files(private_media_in_tmp) == []


def test_credential_without_an_expiry_date_is_accepted(volunteer_client):
    response = upload(volunteer_client, "licence.pdf", PDF, expires_on="")

    assert response.status_code == 302
    assert Credential.objects.get().expires_on is None


def test_volunteer_cannot_set_the_verification_status_by_posting_it(volunteer_client):
    document = SimpleUploadedFile("licence.pdf", PDF)
    volunteer_client.post(
        CREDENTIALS_URL, {**credential_data(), "status": "verified", "verified_at": "2020-01-01", "document": document}
    )

    credential = Credential.objects.get()
    assert credential.status == Credential.Status.PENDING
    assert credential.verified_at is None and credential.verified_by is None


def test_documents_are_kept_outside_every_public_url(volunteer_client, private_media_in_tmp):
    upload(volunteer_client, "licence.pdf", PDF)
    name = Credential.objects.get().document.name

    for url in (f"/{name}", f"/media/{name}", f"/private-media/{name}", f"/static/{name}"):
        assert volunteer_client.get(url).status_code == 404, url
    # The project's own settings: private documents live in none of the folders served as static files.
    private = Path(project_settings.PRIVATE_MEDIA_ROOT).resolve()
    assert project_settings.MEDIA_ROOT == project_settings.PRIVATE_MEDIA_ROOT
    for public in [project_settings.STATIC_ROOT, *project_settings.STATICFILES_DIRS]:
        public = Path(public).resolve()
        assert not private.is_relative_to(public) and not public.is_relative_to(private)


# The list, with status and expiry


def test_list_shows_each_credential_with_its_status_and_expiry(volunteer_client, volunteer, site_admin):
    CredentialFactory(
        profile=volunteer, title="Board certification in radiology", expires_on=datetime.date(2031, 5, 31)
    )
    CredentialFactory(
        profile=volunteer,
        title="Nigerian licence",
        status=Credential.Status.VERIFIED,
        verified_by=site_admin,
        expires_on=None,
    )
    CredentialFactory(
        profile=volunteer,
        title="Old registration",
        status=Credential.Status.REJECTED,
        rejection_reason="The scan is unreadable: please upload a sharper copy.",
    )

    response = volunteer_client.get(CREDENTIALS_URL)

    assert response.status_code == 200
    page = response.content.decode()
    cards = {
        re.search(r"<h3>(.*?)</h3>", card).group(1): card
        for card in re.findall(r'<li class="card credential.*?</li>', page, re.S)
    }
    assert set(cards) == {"Board certification in radiology", "Nigerian licence", "Old registration"}
    assert "Awaiting verification" in cards["Board certification in radiology"]
    assert "31 May 2031" in cards["Board certification in radiology"]
    assert "Verified" in cards["Nigerian licence"]
    assert "Does not expire" in cards["Nigerian licence"]
    assert "Rejected" in cards["Old registration"]
    assert "The scan is unreadable: please upload a sharper copy." in cards["Old registration"]
    assertNotContains(response, 'id="expiry-warning"')


def test_volunteer_is_warned_of_a_credential_expiring_within_60_days(volunteer_client, volunteer):
    CredentialFactory(profile=volunteer, title="Licence expiring", expires_on=in_days(60))
    CredentialFactory(profile=volunteer, title="Licence still fine", expires_on=in_days(61))

    response = volunteer_client.get(CREDENTIALS_URL)

    warning = re.search(
        r'<div class="message message-warning" id="expiry-warning">.*?</div>', response.content.decode(), re.S
    )
    assert warning
    text = re.sub(r"\s+", " ", warning.group(0))
    assert "Some credentials need renewing" in text
    assert "“Licence expiring” expires on" in text and "in 60 days." in text
    assert "Licence still fine" not in text
    assert "We warn you 60 days before a credential expires." in text
    assertContains(response, "Expires soon", count=1)


def test_warning_reads_well_for_one_day_today_and_an_expired_credential(volunteer_client, volunteer):
    CredentialFactory(profile=volunteer, title="Tomorrow's licence", expires_on=in_days(1))
    CredentialFactory(profile=volunteer, title="Today's licence", expires_on=today())
    CredentialFactory(profile=volunteer, title="Last year's licence", expires_on=datetime.date(2020, 4, 30))

    response = volunteer_client.get(CREDENTIALS_URL)

    text = re.sub(r"\s+", " ", response.content.decode())
    assert "in 1 day." in text
    assert "Today&#x27;s licence” expires today." in text
    assert "Last year&#x27;s licence” expired on 30 April 2020." in text
    assert "in 0 days" not in text
    assertContains(response, '<span class="badge badge-danger">Expired</span>', count=1)


def test_new_volunteer_without_credentials_is_told_why_they_matter(volunteer_client):
    response = volunteer_client.get(CREDENTIALS_URL)

    assertContains(response, "You have not uploaded any credential yet.")
    assertContains(response, 'enctype="multipart/form-data"')
    assertContains(response, 'accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"')


def test_list_shows_only_the_volunteers_own_credentials(volunteer_client, other_volunteer):
    CredentialFactory(profile=other_volunteer, title="Certificate of another volunteer")

    response = volunteer_client.get(CREDENTIALS_URL)

    assertNotContains(response, "Certificate of another volunteer")
    assert response.context["rows"] == []


def test_profile_page_summarises_credentials_and_flags_the_expiring_one(volunteer_client, volunteer):
    CredentialFactory(profile=volunteer, title="Licence expiring", expires_on=in_days(20))

    response = volunteer_client.get(reverse("volunteers:profile"))

    assertContains(response, "Licence expiring — Awaiting verification · <strong>expires soon</strong>")


# Deleting


def test_volunteer_deletes_their_credential_and_its_document(
    volunteer_client, volunteer, private_media_in_tmp, django_capture_on_commit_callbacks
):
    volunteer_client.get(upload(volunteer_client, "licence.pdf", PDF)["Location"])  # reads the upload's message
    credential = Credential.objects.get()
    assert len(stored_files(private_media_in_tmp)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = volunteer_client.post(reverse("volunteers:credential-delete", args=[credential.pk]))

    assert response.status_code == 302
    assert response["Location"] == CREDENTIALS_URL
    assert messages_of(response) == ["“Licence to practise medicine” has been deleted, with its document."]
    assert not Credential.objects.exists()
    assert stored_files(private_media_in_tmp) == []


def test_credential_list_offers_a_delete_button_that_posts(volunteer_client, volunteer):
    credential = CredentialFactory(profile=volunteer)

    response = volunteer_client.get(CREDENTIALS_URL)

    delete_url = reverse("volunteers:credential-delete", args=[credential.pk])
    assertContains(response, f'<form method="post" action="{delete_url}" class="inline-form">')


def test_delete_needs_a_post(volunteer_client, volunteer):
    credential = CredentialFactory(profile=volunteer)

    response = volunteer_client.get(reverse("volunteers:credential-delete", args=[credential.pk]))

    assert response.status_code == 405
    assert Credential.objects.filter(pk=credential.pk).exists()


def test_volunteer_cannot_delete_another_volunteers_credential(volunteer_client, other_volunteer):
    theirs = CredentialFactory(profile=other_volunteer)

    response = volunteer_client.post(reverse("volunteers:credential-delete", args=[theirs.pk]))

    assert response.status_code == 404
    assert Credential.objects.filter(pk=theirs.pk).exists()


def test_deleting_a_credential_that_does_not_exist_is_not_found(volunteer_client):
    assert volunteer_client.post(reverse("volunteers:credential-delete", args=[987654])).status_code == 404


def test_site_admin_cannot_delete_a_volunteers_credential_from_the_volunteers_pages(client, volunteer):
    credential = CredentialFactory(profile=volunteer)
    client.force_login(StaffFactory())

    response = client.post(reverse("volunteers:credential-delete", args=[credential.pk]))

    assert response.status_code == 404
    assert Credential.objects.filter(pk=credential.pk).exists()


# Who may open these pages


def test_anonymous_visitor_is_asked_to_log_in_to_see_or_upload_credentials(client, private_media_in_tmp):
    for response in (
        client.get(CREDENTIALS_URL),
        client.post(CREDENTIALS_URL, {**credential_data(), "document": SimpleUploadedFile("licence.pdf", PDF)}),
    ):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={CREDENTIALS_URL}"
    assert stored_files(private_media_in_tmp) == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_cannot_delete_a_credential(client, volunteer, method):
    credential = CredentialFactory(profile=volunteer)
    url = reverse("volunteers:credential-delete", args=[credential.pk])

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert Credential.objects.filter(pk=credential.pk).exists()


def test_user_without_a_profile_is_sent_to_the_wizard_before_adding_credentials(client, plain_user):
    client.force_login(plain_user)

    response = client.get(CREDENTIALS_URL)

    assert response["Location"] == reverse("volunteers:onboarding")
    assert messages_of(response) == ["Set up your volunteer profile first, then add your credentials."]
