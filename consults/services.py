"""Every write of consults: a clinician's request and images, the offer, the claim, the report, the thread,
the close, and the rules of governance (escalation, retention). Views and tasks call these."""

import datetime
import logging
import os
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from globalir.links import absolute_url
from notifications.services import Email, notify, notify_many
from organisations.models import Membership
from programmes.models import Site
from volunteers.models import Language, VolunteerProfile

from .imaging import intake_uploads, preview_render
from .models import ConsultImage, ConsultImageView, ConsultMessage, ConsultReport, ConsultRequest
from .offers import is_offered_to, offer_scores, wider_pool_ids

logger = logging.getLogger(__name__)


def _clinicians(consult: ConsultRequest) -> list[User]:
    members = Membership.objects.filter(
        organisation_id=consult.site.organisation_id, role=Membership.Role.CLINICIAN, user__is_active=True
    ).select_related("user")
    return [membership.user for membership in members]


def _context(consult: ConsultRequest) -> dict:
    return {
        "modality": consult.get_modality_display(),
        "body_part": consult.body_part,
        "site_name": consult.site.name,
        "urgent": consult.urgency == ConsultRequest.Urgency.URGENT,
        "consult_url": absolute_url(consult.get_absolute_url()),
    }


@transaction.atomic
def consult_request_create(
    *,
    site: Site,
    by: User,
    question: str,
    history: str,
    modality: str,
    body_part: str,
    urgency: str,
    language: Language,
    files: Iterable,
) -> ConsultRequest:
    """A clinician's new request with its de-identified images. Refused whole (nothing stored) when any file is.

    Images whose text may be burnt in stay to be checked: the request is offered only once the clinician has
    confirmed or removed each (`consult_images_check`); without such images it is offered at once.
    """
    consult = ConsultRequest(
        site=site,
        created_by=by,
        question=question,
        history=history,
        modality=modality,
        body_part=body_part,
        urgency=urgency,
        language=language,
    )
    consult.full_clean()
    files = list(files)
    if not files:
        raise ValidationError(_("Add at least one image: DICOM files, a zip of a series, or photos."))
    images = intake_uploads(files, request_key=consult.public_id)
    consult.save()
    _images_store(consult, images)
    if not consult.images_to_check:
        consult_offer(consult=consult)
    return consult


def _images_store(consult: ConsultRequest, images) -> None:
    start = consult.images.count()
    for position, image in enumerate(images, start=start):
        row = ConsultImage(
            request=consult,
            kind=image.kind,
            content_type=image.content_type,
            modality=image.modality,
            series_uid=image.series_uid,
            instance_number=image.instance_number,
            position=position,
            width=image.width,
            height=image.height,
            default_preset=image.default_preset,
            burn_in_suspected=image.burn_in_suspected,
        )
        # The storage is written last, after the row is valid; a rollback leaves at worst an orphan file that
        # the retention task's sweep of the request's folder removes.
        row.file.save("image", ContentFile(image.content), save=False)
        row.save()


@transaction.atomic
def consult_images_check(*, consult: ConsultRequest, by: User, confirmed: Iterable[int], removed: Iterable[int]):
    """The clinician confirms that flagged images carry no name, or removes them; the request is then offered."""
    consult = ConsultRequest.objects.select_for_update().get(pk=consult.pk)
    if consult.status != ConsultRequest.Status.DRAFT:
        raise ValidationError(_("This request has already been sent to volunteers."))
    removed, confirmed = set(removed), set(confirmed)
    # Checked before anything is deleted: a refusal leaves every image (and its file) in place.
    kept = [image for image in consult.images.all() if image.pk not in removed]
    if not kept:
        raise ValidationError(_("Every image was removed: add images before sending the request."))
    if any(image.needs_burn_in_check and image.pk not in confirmed for image in kept):
        raise ValidationError(_("Confirm or remove every image marked as possibly showing text."))
    consult.images.filter(pk__in=confirmed - removed).update(burn_in_confirmed=True)
    for image in consult.images.filter(pk__in=removed):
        image.file.delete(save=False)
        image.delete()
    consult_offer(consult=consult)
    return consult


