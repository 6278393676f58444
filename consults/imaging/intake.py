"""Reading a consult request's uploads: DICOM files, zips of a series, JPEG and PNG photos.

Everything happens in memory: an upload is read through its file object (a large one sits in Django's
temporary file, which is read, never copied or renamed), de-identified, and only the de-identified
bytes leave this module. The first file refused stops the whole upload with a message naming it, so a
request never keeps half of what was sent.
"""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from dicognito.anonymizer import Anonymizer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pydicom import dcmread
from pydicom.filewriter import dcmwrite
from pydicom.pixels import get_decoder

from consults.imaging import deidentify
from consults.imaging.preview import decoder_failed, default_preset_for, dicom_frame, frame_count

MB = 1024 * 1024
CHUNK = MB
DICOM_MAGIC_OFFSET = 128
ZIP_MAGIC = b"PK\x03\x04"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DICOM_SUFFIXES = (".dcm", ".dicom", ".dic", ".ima")  # .ima: Siemens exports
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
NAME_SHOWN = 80


@dataclass(frozen=True)
class IntakeImage:
    kind: str  # "dicom" or "photo"
    content: bytes  # the de-identified DICOM Part 10 file, or the photo re-encoded without metadata
    content_type: str  # "application/dicom", "image/jpeg", "image/png"
    modality: str  # DICOM Modality ("CT", "MR", "US", ...), "" for photos
    series_uid: str  # the replaced SeriesInstanceUID, "" for photos
    instance_number: int | None
    burn_in_suspected: bool  # the uploader confirms nothing identifying is drawn in the pixels
    default_preset: str  # the window preset a preview starts with (see preview.PRESETS)
    width: int
    height: int
    frame_count: int = 1
    series_number: int | None = None
    sop_instance_uid: str = ""  # the replaced one: the same image uploaded twice to a request has the same


class _Budget:
    """What is left of the request's caps while its files are read."""

    def __init__(self) -> None:
        self.bytes_left = settings.CONSULT_MAX_UPLOAD_MB * MB
        self.files_left = settings.CONSULT_MAX_FILES

    def take_bytes(self, count: int) -> None:
        self.bytes_left -= count
        if self.bytes_left < 0:
            raise _refuse_total()

    def take_file(self, count: int = 1) -> None:
        self.files_left -= count
        if self.files_left < 0:
            raise ValidationError(
                _("This upload holds more than %(limit)s files; send the series in several parts.")
                % {"limit": settings.CONSULT_MAX_FILES},
                code="too_many_files",
            )


def _refuse_total() -> ValidationError:
    return ValidationError(
        _("This upload is larger than %(limit)s MB in all; send the series in several parts.")
        % {"limit": settings.CONSULT_MAX_UPLOAD_MB},
        code="upload_too_large",
    )


def _refuse_file_size(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is larger than %(limit)s MB.") % {"name": name, "limit": settings.CONSULT_MAX_FILE_MB},
        code="file_too_large",
    )


def _shown(name: str) -> str:
    """The file's own name, without the folders of the uploader's computer, cut to a readable length."""
    base = posixpath.basename(str(name).replace("\\", "/")) or _("unnamed file")
    return base if len(base) <= NAME_SHOWN else base[: NAME_SHOWN - 1] + "…"


def _file_object(upload: Any) -> IO[bytes]:
    handle = getattr(upload, "file", upload)
    if hasattr(handle, "seek"):
        handle.seek(0)
    return handle


def _read_capped(handle: IO[bytes], cap: int, on_excess: ValidationError) -> bytes:
    buffer = io.BytesIO()
    while chunk := handle.read(CHUNK):
        buffer.write(chunk)
        if buffer.tell() > cap:
            raise on_excess
    return buffer.getvalue()


def intake_uploads(files: Iterable[Any], *, request_key: str) -> list[IntakeImage]:
    """Read uploaded files (Django UploadedFile: single DICOM files, a .zip of a series, JPEG/PNG photos),
    de-identify them in memory and return them sorted by series then instance number.

    Raises ValidationError with a clear, translated message naming the file when ANY file is refused
    (then nothing is returned, so nothing is stored). request_key (the consult request's random public
    id) seeds the UID replacement and the date shift, so UIDs are consistent within a request and
    across later uploads to it, and differ between requests.
    """
    uploads = list(files)
    if not uploads:
        raise ValidationError(_("No file was uploaded."), code="empty")
    budget = _Budget()
    anonymizer = deidentify.anonymizer_for(request_key)
    images: list[IntakeImage] = []
    for upload in uploads:
        name = _shown(getattr(upload, "name", ""))
        declared = getattr(upload, "size", None)
        if declared is not None and declared > budget.bytes_left:
            raise _refuse_total()
        handle = _file_object(upload)
        head = handle.read(DICOM_MAGIC_OFFSET + 4)
        handle.seek(0)
        if head.startswith(ZIP_MAGIC) or name.lower().endswith(".zip"):
            images.extend(_read_zip(handle, name, budget, anonymizer))
            continue
        budget.take_file()
        content = _read_capped(handle, settings.CONSULT_MAX_FILE_MB * MB, _refuse_file_size(name))
        budget.take_bytes(len(content))
        images.append(_read_one(content, name, anonymizer))
    return sorted(images, key=_order)


