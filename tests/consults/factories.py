"""The cast and the images of the consult tests: real DICOM from pydicom's test files, built into series."""

import datetime
import io
import zipfile

import pydicom
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from consults import services
from consults.models import ConsultRequest
from organisations.models import Membership
from tests.factories import (
    AvailabilityWindowFactory,
    MembershipFactory,
    OrganisationFactory,
    SiteFactory,
    VolunteerProfileFactory,
    language,
)
from volunteers.models import Profession


def host_site(name: str = "Mwananyamala Hospital"):
    return SiteFactory(name=name, organisation=OrganisationFactory(name=f"{name} Trust"))


def clinician_of(site, email: str = "clinician@example.org"):
    # Partner clinicians coordinate nothing: like volunteers, they are not made to enrol in two-factor sign-in.
    return MembershipFactory(
        user__email=email, organisation=site.organisation, role=Membership.Role.CLINICIAN, mfa=False
    ).user


def remote_radiologist(email: str = "radiologist@example.org", languages=(("en", 4),), **kwargs):
    """A diagnostic radiologist who reports remotely and is available now."""
    profile = VolunteerProfileFactory(
        user__email=email, profession=Profession.RADIOLOGIST, offers_remote=True, languages=list(languages), **kwargs
    )
    today = timezone.localdate()
    AvailabilityWindowFactory(
        profile=profile,
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=90),
        hours_per_week=4,
    )
    return profile


def ct_series_bytes(count: int = 3) -> list[bytes]:
    """CT_small cloned into a series of `count` slices (one series UID, instance numbers 1…count)."""
    series_uid = generate_uid()
    slices = []
    for number in range(1, count + 1):
        dataset = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
        dataset.SeriesInstanceUID = series_uid
        dataset.SOPInstanceUID = generate_uid()
        dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
        dataset.InstanceNumber = number
        dataset.ImagePositionPatient = [0, 0, float(number * 5)]
        buffer = io.BytesIO()
        dataset.save_as(buffer, enforce_file_format=True)
        slices.append(buffer.getvalue())
    return slices


def ct_series_zip(count: int = 3) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, content in enumerate(ct_series_bytes(count), start=1):
            archive.writestr(f"series/IM{number:04d}.dcm", content)
    return buffer.getvalue()


def ct_upload(count: int = 3) -> SimpleUploadedFile:
    return SimpleUploadedFile("ct-series.zip", ct_series_zip(count), content_type="application/zip")


def burnt_in_upload() -> SimpleUploadedFile:
    """A CT slice whose header says text is burnt into its pixels (BurnedInAnnotation YES)."""
    dataset = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    dataset.BurnedInAnnotation = "YES"
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return SimpleUploadedFile("burnt.dcm", buffer.getvalue(), content_type="application/dicom")


def consult_request(*, site, by, urgency=ConsultRequest.Urgency.ROUTINE, files=None, **kwargs) -> ConsultRequest:
    fields = {
        "question": "Pulmonary embolism? Filling defect in the right lower lobe artery?",
        "history": "54-year-old woman, sudden dyspnoea after surgery.",
        "modality": ConsultRequest.Modality.CT,
        "body_part": "Chest",
        "language": language("en"),
        **kwargs,
    }
    return services.consult_request_create(
        site=site, by=by, urgency=urgency, files=files if files is not None else [ct_upload()], **fields
    )
