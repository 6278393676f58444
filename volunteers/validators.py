"""Checks on uploaded credential documents.

The type of a document is read from its first bytes, never from its name or from the
Content-Type the browser sent: both are chosen by the uploader. The name's extension must
agree with the content so that nobody is misled when the file is downloaded again.

Beyond its type, a document is refused when it carries anything a scan of a licence never needs
and an attacker would: markup a browser or viewer could run (a PNG/HTML polyglot), a PDF's
JavaScript, launch actions or embedded files, a decompression bomb (an image declaring more pixels
than any scan has, compressed data that unpacks to more than a scan ever does: see
`volunteers.document_size`), a name that tries to be a path or to pass for another type. The name is only checked, never
used: documents are stored under generated names (`volunteers.models.credential_upload_to`) and
served as attachments with nosniff (`placements.views.credentials.credential_document`).
"""

import re
import struct
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _

from . import document_size

MAX_DOCUMENT_SIZE = 5 * 1024 * 1024  # 5 MB
# A 600 dpi scan of an A3 page is 7,000 × 9,900 pixels: an image announcing more (a PNG or a JPEG, or
# one inside a PDF) is a decompression bomb for whoever opens it (a coordinator's image viewer),
# however small the file.
MAX_IMAGE_PIXELS = 100_000_000
# What a document's compressed parts (a PDF's streams, a PNG's text and colour profile) may unpack to,
# together. A page scanned at 600 dpi in colour and stored without loss is 104 MB; a bomb of 200 KB
# unpacks to hundreds of megabytes or more.
MAX_DECODED_SIZE = 150 * 1024 * 1024
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class DocumentType:
    name: str
    signature: bytes
    extensions: tuple[str, ...]  # the first one is the extension documents are stored under
    content_type: str


PDF = DocumentType("PDF", b"%PDF-", (".pdf",), "application/pdf")
JPEG = DocumentType("JPEG", b"\xff\xd8\xff", (".jpg", ".jpeg"), "image/jpeg")
PNG = DocumentType("PNG", b"\x89PNG\r\n\x1a\n", (".png",), "image/png")
DOCUMENT_TYPES = (PDF, JPEG, PNG)
ACCEPTED_EXTENSIONS = tuple(extension for kind in DOCUMENT_TYPES for extension in kind.extensions)
# For the file picker only: it filters the choice, it proves nothing.
ACCEPT_ATTRIBUTE = ",".join([*ACCEPTED_EXTENSIONS, *(kind.content_type for kind in DOCUMENT_TYPES)])
_LONGEST_SIGNATURE = max(len(kind.signature) for kind in DOCUMENT_TYPES)

# Markup that makes a file a polyglot: read as HTML or SVG it runs script. Searched in the whole file
# (at most 5 MB), because a polyglot can hide it in a PNG text chunk, a JPEG comment, a PDF string or
# after the end of the image. Tags have three letters or more and must be followed by a space, "/" or
# ">", so that compressed image data matches by chance about once in a thousand files of 5 MB (less
# for smaller ones); the volunteer is then told to save the scan again, which changes its bytes.
# Camera and scanner metadata (XMP: "<?xpacket", "<x:xmpmeta", "<rdf:") is not markup a browser runs
# and is not refused.
_ACTIVE_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frame|object|embed|svg|img|meta|link|style|form)"
    rb"[\s/>]|javascript:",
    re.IGNORECASE,
)
# PDF features a scanned licence never uses and malicious PDFs do: scripts, launching programs,
# files hidden inside, Flash. Names may spell a character as #xx ("/J#61vaScript"): decoded first.
# A PDF that hides them inside a compressed object stream is not caught: that is why documents are
# only ever served as attachments, never rendered by the portal.
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_ACTIVE_CONTENT = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?=[\s()<>\[\]{}/%]|\Z)")
# Extensions that, inside a name ("licence.html.pdf", "scan.php.jpg"), make a file pass for another
# type on a misconfigured server or in a file manager that hides the last extension.
_DANGEROUS_INNER_EXTENSIONS = frozenset(
    ".html .htm .xhtml .shtml .svg .svgz .xml .js .mjs .php .phtml .php3 .php4 .php5 .phar .asp .aspx .jsp "
    ".cgi .pl .py .rb .sh .bash .bat .cmd .com .exe .dll .scr .msi .vbs .vbe .wsf .hta .jar .ps1 .swf .lnk "
    ".zip .rar .7z".split()
)
# Path parts, also spelled with percent escapes, which a multipart parser does not decode.
_PATH_IN_NAME = re.compile(r"[/\\]|\.\.|%2f|%5c|%2e%2e|%00", re.IGNORECASE)


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


def _read_all(file: File) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    content = file.read(MAX_DOCUMENT_SIZE + 1)
    file.seek(position)
    return content