def consult_offer(*, consult: ConsultRequest) -> list[int]:
    """Open the request to volunteers and e-mail those it is offered to. Returns their profile ids."""
    consult.status = ConsultRequest.Status.OPEN
    consult.offered_at = timezone.now()
    consult.save(update_fields=["status", "offered_at"])
    profile_ids = list(offer_scores(consult=consult))
    _mail_offer(consult, profile_ids, wave="offer")
    return profile_ids


def _mail_offer(consult: ConsultRequest, profile_ids: list[int], *, wave: str) -> None:
    users = User.objects.filter(volunteer_profile__pk__in=profile_ids, is_active=True)
    notify_many(
        emails=[
            Email(
                kind="consult_offered",
                event_key=f"consult_offered:{consult.pk}:{wave}:{user.pk}",
                context=_context(consult),
                recipient=user,
            )
            for user in users
        ]
    )


def consult_claim(*, consult: ConsultRequest, profile: VolunteerProfile) -> ConsultRequest:
    """The volunteer takes the request. A conditional update, so that two volunteers claiming at once never
    both get it: the second one is told it is taken."""
    if not is_offered_to(consult=consult, profile=profile):
        raise ValidationError(_("This request is not offered to you, or no longer open."))
    now = timezone.now()
    with transaction.atomic():
        taken = ConsultRequest.objects.filter(pk=consult.pk, status=ConsultRequest.Status.OPEN, claimed_by=None).update(
            claimed_by=profile, claimed_at=now, status=ConsultRequest.Status.CLAIMED
        )
        if taken != 1:
            raise ValidationError(_("Another volunteer has just taken this request."))
        consult.refresh_from_db()
        for clinician in _clinicians(consult):
            notify(
                kind="consult_claimed",
                event_key=f"consult_claimed:{consult.pk}:{clinician.pk}",
                context=_context(consult),
                recipient=clinician,
            )
    return consult


@transaction.atomic
def consult_report_submit(
    *,
    consult: ConsultRequest,
    profile: VolunteerProfile,
    findings: str,
    impression: str,
    recommendation: str,
    confidence: str,
    hours_spent,
) -> ConsultReport:
    consult = ConsultRequest.objects.select_for_update().get(pk=consult.pk)
    if consult.claimed_by_id != profile.pk or consult.status != ConsultRequest.Status.CLAIMED:
        raise ValidationError(_("Only the volunteer who took this request can answer it, once."))
    report = ConsultReport(
        request=consult,
        author=profile,
        findings=findings,
        impression=impression,
        recommendation=recommendation,
        confidence=confidence,
        hours_spent=hours_spent,
    )
    report.full_clean()
    report.save()
    consult.status = ConsultRequest.Status.ANSWERED
    consult.answered_at = timezone.now()
    consult.save(update_fields=["status", "answered_at"])
    for clinician in _clinicians(consult):
        notify(
            kind="consult_answered",
            event_key=f"consult_answered:{consult.pk}:{clinician.pk}",
            context=_context(consult),
            recipient=clinician,
        )
    return report


@transaction.atomic
def consult_message_post(*, consult: ConsultRequest, by: User, body: str) -> ConsultMessage:
    """A question or answer in the thread; the other side is e-mailed."""
    if consult.claimed_by_id is None or consult.status == ConsultRequest.Status.CLOSED:
        raise ValidationError(_("Messages open once a volunteer has taken the request, until it is closed."))
    message = ConsultMessage(request=consult, author=by, body=body.strip())
    message.full_clean()
    message.save()
    volunteer = consult.claimed_by.user
    readers = [volunteer] if by.pk != volunteer.pk else _clinicians(consult)
    for reader in readers:
        notify(
            kind="consult_message",
            event_key=f"consult_message:{message.pk}:{reader.pk}",
            context=_context(consult),
            recipient=reader,
        )
    return message


