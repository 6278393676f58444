import ast
import io
import random
import tempfile
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from PIL import Image
from pydicom import dcmread

import consults.imaging
from consults.imaging import IntakeImage, intake_uploads
from tests.consults.imaging import samples


def read(image: IntakeImage):
    return dcmread(io.BytesIO(image.content))


def test_no_identifying_element_survives_intake():
    original = samples.identified_ct()
    [image] = intake_uploads([samples.upload("OKAFOR_chest.dcm", samples.to_bytes(original))], request_key="req-1")

    ds = read(image)
    for value in samples.IDENTIFYING.values():
        assert value.encode() not in image.content
        assert value.split("^")[0].encode() not in image.content
    assert b"PRIVATE-OKAFOR" not in image.content
    assert not any(element.tag.is_private for element in ds.iterall())
    assert str(ds.get("PatientName", "")) == ""
    assert str(ds.get("PatientBirthDate", "")) == ""
    assert str(ds.get("ReferringPhysicianName", "")) == ""
    assert str(ds.get("AccessionNumber", "")) == ""
    assert "InstitutionName" not in ds
    assert ds.PatientID != original.PatientID
    assert "DICOGNITO" in str(ds.DeidentificationMethod)
    assert ds.preamble == b"\0" * 128


def test_the_patients_sex_and_age_stay_but_a_great_age_is_capped():
    original = samples.identified_ct()
    original.PatientSex = "F"
    original.PatientAge = "094Y"
    [image] = intake_uploads([samples.upload("a.dcm", samples.to_bytes(original))], request_key="req-1")

    ds = read(image)
    assert ds.PatientSex == "F"
    assert ds.PatientAge == "090Y"


def test_uids_are_consistent_within_a_request_and_differ_between_requests():
    series = samples.ct_series(4)
    original_uid = series[0].SeriesInstanceUID
    files = [samples.upload(f"slice{ds.InstanceNumber}.dcm", samples.to_bytes(ds)) for ds in series]
    random.Random(3).shuffle(files)

    first = intake_uploads(files, request_key="req-1")
    again = intake_uploads(files[:1], request_key="req-1")
    other = intake_uploads(files, request_key="req-2")

    assert [image.instance_number for image in first] == [1, 2, 3, 4]
    assert len({image.series_uid for image in first}) == 1
    assert first[0].series_uid != original_uid
    assert original_uid.encode() not in first[0].content
    assert again[0].series_uid == first[0].series_uid  # a later upload to the same request
    assert {read(image).StudyInstanceUID for image in first} == {read(again[0]).StudyInstanceUID}
    assert other[0].series_uid != first[0].series_uid
    assert len({image.sop_instance_uid for image in first}) == 4


def test_a_uuid_request_key_gives_the_same_uids_as_its_text():
    key = uuid.uuid4()
    content = samples.to_bytes(samples.dataset("ct"))

    [by_uuid] = intake_uploads([samples.upload("a.dcm", content)], request_key=key)
    [by_text] = intake_uploads([samples.upload("a.dcm", content)], request_key=str(key))

    assert by_uuid.series_uid == by_text.series_uid


def test_dates_are_shifted_the_same_way_within_a_request():
    series = samples.ct_series(2)
    original_date = series[0].StudyDate
    files = [samples.upload(f"{index}.dcm", samples.to_bytes(ds)) for index, ds in enumerate(series)]

    first = [read(image) for image in intake_uploads(files, request_key="req-1")]
    later = read(intake_uploads(files[:1], request_key="req-1")[0])
    other = read(intake_uploads(files[:1], request_key="req-2")[0])

    assert first[0].StudyDate != original_date
    assert first[0].StudyDate < original_date
    assert first[0].StudyDate == first[1].StudyDate == later.StudyDate
    assert other.StudyDate != first[0].StudyDate


