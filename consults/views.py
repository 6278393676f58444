"""Consult pages: thin views over consults.services and consults.selectors. Outsiders get 404."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from volunteers.selectors import volunteer_profile_for_user

from . import selectors, services
from .forms import ConsultCloseForm, ConsultMessageForm, ConsultReportForm, ConsultRequestForm, ImageCheckForm
from .imaging import PRESETS, presets_for, preview_content_type
from .models import ConsultImageView, ConsultRequest
from .uploads import ConsultMemoryUploadHandler, upload_limit_bytes

logger = logging.getLogger(__name__)


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_safe
def consult_list(request):
    profile = volunteer_profile_for_user(user=request.user)
    sites = selectors.clinician_sites(user=request.user)
    context = {
        "is_clinician": sites.exists(),
        "requests_page": selectors.clinician_requests(user=request.user, page_number=request.GET.get("page")),
        "offers": selectors.volunteer_offers(profile=profile) if profile else [],
        "claimed_page": (
            selectors.volunteer_claimed(profile=profile, page_number=request.GET.get("claimed_page"))
            if profile
            else None
        ),
        "shows_turnaround": request.user.is_staff or selectors.organisations_coordinated_by(user=request.user).exists(),
    }
    return render(request, "consults/list.html", context)


@csrf_exempt
def consult_create(request):
    """The originals of the images never touch the disk: the upload is kept in memory (Django would spool a
    large one to a temporary file), after its size is checked against CONSULT_MAX_UPLOAD_MB. The upload
    handlers must be set before anything reads the body, so the CSRF check runs after (in `_consult_create`)."""
    request.upload_handlers = [ConsultMemoryUploadHandler(request)]
    limit = upload_limit_bytes()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if request.method == "POST" and length > limit:
        request.upload_handlers = []
        messages.error(
            request,
            _("The images are larger than %(limit)s MB together: send fewer, or a smaller series.")
            % {"limit": settings.CONSULT_MAX_UPLOAD_MB},
        )
        return redirect("consults:new")
    return _consult_create(request)


@csrf_protect
@login_required
def _consult_create(request):
    sites = selectors.clinician_sites(user=request.user)
    if not sites.exists():
        raise PermissionDenied(_("Only the partner clinicians of a host site can ask for a consult."))
    form = ConsultRequestForm(request.POST or None, request.FILES or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consult = services.consult_request_create(
                site=data["site"],
                by=request.user,
                question=data["question"],
                history=data["history"],
                modality=data["modality"],
                body_part=data["body_part"],
                urgency=data["urgency"],
                language=data["language"],
                files=data["images"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if consult.status == ConsultRequest.Status.DRAFT:
                messages.warning(request, _("Some images may show text: check them before the request is sent."))
            else:
                messages.success(request, _("Your request is sent to volunteers who report remotely."))
            return redirect(consult)
    return render(request, "consults/create.html", {"form": form})


@never_cache
@login_required
@require_safe
def consult_detail(request, public_id):
    consult, access = selectors.consult_for_user(user=request.user, public_id=public_id)
    sees_images = access in ("clinician", "claimer", "staff")
    images = list(consult.images.all()) if sees_images else []
    preset = request.GET.get("preset") or ""
    available = presets_for(consult.modality) if images and images[0].kind == "dicom" else []
    if preset not in available:
        preset = ""
    series: dict[str, list] = {}
    for image in images:
        series.setdefault(image.series_uid or "photos", []).append(image)
    report = getattr(consult, "report", None) if consult.answered_at else None
    context = {
        "consult": consult,
        "access": access,
        "series": list(series.values()),
        "image_count": len(images),
        "preset": preset,
        "presets": [(key, PRESETS[key][0]) for key in available],
        "check_form": (
            ImageCheckForm(images=[i for i in images if i.needs_burn_in_check])
            if access == "clinician" and consult.status == ConsultRequest.Status.DRAFT
            else None
        ),
        "report": report,
        "report_form": (
            ConsultReportForm() if access == "claimer" and consult.status == ConsultRequest.Status.CLAIMED else None
        ),
        "thread": list(consult.messages.select_related("author"))
        if access in ("clinician", "claimer", "staff")
        else [],
        "message_form": (
            ConsultMessageForm()
            if access in ("clinician", "claimer")
            and consult.claimed_by_id
            and consult.status != ConsultRequest.Status.CLOSED
            else None
        ),
        "close_form": (
            ConsultCloseForm()
            if access == "clinician"
            and consult.status not in (ConsultRequest.Status.CLOSED, ConsultRequest.Status.DRAFT)
            else None
        ),
    }
    return render(request, "consults/detail.html", context)


def _consult_for(request, public_id, *allowed):
    consult, access = selectors.consult_for_user(user=request.user, public_id=public_id)
    if access not in allowed:
        raise PermissionDenied(_("You cannot do this on this request."))
    return consult


@login_required
@require_POST
def consult_check(request, public_id):
    consult = _consult_for(request, public_id, "clinician")
    form = ImageCheckForm(request.POST, images=[i for i in consult.images.all() if i.needs_burn_in_check])
    if not form.is_valid():
        messages.error(request, _("Confirm or remove every image marked as possibly showing text."))
        return redirect(consult)
    confirmed, removed = form.decisions()
    try:
        services.consult_images_check(consult=consult, by=request.user, confirmed=confirmed, removed=removed)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Your request is sent to volunteers who report remotely."))
    return redirect(consult)


@login_required
@require_POST
def consult_claim(request, public_id):
    consult = _consult_for(request, public_id, "offered")
    try:
        services.consult_claim(consult=consult, profile=volunteer_profile_for_user(user=request.user))
    except ValidationError as error:
        _errors(request, error)
        return redirect("consults:list")
    messages.success(request, _("The request is yours: its images are open to you."))
    return redirect(consult)


@login_required
@require_POST
def consult_report(request, public_id):
    consult = _consult_for(request, public_id, "claimer")
    form = ConsultReportForm(request.POST)
    if form.is_valid():
        try:
            services.consult_report_submit(
                consult=consult, profile=volunteer_profile_for_user(user=request.user), **form.cleaned_data
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Your answer is sent to the clinician."))
            return redirect(consult)
    else:
        messages.error(request, _("The answer needs findings, an impression and a confidence."))
    return redirect(consult)


@login_required
@require_POST
def consult_message(request, public_id):
    consult = _consult_for(request, public_id, "clinician", "claimer")
    form = ConsultMessageForm(request.POST)
    if form.is_valid():
        try:
            services.consult_message_post(consult=consult, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("Write a message first."))
    return redirect(f"{consult.get_absolute_url()}#thread")


@login_required
@require_POST
def consult_close(request, public_id):
    consult = _consult_for(request, public_id, "clinician")
    form = ConsultCloseForm(request.POST)
    if form.is_valid():
        try:
            services.consult_close(consult=consult, by=request.user, rating=form.cleaned_data["rating"])
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("The request is closed. Thank you."))
    else:
        messages.error(request, _("Choose a rating from 1 to 5."))
    return redirect(consult)


@never_cache
@login_required
@require_safe
def image_preview(request, pk):
    image = selectors.image_for_user(user=request.user, pk=pk)
    preset = request.GET.get("preset") or image.default_preset or "auto"
    if preset not in PRESETS:
        raise Http404(_("There is no such window."))
    try:
        content = services.consult_image_preview(image=image, preset=preset)
    except (OSError, ValidationError, ValueError):
        logger.exception("The preview of consult image %s failed", image.pk)
        raise Http404(_("This image cannot be shown.")) from None
    services.consult_image_view_record(
        image=image, viewer=request.user, how=ConsultImageView.How.PREVIEW, preset=preset
    )
    response = HttpResponse(content, content_type=preview_content_type())
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_safe
def image_download(request, pk):
    image = selectors.image_for_user(user=request.user, pk=pk)
    try:
        file = image.file.storage.open(image.file.name, "rb")
    except OSError:
        logger.error("Consult image %s is missing from storage", image.pk)
        raise Http404(_("This image cannot be found.")) from None
    services.consult_image_view_record(image=image, viewer=request.user, how=ConsultImageView.How.DOWNLOAD)
    extension = {"application/dicom": ".dcm", "image/jpeg": ".jpg", "image/png": ".png"}.get(image.content_type, "")
    response = FileResponse(
        file,
        as_attachment=True,
        filename=f"consult-{image.request.public_id}-{image.position + 1:04d}{extension}",
        content_type=image.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_safe
def turnaround(request):
    if not (request.user.is_staff or selectors.organisations_coordinated_by(user=request.user).exists()):
        raise PermissionDenied(_("Turnaround figures are for the coordinators of host organisations."))
    return render(request, "consults/turnaround.html", {"rows": selectors.turnaround_for_user(user=request.user)})
