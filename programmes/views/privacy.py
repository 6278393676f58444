"""A volunteer's own data: export, erasure, calendar feed, and credential documents.

Every response here carries personal data or a secret, so none of them may be cached
(`never_cache` sends Cache-Control: no-store). Logs name users and objects by primary key only:
never an export's content, a calendar token or a document.
"""

import json
import logging

from allauth.account.forms import ReauthenticateForm
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from notifications.services import absolute_url
from volunteers import selectors as volunteer_selectors
from volunteers import services as volunteer_services

from .. import calendar, selectors, services

logger = logging.getLogger(__name__)


@never_cache
@login_required
@require_safe
def data_export(request):
    # Users without a volunteer profile (coordinators, people who never finished onboarding) get
    # their account data: the export's volunteer sections are then empty.
    data = selectors.volunteer_data_export(user=request.user)
    logger.info("User %s exported their personal data", request.user.pk)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"globalir-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
def account_delete(request):
    preview = selectors.account_erase_preview(user=request.user)
    if request.method == "POST" and not preview.blockers:
        # allauth's re-authentication form: the password check counts towards its login rate limits.
        form = ReauthenticateForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.account_erase(user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                logout(request)
                messages.success(
                    request,
                    _(
                        "Your account and your personal data have been erased. "
                        "Thank you for volunteering with GlobalIR."
                    ),
                )
                return redirect("home")
    else:
        form = ReauthenticateForm(user=request.user)
    return render(request, "programmes/account_delete.html", {"form": form, "preview": preview})


@never_cache
@require_safe
def calendar_feed(request):
    # No login: calendar apps cannot sign in. The unguessable token in the link is the key, so a
    # wrong or missing one is indistinguishable from a page that does not exist.
    profile = volunteer_selectors.volunteer_profile_for_calendar_token(token=request.GET.get("token", ""))
    if profile is None:
        raise Http404(_("This calendar link does not work any more. Copy the new link from your dashboard."))
    placements = selectors.placement_calendar_list(profile=profile)
    response = HttpResponse(
        calendar.placements_calendar(placements=placements, url=absolute_url(reverse("programmes:dashboard"))),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="globalir-placements.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_POST
def calendar_token_reset(request):
    profile = volunteer_selectors.volunteer_profile_for_user(user=request.user)
    if profile is None:
        messages.info(request, _("Set up your volunteer profile first: your calendar shows your placements."))
        return redirect("volunteers:onboarding")
    volunteer_services.calendar_token_reset(profile=profile)
    messages.success(
        request,
        _(
            "Your calendar link has been changed and the old one no longer works. "
            "Subscribe to the new link in your calendar app."
        ),
    )
    return redirect("programmes:dashboard")


@never_cache
@login_required
@require_safe
def credential_document(request, pk):
    # Not allowed and not there look the same (404), so that nobody learns which credentials exist.
    credential = selectors.credential_for_download(user=request.user, pk=pk)
    if credential is None:
        raise Http404(_("There is no document here, or you may not open it."))
    document = selectors.credential_document_open(credential=credential)
    if document is None:
        logger.error("The document of credential %s is missing from storage", credential.pk)
        raise Http404(_("This document cannot be found. The volunteer may need to upload it again."))
    logger.info("User %s downloaded the document of credential %s", request.user.pk, credential.pk)
    response = FileResponse(
        document.file, as_attachment=True, filename=document.filename, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