def _order(image: IntakeImage) -> tuple:
    return (
        image.kind != "dicom",
        image.series_number if image.series_number is not None else 1 << 31,
        image.series_uid,
        image.instance_number if image.instance_number is not None else 1 << 31,
    )


def _read_one(content: bytes, name: str, anonymizer: Anonymizer) -> IntakeImage:
    lowered = name.lower()
    if content[DICOM_MAGIC_OFFSET : DICOM_MAGIC_OFFSET + 4] == b"DICM":
        return _read_dicom(content, name, anonymizer)
    if lowered.endswith(DICOM_SUFFIXES):
        raise ValidationError(_("“%(name)s” is not a DICOM file.") % {"name": name}, code="not_dicom")
    if content.startswith((JPEG_MAGIC, PNG_MAGIC)):
        return _read_photo(content, name)
    if content.startswith(ZIP_MAGIC):
        raise _refuse_nested(name)
    raise ValidationError(
        _("“%(name)s” is neither a DICOM file nor a JPEG or PNG image.") % {"name": name}, code="unknown_type"
    )


def _refuse_nested(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” holds another archive; unpack it and upload its files, or one zip.") % {"name": name},
        code="nested_zip",
    )


def _ignored_member(filename: str) -> bool:
    """Entries a CD or a PACS export carries beside the images, and names that climb out of the archive:
    skipped, never read."""
    path = filename.replace("\\", "/")
    parts = path.split("/")
    base = parts[-1]
    if path.startswith("/") or ".." in parts or (len(path) > 1 and path[1] == ":"):
        return True
    if "__MACOSX" in parts or base.startswith(".") or base.upper() == "DICOMDIR":
        return True
    suffix = posixpath.splitext(base)[1].lower()
    # Files with no suffix or a numeric one are how many scanners name their slices; anything else with a
    # suffix (a viewer's .exe, an autorun.inf, a report .pdf) is not an image of the series.
    return bool(suffix) and suffix not in DICOM_SUFFIXES + IMAGE_SUFFIXES + (".zip",) and not suffix[1:].isdigit()


def _read_zip(handle: IO[bytes], name: str, budget: _Budget, anonymizer: Anonymizer) -> list[IntakeImage]:
    file_cap = settings.CONSULT_MAX_FILE_MB * MB
    ratio = settings.CONSULT_ZIP_MAX_RATIO
    bomb = ValidationError(
        _("“%(name)s” unpacks to far more than its own size and is refused.") % {"name": name}, code="zip_bomb"
    )
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        message = _("“%(name)s” is not a readable zip archive.") % {"name": name}
        raise ValidationError(message, code="bad_zip") from error
    images: list[IntakeImage] = []
    with archive:
        if len(archive.infolist()) > 2 * settings.CONSULT_MAX_FILES + 100:
            budget.take_file(count=len(archive.infolist()))  # raises: even ignored entries cost reading
        members = [info for info in archive.infolist() if not info.is_dir() and not _ignored_member(info.filename)]
        if len(members) > budget.files_left:
            budget.take_file(count=len(members))  # raises the too-many-files message
        if sum(info.file_size for info in members) > budget.bytes_left:
            raise _refuse_total()
        for info in members:
            entry = f"{name} › {_shown(info.filename)}"
            if info.flag_bits & 0x1:
                raise ValidationError(
                    _("“%(name)s” is protected by a password; upload it without one.") % {"name": name},
                    code="encrypted_zip",
                )
            if info.filename.lower().endswith(".zip"):
                raise _refuse_nested(name)
            if info.file_size > file_cap:
                raise _refuse_file_size(entry)
            if info.file_size > ratio * max(info.compress_size, 1) and info.file_size > MB:
                raise bomb
            budget.take_file()
            content = _read_member(archive, info, file_cap, ratio, bomb, entry)
            budget.take_bytes(len(content))
            if content.startswith(ZIP_MAGIC):
                raise _refuse_nested(name)
            images.append(_read_one(content, entry, anonymizer))
    if not images:
        raise ValidationError(
            _("“%(name)s” holds no DICOM file and no JPEG or PNG image.") % {"name": name}, code="empty_zip"
        )
    return images


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, ratio: int, bomb: ValidationError, entry: str
) -> bytes:
    """Stream one entry, counting what it really inflates to: the sizes in the archive are the sender's word."""
    buffer = io.BytesIO()
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                buffer.write(chunk)
                size = buffer.tell()
                if size > cap:
                    raise _refuse_file_size(entry)
                if size > info.file_size or (size > MB and size > ratio * max(info.compress_size, 1)):
                    raise bomb
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
        raise ValidationError(
            _("“%(name)s” is damaged and could not be unpacked.") % {"name": entry}, code="bad_zip"
        ) from error
    return buffer.getvalue()


