"""Demo case consults: a partner clinician at a demo host site (demo-clinician-01@example.org) with two requests
built from pydicom's own test images, one open (a CT series) and one answered by a demo radiologist who reports
remotely (an MR slice), so that `make run` shows both sides.

Called from demo.loader.demo_data_replace once the demo volunteers exist; everything hangs off a demo site and
demo accounts, and demo_data_delete removes the requests with their files.
"""

import datetime
import io
import zipfile

import pydicom
from django.core.files.uploadedfile import SimpleUploadedFile
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from consults.models import ConsultRequest
from consults.services import consult_claim, consult_report_submit, consult_request_create, consult_request_delete
from matcher.loader import candidate_volunteers
from organisations.models import Membership
from programmes.models import Site
from volunteers.models import AvailabilityWindow, Language, Profession, VolunteerLanguage, VolunteerProfile

CLINICIAN_EMAIL = "demo-clinician-01@example.org"
CT_SLICES = 6


def demo_consults_delete(*, sites) -> None:
    for consult in ConsultRequest.objects.filter(site__in=sites):
        consult_request_delete(consult=consult)


def _ct_series() -> SimpleUploadedFile:
    series_uid = generate_uid()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(1, CT_SLICES + 1):
            dataset = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
            dataset.SeriesInstanceUID = series_uid
            dataset.SOPInstanceUID = generate_uid()
            dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
            dataset.InstanceNumber = number
            dataset.ImagePositionPatient = [0, 0, float(number * 5)]
            content = io.BytesIO()
            dataset.save_as(content, enforce_file_format=True)
            archive.writestr(f"IM{number:04d}.dcm", content.getvalue())
    return SimpleUploadedFile("chest-ct.zip", buffer.getvalue(), content_type="application/zip")


def _mr_slice() -> SimpleUploadedFile:
    with open(get_testdata_file("MR_small.dcm"), "rb") as source:
        return SimpleUploadedFile("mr.dcm", source.read(), content_type="application/dicom")


def _reporting_radiologist(today: datetime.date) -> VolunteerProfile | None:
    """A demo radiologist who reports remotely in English this week (made so when the random demo has none)."""
    profile = (
        candidate_volunteers()
        .filter(user__email__startswith="demo-volunteer-", profession=Profession.RADIOLOGIST)
        .order_by("user__email")
        .first()
    )
    if profile is None:
        return None
    VolunteerProfile.objects.filter(pk=profile.pk).update(offers_remote=True)
    profile.offers_remote = True
    VolunteerLanguage.objects.update_or_create(profile=profile, language_id="en", defaults={"proficiency": 4})
    AvailabilityWindow.objects.create(
        profile=profile, start_date=today, end_date=today + datetime.timedelta(days=180), hours_per_week=4
    )
    return profile


def demo_consults(*, generator, organisation, today: datetime.date) -> dict[str, int]:
    """The clinician, their two requests, and the answer to one of them."""
    site = Site.objects.filter(organisation=organisation).order_by("pk").first()
    if site is None:
        return {}
    (clinician,) = generator.users([(CLINICIAN_EMAIL, "Aïssata", "Traoré")])
    Membership.objects.create(user=clinician, organisation=organisation, role=Membership.Role.CLINICIAN)
    english = Language.objects.get(code="en")
    radiologist = _reporting_radiologist(today)
    consult_request_create(
        site=site,
        by=clinician,
        question="Pulmonary embolism? Filling defect in a right lower lobe artery on the portal-venous phase?",
        history="Woman in her fifties, sudden dyspnoea and tachycardia three days after abdominal surgery.",
        modality=ConsultRequest.Modality.CT,
        body_part="Chest",
        urgency=ConsultRequest.Urgency.URGENT,
        language=english,
        files=[_ct_series()],
    )
    answered = consult_request_create(
        site=site,
        by=clinician,
        question="Is this signal abnormality a lesion or an artefact?",
        history="Man in his forties, headaches for two months, no focal deficit.",
        modality=ConsultRequest.Modality.MR,
        body_part="Head",
        urgency=ConsultRequest.Urgency.ROUTINE,
        language=english,
        files=[_mr_slice()],
    )
    counts = {"consult requests": 2}
    if radiologist is not None:
        consult_claim(consult=answered, profile=radiologist)
        consult_report_submit(
            consult=answered,
            profile=radiologist,
            findings="A small focus of signal change without mass effect; the pattern follows the phase-encoding axis.",
            impression="Most likely a pulsation artefact, not a lesion.",
            recommendation="If symptoms persist, repeat with the phase-encoding direction swapped.",
            confidence="moderate",
            hours_spent=1,
        )
        counts["consults answered"] = 1
    return counts
