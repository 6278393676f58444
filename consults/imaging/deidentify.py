"""De-identification of one DICOM dataset, in memory.

dicognito applies the PS3.15 Basic Application Level Confidentiality Profile's replacements: every
instance UID, person name, identifier, address and piece of equipment is replaced by a value derived
from a seed, and every date and time is moved back by an offset derived from the same seed. The seed
comes from the consult request, so a second upload to the same request gets the same UIDs and the same
shift, and two requests never share either. On top of that this module removes what the library keeps:
private tags, free text the profile marks X (comments, descriptions, histories), overlays, the
original-attributes sequence that would carry the old values back, and the 128-byte preamble.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Iterable
from itertools import chain

from dicognito.anonymizer import Anonymizer
from django.conf import settings
from pydicom.datadict import dictionary_has_tag, dictionary_VR
from pydicom.dataset import Dataset

# Emptied rather than replaced: a realistic fake name or birth date in a volunteer's viewer reads as a
# real patient's. Type 2 in their modules, so they stay present with no value.
EMPTIED = ("PatientName", "PatientBirthDate", "PatientBirthTime", "ReferringPhysicianName", "AccessionNumber")

# Removed outright: free text and identifying details dicognito leaves in place (the Basic Profile's
# X action). Descriptions go too: they are typed by people, and the consult request says what the
# study is.
REMOVED = (
    "AdditionalPatientHistory",
    "AdmittingDiagnosesDescription",
    "Allergies",
    "BranchOfService",
    "CountryOfResidence",
    "DerivationDescription",
    "DeviceSerialNumber",
    "EthnicGroup",
    "ImageComments",
    "InstitutionAddress",
    "InstitutionName",
    "InstitutionalDepartmentName",
    "IssuerOfPatientID",
    "MedicalAlerts",
    "MilitaryRank",
    "NameOfPhysiciansReadingStudy",
    "OperatorsName",
    "OriginalAttributesSequence",
    "OtherPatientIDs",
    "OtherPatientIDsSequence",
    "OtherPatientNames",
    "PatientAddress",
    "PatientBirthName",
    "PatientComments",
    "PatientMotherBirthName",
    "PatientState",
    "PatientTelephoneNumbers",
    "PerformedProcedureStepDescription",
    "PerformingPhysicianName",
    "PhysiciansOfRecord",
    "ProtocolName",
    "ReferringPhysicianAddress",
    "ReferringPhysicianTelephoneNumbers",
    "RegionOfResidence",
    "RequestAttributesSequence",
    "RequestedProcedureDescription",
    "RequestingPhysician",
    "ScheduledProcedureStepDescription",
    "SeriesDescription",
    "StationName",
    "StudyComments",
    "StudyDescription",
    "VisitComments",
)

# Text value representations a viewer shows to a reader.
TEXT_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UR", "UT", "UN"}
# An HTML tag, comment or a script URL. Clinical text such as "<5 mm" or "a > b" does not match.
MARKUP = re.compile(r"<\s*[/!?]?\s*[a-z][^>]*>|<!--|javascript\s*:", re.IGNORECASE)

# Modalities whose images usually carry text drawn into the pixels (names, dates, measurements):
# ultrasound, screen captures, angiography and fluoroscopy, photographs and scanned documents.
BURN_IN_MODALITIES = {"US", "SC", "OT", "XA", "RF", "XC", "ES", "GM", "DOC", "IVUS"}


def request_seed(request_key: str) -> str:
    """A seed only the server can compute: the request's public id alone must not give away the shift."""
    secret = settings.SECRET_KEY.encode()
    # str(): a caller may hand the request's UUID itself.
    return hmac.new(secret, b"consult-imaging:" + str(request_key).encode(), hashlib.sha256).hexdigest()


def anonymizer_for(request_key: str) -> Anonymizer:
    return Anonymizer(seed=request_seed(request_key))


def _text_values(value: object) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, bytes):
        return (value.decode("latin-1"),)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(item) for item in value)
    return (str(value),)


def markup_found(dataset: Dataset) -> bool:
    """True when a displayed text element holds HTML or a script URL, in the dataset or its sequences.

    Such a file is refused rather than cleaned: a scanner or a PACS never writes markup, so it was put
    there by hand or by a tool meant to attack whatever shows the header (a web viewer in a volunteer's
    browser opening the downloaded file does not escape it as our templates do), and the uploader is
    better told than silently given a file other than the one they sent.
    """
    meta = dataset.get("file_meta") or Dataset()
    for element in chain(meta.iterall(), dataset.iterall()):
        if element.VR not in TEXT_VRS or element.tag == 0x7FE00010:
            continue
        if any(MARKUP.search(text) for text in _text_values(element.value)):
            return True
    return False