def _validate_name(name: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            _("The name of the file is too long. Give it a shorter name and try again."), code="name_too_long"
        )
    if _PATH_IN_NAME.search(name) or any(not char.isprintable() for char in name):
        raise ValidationError(
            _(
                "The name of the file contains a folder path or characters that a file name cannot have. "
                "Rename it, for example to licence.pdf, and try again."
            ),
            code="name_has_path",
        )


def _validate_content(kind: DocumentType, content: bytes) -> None:
    if _ACTIVE_MARKUP.search(content):
        raise ValidationError(
            _(
                "This file contains web page code as well as a %(type)s document, so it cannot be accepted. "
                "Scan or export your document again and upload the new file."
            )
            % {"type": kind.name},
            code="polyglot",
        )
    if kind == PDF and _PDF_ACTIVE_CONTENT.search(
        _PDF_NAME_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), content)
    ):
        raise ValidationError(
            _(
                "This PDF contains scripts, attached files or actions that start programs, which a scanned "
                "document never needs. Print it to a new PDF or scan the paper document, and upload that."
            ),
            code="pdf_active_content",
        )
    if kind == PNG:
        # A PNG starts with its IHDR chunk: length 13, type, width, height (big-endian).
        length, chunk_type, width, height = struct.unpack(">I4sII", content[8:24].ljust(16, b"\0"))
        if (length, chunk_type) != (13, b"IHDR") or not width or not height:
            raise ValidationError(
                _("This PNG image is damaged. Save the scan again and upload the new file."), code="damaged"
            )
        _validate_pixels(width, height)
    if kind == JPEG:
        try:
            frames = document_size.jpeg_dimensions(content)
        except document_size.Damaged:
            raise ValidationError(
                _("This JPEG image is damaged. Save the scan again and upload the new file."), code="damaged"
            ) from None
        for width, height in frames:
            _validate_pixels(width, height)
    budget = document_size.Budget(MAX_DECODED_SIZE)
    try:
        if kind == PNG:
            document_size.png_check(content, budget=budget)
        if kind == PDF:
            document_size.pdf_check(content, budget=budget, max_pixels=MAX_IMAGE_PIXELS)
    except document_size.TooManyPixels as image:
        raise ValidationError(
            _(
                "This PDF contains an image of %(width)s × %(height)s pixels, more than any scan needs. Scan it "
                "at a lower resolution (300 dpi is plenty) and try again."
            )
            % {"width": image.width, "height": image.height},
            code="too_many_pixels",
        ) from None
    except document_size.TooMuchData:
        raise ValidationError(
            _(
                "This %(type)s document unpacks to more than %(limit)s MB when it is opened, far more than a "
                "scanned document needs. Scan it again at 300 dpi, or save it as a new file, and upload that."
            )
            % {"type": kind.name, "limit": MAX_DECODED_SIZE // 2**20},
            code="too_much_data",
        ) from None
    except document_size.Unchecked:
        raise ValidationError(
            _(
                "This PDF is encrypted, or put together in a way only a PDF reader can take apart, so it cannot "
                "be checked. Print it to a new PDF or scan the paper document, and upload that."
            ),
            code="pdf_unchecked",
        ) from None


def _validate_pixels(width: int, height: int) -> None:
    try:
        document_size.check_pixels(width, height, max_pixels=MAX_IMAGE_PIXELS)
    except document_size.TooManyPixels:
        raise ValidationError(
            _(
                "This image is %(width)s × %(height)s pixels, more than any scan needs. Scan it at a lower "
                "resolution (300 dpi is plenty) and try again."
            )
            % {"width": width, "height": height},
            code="too_many_pixels",
        ) from None


def validate_credential_document(file: File) -> None:
    """Refuse what is not a PDF, JPEG or PNG document that is safe to keep and hand to coordinators.

    Refused: empty and oversized files; any other type; names that are paths, lie about the type or
    hide another extension; polyglots, PDFs with active content, and decompression bombs (see the
    module's docstring).

    As a model field's validator it also runs in the admin; a document already stored is not read
    again each time its credential is validated (it was checked when it arrived).
    """
    if getattr(file, "_committed", False):
        return
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
    name = file.name or ""
    _validate_name(name)
    kind = document_type_of(file)
    if kind is None:
        raise ValidationError(
            _("This file is not a PDF, JPEG or PNG document. Save your document in one of these formats."),
            code="unsupported_type",
        )
    path = PurePath(name)
    if path.suffix.lower() not in kind.extensions:
        raise ValidationError(
            _(
                "The name of the file does not match its content, which is a %(type)s document. "
                "Name it with %(extension)s at the end and try again."
            )
            % {"type": kind.name, "extension": kind.extensions[0]},
            code="extension_mismatch",
        )
    inner = PurePath(path.stem).suffix.lower()
    if inner in _DANGEROUS_INNER_EXTENSIONS:
        raise ValidationError(
            _(
                "The name of the file ends with two extensions (%(inner)s%(extension)s). Rename it so that it "
                "ends with %(extension)s only and try again."
            )
            % {"inner": inner, "extension": path.suffix.lower()},
            code="double_extension",
        )
    _validate_content(kind, _read_all(file))
