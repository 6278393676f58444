"""Thread pages: an application's (the volunteer and the coordinators) and the group's of a need or a
rotation (everyone confirmed and the coordinators), and a message's attachment."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from globalir.views import form_add_refusal
from volunteers.validators import document_type_of

from . import access, selectors, services
from .forms import MessageForm
from .subjects import Subject

logger = logging.getLogger(__name__)


def _thread(request, subject: Subject):
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.message_post(
                    subject=subject,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    attachment=form.cleaned_data["attachment"],
                )
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                messages.success(request, _("Your message is sent."))
                return redirect(subject.url)
        status = 400
    else:
        form = MessageForm()
    page = selectors.thread_page(request=request, subject=subject)
    if page.thread is not None and page.is_newest:
        services.thread_mark_read(thread=page.thread, user=request.user)
    return render(
        request,
        "conversations/thread.html",
        {
            "subject": subject,
            "thread_page": page,
            "form": form,
            "coordinating": subject.coordinated_by(request.user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_thread(request, pk):
    return _thread(request, access.application_subject(request, pk))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def need_thread(request, pk):
    subject = access.need_subject(request, pk)
    rotation_id = selectors.team_slot_rotation_id(need=subject.need)
    if rotation_id is not None:
        # A team's slot is one role of a rotation: its group is the rotation's, every role together.
        return redirect("conversations:rotation-thread", pk=rotation_id)
    return _thread(request, subject)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rotation_thread(request, pk):
    return _thread(request, access.rotation_subject(request, pk))


@never_cache
@login_required
@require_safe
def attachment(request, pk):
    # Not allowed and not there look the same (404), as for credentials' documents.
    message = selectors.message_with_attachment(pk=pk)
    if message is None or not selectors.thread_subject(message.thread).readable_by(request.user):
        raise Http404(_("There is no document here, or you may not open it."))
    storage, name = message.attachment.storage, message.attachment.name
    try:
        file = storage.open(name, "rb")
    except OSError:
        logger.error("The attachment of message %s is missing from storage", message.pk)
        raise Http404(_("This document cannot be found.")) from None
    kind = document_type_of(file)
    content_type = kind.content_type if kind else "application/octet-stream"
    filename = f"message-{message.pk}{kind.extensions[0] if kind else ''}"
    logger.info("User %s downloaded the attachment of message %s", request.user.pk, message.pk)
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
