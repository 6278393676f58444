"""Uploads built from the DICOM files pydicom installs (never downloaded), and photos made with Pillow."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

# Installed with pydicom itself: the lookup finds them on disk and never reaches the network.
INSTALLED = {
    "ct": "CT_small.dcm",
    "mr": "MR_small.dcm",
    "jpeg_extended": "JPGExtended.dcm",
    "jpeg2000": "JPEG2000.dcm",
    "jpeg2000_ct": "693_J2KI.dcm",
    "jpeg_ls": "MR_small_jpeg_ls_lossless.dcm",
    "rle": "MR_small_RLE.dcm",
    "rgb_jpeg": "SC_rgb_jpeg_dcmtk.dcm",
    "us_palette": "examples_palette.dcm",
    "us_multiframe": "examples_ybr_color.dcm",
    "rtplan": "rtplan.dcm",
}

IDENTIFYING = {
    "PatientName": "OKAFOR^AMINA^GRACE",
    "PatientID": "KCMC-0042137",
    "PatientBirthDate": "19710314",
    "InstitutionName": "Kilimanjaro Christian Medical Centre",
    "AccessionNumber": "ACC20261207X",
    "ReferringPhysicianName": "MUSHI^GRACE",
    "PatientComments": "Lives at Plot 12 Moshi, phone 0754 000 111",
    "StudyDescription": "CT CHEST OKAFOR",
    "OtherPatientIDs": "NHIF-7788990",
}


def path(key: str) -> str:
    found = get_testdata_file(INSTALLED[key])
    assert found, f"{INSTALLED[key]} is not installed with pydicom"
    return str(found)


def dataset(key: str) -> Dataset:
    return dcmread(path(key))


def to_bytes(ds: Dataset) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/dicom") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def identified_ct() -> Dataset:
    """CT_small with a patient's identity in every place the profile cares about, and a private tag."""
    ds = dataset("ct")
    for keyword, value in IDENTIFYING.items():
        setattr(ds, keyword, value)
    block = ds.private_block(0x0011, "GLOBALIR TEST", create=True)
    block.add_new(0x01, "LO", "PRIVATE-OKAFOR")
    return ds


def ct_series(count: int = 4, *, series_uid: str | None = None) -> list[Dataset]:
    """Clones of CT_small sharing one series, with distinct instance numbers, positions and SOP UIDs."""
    series_uid = series_uid or generate_uid()
    study_uid = generate_uid()
    slices = []
    for index in range(count):
        ds = identified_ct()
        ds.SeriesInstanceUID = series_uid
        ds.StudyInstanceUID = study_uid
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = index + 1
        ds.ImagePositionPatient = [-50.0, -50.0, 10.0 * index]
        slices.append(ds)
    return slices


def zip_of(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def photo_with_exif(fmt: str = "JPEG", size: tuple[int, int] = (40, 20), orientation: int | None = None) -> bytes:
    """A photo carrying its author and a GPS position in EXIF (and a text chunk, for a PNG)."""
    image = Image.new("RGB", size, (200, 30, 30))
    for x in range(size[0] // 2):
        for y in range(size[1]):
            image.putpixel((x, y), (20, 30, 220))
    exif = Image.Exif()
    exif[0x013B] = "Dr Amina Okafor"  # Artist
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (3.0, 20.0, 1.5)
    gps[3] = "E"
    gps[4] = (37.0, 20.0, 2.5)
    out = io.BytesIO()
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Author", "Dr Amina Okafor")
        image.save(out, format="PNG", exif=exif, pnginfo=info)
    else:
        image.save(out, format="JPEG", exif=exif, quality=95)
    return out.getvalue()
