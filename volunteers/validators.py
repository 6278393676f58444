"""Checks on uploaded credential documents.

The type of a document is read from its first bytes, never from its name or from the
Content-Type the browser sent: both are chosen by the uploader. The name's extension must
agree with the content so that nobody is misled when the file is downloaded again.
"""

from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_SIZE = 5 * 1024 * 1024  # 5 MB


@dataclass(frozen=True)
class DocumentType:
    name: str
    signature: bytes
    extensions: tuple[str, ...]  # the first one is the extension documents are stored under
    content_type: str


DOCUMENT_TYPES = (
    DocumentType("PDF", b"%PDF-", (".pdf",), "application/pdf"),
    DocumentType("JPEG", b"\xff\xd8\xff", (".jpg", ".jpeg"), "image/jpeg"),
    DocumentType("PNG", b"\x89PNG\r\n\x1a\n", (".png",), "image/png"),
)
ACCEPTED_EXTENSIONS = tuple(extension for kind in DOCUMENT_TYPES for extension in kind.extensions)
# For the file picker only: it filters the choice, it proves nothing.
ACCEPT_ATTRIBUTE = ",".join([*ACCEPTED_EXTENSIONS, *(kind.content_type for kind in DOCUMENT_TYPES)])
_LONGEST_SIGNATURE = max(len(kind.signature) for kind in DOCUMENT_TYPES)


def document_type_of(file: File) -> DocumentType | None:
    """The type of a document judged from its first bytes, or None for anything else."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(_LONGEST_SIGNATURE)
    file.seek(position)
    for kind in DOCUMENT_TYPES:
        if head.startswith(kind.signature):
            return kind
    return None


def validate_credential_document(file: File) -> None:
    """Refuse empty, oversized and non PDF / JPEG / PNG documents, and names that lie about their type."""
    size = file.size
    if not size:
        raise ValidationError(_("The file is empty. Choose the scan or photo of your document again."), code="empty")
    if size > MAX_DOCUMENT_SIZE:
        # No size of the file in the message: just over the limit, both would read "5.0 MB".
        raise ValidationError(
            _(
                "The file is larger than %(limit)s MB, the most a document may be. Scan it at a lower "
                "resolution or save it as a smaller PDF, then try again."
            )
            % {"limit": MAX_DOCUMENT_SIZE // 2**20},
            code="too_large",
        )
    kind = document_type_of(file)
    if kind is None:
        raise ValidationError(
            _("This file is not a PDF, JPEG or PNG document. Save your document in one of these formats."),
            code="unsupported_type",
        )
    extension = PurePath(file.name or "").suffix.lower()
    if extension not in kind.extensions:
        raise ValidationError(
            _(
                "The name of the file does not match its content, which is a %(type)s document. "
                "Name it with %(extension)s at the end and try again."
            )
            % {"type": kind.name, "extension": kind.extensions[0]},
            code="extension_mismatch",
        )