def burn_in_suspected(dataset: Dataset) -> bool:
    if str(dataset.get("BurnedInAnnotation", "")).upper() == "YES":
        return True
    return str(dataset.get("Modality", "")).upper() in BURN_IN_MODALITIES


def _strip_groups(dataset: Dataset) -> None:
    """Overlays (60xx) may draw text over the image; curves (50xx) are retired and may hold anything."""
    doomed = [tag for tag in dataset.keys() if 0x5000 <= tag.group <= 0x50FF or 0x6000 <= tag.group <= 0x60FF]
    for tag in doomed:
        del dataset[tag]
    if 0xFFFCFFFC in dataset:  # trailing padding after the pixels
        del dataset[0xFFFCFFFC]


def _cap_age(dataset: Dataset) -> None:
    """Age and sex stay (the Retain Patient Characteristics Option: they matter for the reading), but an
    age above 89 is rare enough to identify, so it is reported as 90."""
    age = str(dataset.get("PatientAge", ""))
    if len(age) == 4 and age.endswith("Y") and age[:3].isdigit() and int(age[:3]) > 89:
        dataset.PatientAge = "090Y"


def strip_private(dataset: Dataset) -> None:
    """Remove private tags, in nested sequences too.

    Dataset.remove_private_tags walks (and so decodes) every element; this looks only at tags and
    opens sequences alone, which matters for a series of hundreds of slices.
    """
    for tag in list(dataset.keys()):
        if tag.is_private:
            del dataset[tag]
            continue
        raw = dataset.get_item(tag)
        vr = raw.VR if raw is not None and raw.VR else (dictionary_VR(tag) if dictionary_has_tag(tag) else "")
        if vr == "SQ":
            for item in dataset[tag].value:
                strip_private(item)


DATE = re.compile(r"\d{8}")
DATETIME = re.compile(r"\d{4}(\d{2}){0,5}(\.\d{1,6})?([+-]\d{4})?")
TIME = re.compile(r"\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?")


def _valid_date(text: str) -> bool:
    try:
        datetime.datetime.strptime(text[:8], "%Y%m%d")  # noqa: DTZ007 - a calendar check, no instant
    except ValueError:
        return False
    return True


def _valid(vr: str, text: str) -> bool:
    text = text.strip()
    if not text:
        return True
    if vr == "DA":
        return bool(DATE.fullmatch(text)) and _valid_date(text)
    if vr == "DT":
        return bool(DATETIME.fullmatch(text)) and (len(text) < 8 or _valid_date(text))
    return bool(TIME.fullmatch(text.replace(":", ""))) and int(text[:2]) < 24


def blank_unreadable_dates(dataset: Dataset) -> None:
    """Empty dates and times that are not what DICOM says they must be ("2020-01-01", "00000000").

    They cannot be shifted, and may still say when the patient was seen, so they go; dicognito would
    otherwise stop on them with an error.
    """
    for element in dataset.iterall():
        if element.VR in {"DA", "DT", "TM"} and element.value not in (None, ""):
            texts = _text_values(element.value)
            if not all(_valid(element.VR, text) for text in texts):
                element.value = ""


def deidentify(dataset: Dataset, anonymizer: Anonymizer) -> None:
    """De-identify the dataset in place (the caller stripped private tags and checked for markup first)."""
    blank_unreadable_dates(dataset)
    anonymizer.anonymize(dataset)
    for item in [dataset, *_nested(dataset)]:
        for keyword in REMOVED:
            if keyword in item:
                delattr(item, keyword)
        for keyword in EMPTIED:
            if keyword in item:
                setattr(item, keyword, "")
    _strip_groups(dataset)
    _cap_age(dataset)
    dataset.preamble = b"\0" * 128
    meta = dataset.file_meta
    for keyword in ("SourceApplicationEntityTitle", "SendingApplicationEntityTitle", "ReceivingApplicationEntityTitle"):
        if keyword in meta:
            delattr(meta, keyword)


def _nested(dataset: Dataset) -> list[Dataset]:
    items: list[Dataset] = []
    for element in dataset:
        if element.VR == "SQ":
            for item in element.value:
                items.append(item)
                items.extend(_nested(item))
    return items
