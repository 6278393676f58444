"""A full need's waiting list: the volunteer joins and leaves it from the need's page and their dashboard; the
need's coordinators offer a place that reopened to the first on it from the pipeline board."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from globalir.views import redirect_back
from programmes.views.access import need_for_coordinator, need_for_reader

from .. import waiting_list_services
from ..emails import application_volunteer_label
from ..waiting_list import WaitingListEntry
from .applications import _onboarded_profile_or_redirect


@login_required
@require_POST
def waiting_list_join(request, pk):
    need = need_for_reader(request, pk)
    profile, redirect_response = _onboarded_profile_or_redirect(request)
    if redirect_response:
        return redirect_response
    try:
        waiting_list_services.waiting_list_join(volunteer=profile, need=need)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "You are on the waiting list for “%(need)s”. If a place frees up, the coordinators can offer it to "
                "you; you are e-mailed then."
            )
            % {"need": need.title},
        )
    return redirect(need)


@login_required
@require_POST
def waiting_list_leave(request, pk):
    entry = get_object_or_404(WaitingListEntry.objects.select_related("need"), pk=pk, volunteer__user=request.user)
    try:
        waiting_list_services.waiting_list_leave(entry=entry, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You left the waiting list for “%(need)s”.") % {"need": entry.need.title})
    return redirect_back(request, "placements:dashboard")


@login_required
@require_POST
def waiting_list_offer_first(request, pk):
    need = need_for_coordinator(request, pk)
    try:
        application = waiting_list_services.waiting_list_offer_first(need=need, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "A place on “%(need)s” was offered to %(volunteer)s, the first on its waiting list. They are "
                "e-mailed and answer from their dashboard."
            )
            % {"need": need.title, "volunteer": application_volunteer_label(application)},
        )
    return redirect("placements:pipeline", need.pk)