@transaction.atomic
def consult_close(*, consult: ConsultRequest, by: User, rating: int | None) -> ConsultRequest:
    """The clinician closes the request, rating the answer (1–5) when there is one."""
    consult = ConsultRequest.objects.select_for_update().get(pk=consult.pk)
    if consult.status == ConsultRequest.Status.CLOSED:
        raise ValidationError(_("This request is already closed."))
    if consult.status == ConsultRequest.Status.ANSWERED and rating is None:
        raise ValidationError(_("Rate the answer from 1 to 5 before closing."))
    consult.status = ConsultRequest.Status.CLOSED
    consult.closed_at = timezone.now()
    consult.rating = rating if consult.answered_at else None
    consult.full_clean()
    consult.save(update_fields=["status", "closed_at", "rating"])
    return consult


def consult_image_view_record(*, image: ConsultImage, viewer: User, how: str, preset: str = "") -> ConsultImageView:
    """Write one view of an image to the audit trail (who, when, which image, preview or download)."""
    return ConsultImageView.objects.create(
        image=image, request_public_id=image.request.public_id, viewer=viewer, how=how, preset=preset
    )


def consult_image_preview(*, image: ConsultImage, preset: str) -> bytes:
    """The preview of an image at a window preset, rendered once and kept next to it in the same storage."""
    storage = image.file.storage
    name = f"consults/{image.request.public_id}/previews/{image.pk}-{preset}.img"
    if storage.exists(name):
        with storage.open(name, "rb") as cached:
            return cached.read()
    with image.file.open("rb") as source:
        content = source.read()
    preview = preview_render(content, preset=preset, kind=image.kind)
    try:
        storage.save(name, ContentFile(preview))
    except OSError:
        logger.warning("Could not keep the preview of consult image %s", image.pk)
    return preview


def consult_escalate_due(*, now: datetime.datetime | None = None) -> int:
    """Urgent requests still unclaimed CONSULT_ESCALATE_HOURS after they were offered go to the wider pool
    (offers.wider_pool_ids), who are e-mailed. A conditional update marks each once."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.CONSULT_ESCALATE_HOURS)
    due = ConsultRequest.objects.filter(
        status=ConsultRequest.Status.OPEN,
        urgency=ConsultRequest.Urgency.URGENT,
        escalated_at__isnull=True,
        offered_at__lte=cutoff,
    ).values_list("pk", flat=True)
    escalated = 0
    for pk in list(due):
        with transaction.atomic():
            consult = ConsultRequest.objects.select_related("site").get(pk=pk)
            first_wave = set(offer_scores(consult=consult))  # not escalated yet: the first pool only
            if ConsultRequest.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=now) != 1:
                continue
            consult.escalated_at = now
            _mail_offer(consult, sorted(wider_pool_ids(consult=consult) - first_wave), wave="escalated")
            escalated += 1
    return escalated


def consult_request_delete(*, consult: ConsultRequest) -> None:
    """Delete the request with its images, their previews and its thread, from the database and the storage."""
    storage = ConsultImage._meta.get_field("file").storage
    folder = f"consults/{consult.public_id}"
    with transaction.atomic():
        consult.delete()
    _storage_folder_delete(storage, folder)


def _storage_folder_delete(storage, folder: str) -> None:
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for directory in directories:
        _storage_folder_delete(storage, f"{folder}/{directory}")
    # A file system keeps the emptied folder, whose name is the request's id; object storage has no folders.
    try:
        os.rmdir(storage.path(folder))
    except (NotImplementedError, OSError):
        pass


def consults_retention_purge(*, now: datetime.datetime | None = None) -> int:
    """Requests created more than CONSULT_RETENTION_DAYS ago, open or not, go with their files."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.CONSULT_RETENTION_DAYS)
    count = 0
    for consult in ConsultRequest.objects.filter(created_at__lt=cutoff).order_by("pk").iterator():
        consult_request_delete(consult=consult)
        count += 1
    return count
