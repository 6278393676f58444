import datetime
import threading

import pydicom
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

from consults import services
from consults.models import ConsultImage, ConsultRequest
from consults.selectors import turnaround_for_user
from notifications.models import Notification
from placements.feedback import volunteer_placement_record
from tests.factories import MembershipFactory, language

from .factories import burnt_in_upload, clinician_of, consult_request, ct_upload, host_site, remote_radiologist

pytestmark = pytest.mark.django_db


def _answer(consult, profile, **kwargs):
    fields = {
        "findings": "Filling defect in the right lower lobe segmental artery.",
        "impression": "Segmental pulmonary embolism.",
        "recommendation": "Anticoagulation if no contraindication.",
        "confidence": "high",
        "hours_spent": "1.5",
        **kwargs,
    }
    return services.consult_report_submit(consult=consult, profile=profile, **fields)


def test_a_ct_series_is_stored_de_identified_and_offered_to_a_matching_radiologist(site, clinician, radiologist):
    remote_radiologist("french.only@example.org", languages=[("fr", 4)])
    consult = consult_request(site=site, by=clinician, files=[ct_upload(3)])

    assert consult.status == ConsultRequest.Status.OPEN
    images = list(consult.images.all())
    assert [image.instance_number for image in images] == [1, 2, 3]
    assert len({image.series_uid for image in images}) == 1
    for image in images:
        with image.file.open("rb") as stored:
            dataset = pydicom.dcmread(stored)
        assert "CompressedSamples^CT1" not in str(dataset.get("PatientName", ""))
        assert image.file.name.startswith(f"consults/{consult.public_id}/")
    offered_to = set(Notification.objects.filter(kind="consult_offered").values_list("email", flat=True))
    assert offered_to == {"radiologist@example.org"}


def test_an_image_with_burnt_in_text_holds_the_request_until_the_clinician_checks_it(site, clinician, radiologist):
    consult = consult_request(site=site, by=clinician, files=[burnt_in_upload()])
    assert consult.status == ConsultRequest.Status.DRAFT
    assert not Notification.objects.filter(kind="consult_offered").exists()

    with pytest.raises(ValidationError):
        services.consult_images_check(consult=consult, by=clinician, confirmed=[], removed=[])

    image = consult.images.get()
    services.consult_images_check(consult=consult, by=clinician, confirmed=[image.pk], removed=[])
    consult.refresh_from_db()
    assert consult.status == ConsultRequest.Status.OPEN
    assert Notification.objects.filter(kind="consult_offered", email="radiologist@example.org").exists()


def test_a_refused_file_stores_nothing(site, clinician):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("scan.dcm", b"<html>not a dicom</html>" * 20, content_type="application/dicom")
    with pytest.raises(ValidationError) as error:
        consult_request(site=site, by=clinician, files=[ct_upload(2), fake])
    assert "scan.dcm" in " ".join(error.value.messages)
    assert not ConsultRequest.objects.exists()
    assert not ConsultImage.objects.exists()


def test_two_claims_one_after_the_other_yield_one_claim(site, clinician, radiologist):
    other = remote_radiologist("second.radiologist@example.org")
    consult = consult_request(site=site, by=clinician)

    services.consult_claim(consult=consult, profile=radiologist)
    with pytest.raises(ValidationError):
        services.consult_claim(consult=ConsultRequest.objects.get(pk=consult.pk), profile=other)
    # The stale object a second volunteer loaded before the first claim does not help either.
    consult.status = ConsultRequest.Status.OPEN
    consult.claimed_by = None
    with pytest.raises(ValidationError):
        services.consult_claim(consult=consult, profile=other)
    consult.refresh_from_db()
    assert consult.claimed_by == radiologist
    assert Notification.objects.filter(kind="consult_claimed", email="clinician@example.org").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections racing need PostgreSQL")