@pytest.mark.parametrize("bad", ["2020-01-01", "00000000", "20200230", "NOTADATE"])
def test_dates_no_one_can_shift_are_emptied_instead_of_refusing_the_file(bad):
    ds = samples.dataset("ct")
    ds.StudyDate = bad
    ds.StudyTime = "99"

    [image] = intake_uploads([samples.upload("a.dcm", samples.to_bytes(ds))], request_key="r")

    cleaned = read(image)
    assert cleaned.StudyDate == "" and cleaned.StudyTime == ""
    assert cleaned.SeriesDate != ds.SeriesDate


def test_series_come_back_grouped_and_in_instance_order():
    first, second = samples.ct_series(3), samples.ct_series(2)
    for ds in second:
        ds.SeriesNumber = 9
    for ds in first:
        ds.SeriesNumber = 2
    files = [samples.upload(f"{i}.dcm", samples.to_bytes(ds)) for i, ds in enumerate([*second, *first][::-1])]

    images = intake_uploads(files, request_key="req-1")

    order = [(image.series_number, image.instance_number) for image in images]
    assert order == [(2, 1), (2, 2), (2, 3), (9, 1), (9, 2)]


def test_a_zipped_series_is_read_whole():
    series = samples.ct_series(5)
    archive = samples.zip_of({f"EXPORT/SERIES1/IM{ds.InstanceNumber:04d}": samples.to_bytes(ds) for ds in series})

    images = intake_uploads([samples.upload("study.zip", archive, "application/zip")], request_key="req-1")

    assert [image.instance_number for image in images] == [1, 2, 3, 4, 5]
    assert all(image.modality == "CT" and image.kind == "dicom" for image in images)
    assert all(image.content_type == "application/dicom" for image in images)


def test_a_zip_keeps_what_a_cd_export_carries_beside_the_images_out():
    ct = samples.to_bytes(samples.identified_ct())
    archive = samples.zip_of(
        {
            "DICOMDIR": ct,
            "autorun.inf": b"[autorun]\nopen=viewer.exe",
            "VIEWER/viewer.exe": b"MZ\x90\x00",
            "__MACOSX/._IM0001": b"\x00\x05\x16\x07",
            "../../etc/evil.dcm": b"not a dicom at all",
            "/abs/evil.dcm": b"not a dicom at all",
            "IMAGES/IM0001": ct,
            "IMAGES/IM0002.IMA": ct,
        }
    )

    images = intake_uploads([samples.upload("cd.zip", archive)], request_key="req-1")

    assert len(images) == 2


@pytest.mark.parametrize(
    ("key", "syntax"),
    [
        ("jpeg_extended", "1.2.840.10008.1.2.4.51"),
        ("jpeg2000", "1.2.840.10008.1.2.4.91"),
        ("jpeg2000_ct", "1.2.840.10008.1.2.4.91"),
        ("jpeg_ls", "1.2.840.10008.1.2.4.80"),
        ("rle", "1.2.840.10008.1.2.5"),
        ("rgb_jpeg", "1.2.840.10008.1.2.4.50"),
    ],
)
def test_compressed_transfer_syntaxes_are_accepted_and_kept(key, syntax):
    original = samples.dataset(key)
    assert original.file_meta.TransferSyntaxUID == syntax

    [image] = intake_uploads([samples.upload(f"{key}.dcm", open(samples.path(key), "rb").read())], request_key="r")

    ds = read(image)
    assert ds.file_meta.TransferSyntaxUID == syntax
    assert (image.width, image.height) == (original.Columns, original.Rows)
    assert ds.pixel_array.shape[:2] == (original.Rows, original.Columns)


def test_ultrasound_and_screen_captures_are_flagged_for_burned_in_text():
    uploads = [
        samples.upload("us.dcm", open(samples.path("us_palette"), "rb").read()),
        samples.upload("sc.dcm", open(samples.path("rgb_jpeg"), "rb").read()),
        samples.upload("ct.dcm", open(samples.path("ct"), "rb").read()),
    ]

    flags = {image.modality: image.burn_in_suspected for image in intake_uploads(uploads, request_key="r")}

    assert flags == {"US": True, "OT": True, "CT": False}