def _read_dicom(content: bytes, name: str, anonymizer: Anonymizer) -> IntakeImage:
    damaged = ValidationError(
        _("“%(name)s” could not be read as DICOM: it is damaged or incomplete.") % {"name": name}, code="bad_dicom"
    )
    try:
        dataset = dcmread(io.BytesIO(content))
        deidentify.strip_private(dataset)
        has_markup = deidentify.markup_found(dataset)
    except Exception as error:  # pydicom raises many kinds of errors on a broken file
        raise damaged from error
    if has_markup:
        raise ValidationError(
            _(
                "“%(name)s” has HTML or script in its text fields and is refused; "
                "export it again from the scanner or PACS."
            )
            % {"name": name},
            code="markup",
        )
    if "PixelData" not in dataset or "Rows" not in dataset or "Columns" not in dataset:
        raise ValidationError(
            _("“%(name)s” holds no image (a DICOM report or structure set is not accepted).") % {"name": name},
            code="no_pixels",
        )
    width, height, frames = int(dataset.Columns), int(dataset.Rows), frame_count(dataset)
    if width * height > settings.CONSULT_MAX_IMAGE_PIXELS:
        raise _refuse_pixels(name)
    syntax = dataset.file_meta.get("TransferSyntaxUID")
    try:
        decoder = get_decoder(syntax)
    except (NotImplementedError, ValueError, TypeError):
        decoder = None
    if decoder is None or not decoder.is_available:
        raise ValidationError(
            _("“%(name)s” is compressed in a way the server cannot decode; export it uncompressed.") % {"name": name},
            code="codec",
        )
    try:
        # Decoding the first frame now means every accepted image can be previewed later.
        dicom_frame(dataset, 0)
    except BaseException as error:
        if not decoder_failed(error):
            raise
        raise damaged from error
    modality = str(dataset.get("Modality", "")).upper()
    burn_in = deidentify.burn_in_suspected(dataset)
    default_preset = default_preset_for(modality, str(dataset.get("BodyPartExamined", "")))
    buffer = io.BytesIO()
    try:
        deidentify.deidentify(dataset, anonymizer)
        dcmwrite(buffer, dataset, enforce_file_format=True)
    except Exception as error:  # values no profile rule can handle: refused rather than half cleaned
        raise damaged from error
    return IntakeImage(
        kind="dicom",
        content=buffer.getvalue(),
        content_type="application/dicom",
        modality=modality,
        series_uid=str(dataset.get("SeriesInstanceUID", "")),
        instance_number=_int_or_none(dataset.get("InstanceNumber")),
        burn_in_suspected=burn_in,
        default_preset=default_preset,
        width=width,
        height=height,
        frame_count=frames,
        series_number=_int_or_none(dataset.get("SeriesNumber")),
        sop_instance_uid=str(dataset.get("SOPInstanceUID", "")),
    )


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _refuse_pixels(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” has more pixels than the %(limit)s million accepted.")
        % {"name": name, "limit": settings.CONSULT_MAX_IMAGE_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _read_photo(content: bytes, name: str) -> IntakeImage:
    """Re-encode the photo from its pixels alone, so EXIF (GPS, camera owner), XMP, ICC and text chunks
    stay behind. Turned upright first, since the orientation tag goes with the rest."""
    bad = ValidationError(_("“%(name)s” is not a valid JPEG or PNG image.") % {"name": name}, code="bad_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                if probe.format not in {"JPEG", "PNG"}:
                    raise bad
                if probe.width * probe.height > settings.CONSULT_MAX_IMAGE_PIXELS:
                    raise _refuse_pixels(name)
                probe.verify()
            with Image.open(io.BytesIO(content)) as image:
                image_format = image.format
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except BaseException as error:  # Pillow's errors on a broken or hostile file are of many kinds
        if not decoder_failed(error):
            raise
        raise bad from error
    if image_format == "JPEG":
        mode, save_format, content_type = ("L" if upright.mode == "L" else "RGB"), "JPEG", "image/jpeg"
    else:
        mode = "RGBA" if upright.mode in {"RGBA", "LA", "P", "PA"} or "transparency" in upright.info else "RGB"
        mode = "L" if upright.mode in {"L", "1", "I;16", "I"} else mode
        save_format, content_type = "PNG", "image/png"
    converted = upright.convert(mode) if upright.mode != mode else upright
    # A new image from the raw pixels carries no .info at all: nothing of the original's metadata.
    clean = Image.frombytes(mode, converted.size, converted.tobytes())
    out = io.BytesIO()
    if save_format == "JPEG":
        clean.save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG")
    return IntakeImage(
        kind="photo",
        content=out.getvalue(),
        content_type=content_type,
        modality="",
        series_uid="",
        instance_number=None,
        # A photo in a consult is usually of a screen or of the patient: whatever it shows is not checked.
        burn_in_suspected=True,
        default_preset="auto",
        width=clean.width,
        height=clean.height,
    )