def test_two_volunteers_claiming_at_once_yield_one_claim(seeded_transactional_db):
    site = host_site()
    clinician = clinician_of(site)
    first, second = remote_radiologist(), remote_radiologist("second.radiologist@example.org")
    consult = consult_request(site=site, by=clinician)
    barrier = threading.Barrier(2)
    outcomes = []

    def claim(profile):
        try:
            barrier.wait(timeout=5)
            services.consult_claim(consult=ConsultRequest.objects.get(pk=consult.pk), profile=profile)
            outcomes.append("claimed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(profile,)) for profile in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["claimed", "refused"]


def test_the_volunteer_answers_and_the_clinician_closes_with_a_rating(site, clinician, radiologist):
    consult = consult_request(site=site, by=clinician)
    services.consult_claim(consult=consult, profile=radiologist)
    services.consult_message_post(consult=consult, by=radiologist.user, body="Was contrast timed for the arteries?")
    assert Notification.objects.filter(kind="consult_message", email="radiologist@example.org").count() == 0
    assert Notification.objects.filter(kind="consult_message", email="clinician@example.org").count() == 1
    _answer(consult, radiologist)
    consult.refresh_from_db()
    assert consult.status == ConsultRequest.Status.ANSWERED
    assert Notification.objects.filter(kind="consult_answered", email="clinician@example.org").exists()

    with pytest.raises(ValidationError):
        services.consult_close(consult=consult, by=clinician, rating=None)
    services.consult_close(consult=consult, by=clinician, rating=5)
    consult.refresh_from_db()
    assert (consult.status, consult.rating) == (ConsultRequest.Status.CLOSED, 5)


def test_only_the_claiming_volunteer_can_answer(site, clinician, radiologist):
    other = remote_radiologist("second.radiologist@example.org")
    consult = consult_request(site=site, by=clinician)
    services.consult_claim(consult=consult, profile=radiologist)
    with pytest.raises(ValidationError):
        _answer(consult, other)


def test_an_unclaimed_urgent_request_escalates_to_a_wider_pool_once(site, clinician, radiologist, settings):
    settings.CONSULT_ESCALATE_HOURS = 6
    # Speaks English only at a basic level: not in the first pool, but in the wider one.
    basic = remote_radiologist("basic.english@example.org", languages=[("en", 1)])
    urgent = consult_request(site=site, by=clinician, urgency=ConsultRequest.Urgency.URGENT)
    routine = consult_request(site=site, by=clinician)
    assert not Notification.objects.filter(email="basic.english@example.org").exists()
    later = timezone.now() + datetime.timedelta(hours=7)

    assert services.consult_escalate_due(now=timezone.now()) == 0
    assert services.consult_escalate_due(now=later) == 1
    assert services.consult_escalate_due(now=later) == 0

    urgent.refresh_from_db()
    routine.refresh_from_db()
    assert urgent.escalated_at is not None and routine.escalated_at is None
    mailed = Notification.objects.filter(kind="consult_offered", email="basic.english@example.org")
    assert mailed.count() == 1
    services.consult_claim(consult=urgent, profile=basic)


def test_requests_past_the_retention_period_go_with_their_files(site, clinician, settings):
    settings.CONSULT_RETENTION_DAYS = 90
    old = consult_request(site=site, by=clinician)
    recent = consult_request(site=site, by=clinician)
    names = list(old.images.values_list("file", flat=True))
    services.consult_image_preview(image=old.images.first(), preset="auto")
    ConsultRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=91))

    assert services.consults_retention_purge() == 1

    assert list(ConsultRequest.objects.all()) == [recent]
    storage = storages["consults"]
    assert names and not any(storage.exists(name) for name in names)
    assert not storage.exists(f"consults/{old.public_id}/previews")
    assert all(storage.exists(image.file.name) for image in recent.images.all())


def test_turnaround_median_and_p90_per_site_and_month(site, clinician, radiologist):
    coordinator = MembershipFactory(organisation=site.organisation).user
    now = timezone.now()
    for hours in (1, 2, 3, 4, 10):
        consult = consult_request(site=site, by=clinician)
        ConsultRequest.objects.filter(pk=consult.pk).update(
            offered_at=now - datetime.timedelta(hours=hours), answered_at=now
        )
    rows = turnaround_for_user(user=coordinator)
    assert len(rows) == 1
    assert (rows[0].answered, rows[0].median_hours, rows[0].p90_hours) == (5, 3.0, 10.0)
    assert turnaround_for_user(user=clinician) == []


def test_consult_hours_count_in_the_volunteers_remote_hours(site, clinician, radiologist):
    consult = consult_request(site=site, by=clinician)
    services.consult_claim(consult=consult, profile=radiologist)
    _answer(consult, radiologist, hours_spent="2.0")
    record = volunteer_placement_record(profile=radiologist)
    assert (record.consult_hours, record.remote_hours) == (2, 2)


def test_a_request_needs_images_and_a_known_language(site, clinician):
    with pytest.raises(ValidationError):
        consult_request(site=site, by=clinician, files=[])
    assert language("fr")