def test_a_ct_marked_with_burned_in_annotation_is_flagged():
    ds = samples.dataset("ct")
    ds.BurnedInAnnotation = "YES"

    [image] = intake_uploads([samples.upload("ct.dcm", samples.to_bytes(ds))], request_key="r")

    assert image.burn_in_suspected


def test_a_multiframe_ultrasound_clip_counts_its_frames():
    [image] = intake_uploads(
        [samples.upload("clip.dcm", open(samples.path("us_multiframe"), "rb").read())], request_key="r"
    )

    assert image.modality == "US"
    assert image.frame_count == 30
    assert image.default_preset == "auto"


def test_the_default_preset_follows_the_modality():
    head = samples.dataset("ct")
    head.BodyPartExamined = "HEAD"
    uploads = [
        samples.upload("ct.dcm", open(samples.path("ct"), "rb").read()),
        samples.upload("mr.dcm", open(samples.path("mr"), "rb").read()),
    ]

    by_modality = {image.modality: image.default_preset for image in intake_uploads(uploads, request_key="r")}
    [brain] = intake_uploads([samples.upload("head.dcm", samples.to_bytes(head))], request_key="r")

    assert by_modality == {"CT": "soft_tissue", "MR": "auto"}
    assert brain.default_preset == "brain"


def test_a_large_upload_is_read_through_its_temporary_file():
    content = samples.to_bytes(samples.identified_ct())
    upload = TemporaryUploadedFile("big.dcm", "application/dicom", len(content), None)
    upload.write(content)
    upload.flush()

    [image] = intake_uploads([upload], request_key="r")

    assert image.modality == "CT"
    upload.close()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_photos_exif_and_text_are_gone(fmt):
    photo = samples.photo_with_exif(fmt)
    assert b"Dr Amina Okafor" in photo

    [image] = intake_uploads([samples.upload(f"phone.{fmt.lower()}", photo, f"image/{fmt.lower()}")], request_key="r")

    assert b"Dr Amina Okafor" not in image.content
    assert b"PhoneMaker" not in image.content
    with Image.open(io.BytesIO(image.content)) as clean:
        assert clean.format == fmt
        assert not clean.getexif()
        assert "exif" not in clean.info and "icc_profile" not in clean.info and "Author" not in clean.info
        assert clean.size == (40, 20)
    assert image.kind == "photo" and image.content_type == f"image/{fmt.lower()}"
    assert image.burn_in_suspected
    assert image.modality == "" and image.series_uid == ""


def test_a_photo_taken_sideways_is_turned_upright_before_its_exif_goes():
    [image] = intake_uploads(
        [samples.upload("side.jpg", samples.photo_with_exif("JPEG", orientation=6))], request_key="r"
    )

    assert (image.width, image.height) == (20, 40)


def test_nothing_is_written_to_disk_during_intake(tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    series = samples.ct_series(3)
    archive = samples.zip_of({f"IM{ds.InstanceNumber}": samples.to_bytes(ds) for ds in series})

    images = intake_uploads(
        [samples.upload("s.zip", archive), samples.upload("p.jpg", samples.photo_with_exif())], request_key="r"
    )

    assert len(images) == 4
    assert [path.name for path in tmp_path.iterdir()] == ["tmp"]
    assert list(scratch.iterdir()) == []


def test_the_imaging_package_imports_no_models_and_no_other_app():
    package = Path(consults.imaging.__file__).parent
    project_apps = {"organisations", "volunteers", "programmes", "placements", "conversations", "matcher", "demo"}
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in project_apps, f"{source.name} imports {name}"
                assert "models" not in name.split("."), f"{source.name} imports {name}"
