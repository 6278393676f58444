import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image
from pydicom.dataset import Dataset

from consults.imaging import intake_uploads
from tests.consults.imaging import samples


def refused(files, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        intake_uploads(files, request_key=kwargs.get("request_key", "r"))
    return " ".join(caught.value.messages)


def ct_bytes() -> bytes:
    return samples.to_bytes(samples.dataset("ct"))


def test_a_web_page_renamed_dcm_is_refused_by_name():
    message = refused([samples.upload("scan.dcm", b"<html><script>alert(1)</script></html>")])

    assert message == "“scan.dcm” is not a DICOM file."


def test_a_jpeg_renamed_dcm_is_refused_as_not_dicom():
    message = refused([samples.upload("scan.dcm", samples.photo_with_exif())])

    assert "is not a DICOM file" in message


def test_an_unknown_file_is_refused():
    message = refused([samples.upload("notes.txt", b"clinical notes")])

    assert message == "“notes.txt” is neither a DICOM file nor a JPEG or PNG image."


def test_one_refused_file_refuses_the_whole_upload():
    message = refused([samples.upload("good.dcm", ct_bytes()), samples.upload("bad.dcm", b"\0" * 500)])

    assert "“bad.dcm”" in message


def test_a_truncated_dicom_is_refused_as_damaged():
    content = ct_bytes()

    message = refused([samples.upload("cut.dcm", content[: len(content) - 5000])])

    assert "could not be read as DICOM" in message


@pytest.mark.parametrize(
    ("keyword", "payload"),
    [
        ("StudyDescription", "<script>alert(document.cookie)</script>"),
        ("PatientComments", 'ok <img src=x onerror="fetch(1)">'),
        ("InstitutionName", "<!-- hidden -->"),
        ("SeriesDescription", "javascript:alert(1)"),
    ],
)
def test_a_dicom_with_markup_in_a_text_element_is_refused(keyword, payload):
    ds = samples.dataset("ct")
    setattr(ds, keyword, payload)

    message = refused([samples.upload("x.dcm", samples.to_bytes(ds))])

    assert "“x.dcm” has HTML or script in its text fields" in message


def test_markup_hidden_in_a_sequence_item_is_found():
    ds = samples.dataset("ct")
    item = Dataset()
    item.CodeMeaning = "<svg onload=alert(1)>"
    ds.ProcedureCodeSequence = [item]

    assert "HTML or script" in refused([samples.upload("x.dcm", samples.to_bytes(ds))])


def test_markup_in_the_file_meta_is_found():
    ds = samples.dataset("ct")
    ds.file_meta.ImplementationVersionName = "<b>x</b>"

    assert "HTML or script" in refused([samples.upload("x.dcm", samples.to_bytes(ds))])


def test_clinical_text_with_comparison_signs_is_accepted():
    ds = samples.dataset("ct")
    ds.ImageComments = "nodule <5 mm, > 3 cm mass"

    [image] = intake_uploads([samples.upload("x.dcm", samples.to_bytes(ds))], request_key="r")

    assert image.modality == "CT"


def test_a_dicom_without_pixels_is_refused():
    message = refused([samples.upload("plan.dcm", open(samples.path("rtplan"), "rb").read())])

    assert message == "“plan.dcm” holds no image (a DICOM report or structure set is not accepted)."


def test_a_zip_bomb_is_refused():
    bomb = samples.zip_of({"IM0001": b"\0" * (30 * 1024 * 1024)})
    assert len(bomb) < 100_000

    message = refused([samples.upload("study.zip", bomb)])

    assert message == "“study.zip” unpacks to far more than its own size and is refused."


def test_a_zip_member_larger_than_the_file_cap_is_refused(settings):
    settings.CONSULT_MAX_FILE_MB = 1
    archive = samples.zip_of({"IM0001": ct_bytes() * 40}, compression=zipfile.ZIP_STORED)

    assert "is larger than 1 MB" in refused([samples.upload("study.zip", archive)])


def test_a_nested_zip_is_refused():
    inner = samples.zip_of({"IM0001": ct_bytes()})

    message = refused([samples.upload("outer.zip", samples.zip_of({"inner.zip": inner}))])

    assert message == "“outer.zip” holds another archive; unpack it and upload its files, or one zip."


def test_a_nested_zip_under_another_name_is_refused():
    inner = samples.zip_of({"IM0001": ct_bytes()})

    assert "holds another archive" in refused([samples.upload("outer.zip", samples.zip_of({"IM0002": inner}))])


def test_a_file_that_is_not_a_zip_named_zip_is_refused():
    message = refused([samples.upload("study.zip", b"PK\x03\x04 nonsense")])

    assert message == "“study.zip” is not a readable zip archive."


def test_a_zip_with_more_files_than_allowed_is_refused(settings):
    settings.CONSULT_MAX_FILES = 3
    archive = samples.zip_of({f"IM{index}": ct_bytes() for index in range(5)})

    message = refused([samples.upload("study.zip", archive)])

    assert message == "This upload holds more than 3 files; send the series in several parts."


def test_a_zip_of_countless_ignored_entries_is_refused(settings):
    settings.CONSULT_MAX_FILES = 3
    archive = samples.zip_of({f"note{index}.txt": b"" for index in range(200)})

    assert "holds more than 3 files" in refused([samples.upload("study.zip", archive)])


def test_an_upload_larger_than_the_request_cap_is_refused(settings):
    settings.CONSULT_MAX_UPLOAD_MB = 1
    content = ct_bytes()

    message = refused([samples.upload(f"{index}.dcm", content) for index in range(30)])

    assert message == "This upload is larger than 1 MB in all; send the series in several parts."


def test_an_empty_zip_is_refused():
    assert "holds no DICOM file" in refused([samples.upload("empty.zip", samples.zip_of({"readme.txt": b"hi"}))])


def test_no_file_at_all_is_refused():
    assert refused([]) == "No file was uploaded."


def test_a_photo_with_too_many_pixels_is_refused_before_decoding(settings):
    settings.CONSULT_MAX_IMAGE_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("L", (1100, 1000)).save(out, format="PNG")

    assert "has more pixels than" in refused([samples.upload("huge.png", out.getvalue())])


def test_a_broken_photo_is_refused():
    photo = samples.photo_with_exif("PNG")

    message = refused([samples.upload("p.png", photo[:60])])

    assert message == "“p.png” is not a valid JPEG or PNG image."


def test_a_long_file_name_from_a_folder_is_shown_short():
    message = refused([samples.upload("C:\\Users\\clinic\\" + "x" * 200 + ".dcm", b"junk")])

    assert "Users" not in message and "…" in message


def test_the_refusal_is_in_the_readers_language():
    with translation.override("fr"):
        message = refused([samples.upload("scan.dcm", b"junk")])

    assert "scan.dcm" in message
    assert "DICOM" in message and "is not" not in message


def test_a_corrupt_rle_file_that_crashes_its_decoder_is_refused():
    # This byte makes pylibjpeg-rle panic (a BaseException from Rust), not raise an ordinary error.
    content = bytearray(open(samples.path("rle"), "rb").read())
    content[1544] = 0

    message = refused([samples.upload("rle.dcm", bytes(content))])

    assert message == "“rle.dcm” could not be read as DICOM: it is damaged or incomplete."
