"""The pipeline board of a need and the coordinators' actions on its applications."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from globalir.views import form_add_refusal, paginate, redirect_back
from programmes.views.access import need_for_coordinator

from .. import pipeline, services, waiting_list_services
from ..board import application_review, need_pipeline_board
from ..credential_checks import offer_overlap_warning, offer_warnings
from ..emails import application_volunteer_label
from ..models import Application
from .access import application_for_coordinator

# Volunteers of a need's waiting list shown at a time on its board.
WAITING_LIST_PAGE = 20


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for declining"),
        max_length=pipeline.DECLINE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The volunteer sees this reason, on their dashboard and in an e-mail."),
        error_messages={"required": gettext_lazy("Give the volunteer a reason for declining: they will see it.")},
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Internal notes"),
        max_length=pipeline.NOTES_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Seen only by your organisation's coordinators, never by the volunteer."),
    )


@login_required
@require_safe
def board(request, pk):
    need = need_for_coordinator(request, pk)
    board = need_pipeline_board(need=need)
    waiting, page_range = paginate(request, waiting_list_services.waiting_list_ranked(need=need), WAITING_LIST_PAGE)
    return render(
        request,
        "placements/pipeline/board.html",
        {
            "need": need,
            "programme": need.programme,
            "board": board,
            "waiting_list": waiting,
            "page_obj": waiting,
            "page_range": page_range,
            # A place to offer, and someone on the list to offer it to.
            "can_offer_from_waiting_list": need.status == need.Status.OPEN
            and board.places_left > 0
            and waiting.paginator.count > 0,
            # Whoever the offer goes to, whatever page of the list is shown.
            "first_on_waiting_list": waiting.paginator.object_list[0] if waiting.paginator.count else None,
        },
    )


def _render_application(request, application: Application, *, decline_form=None, notes_form=None, status=200):
    return render(
        request,
        "placements/pipeline/application.html",
        {
            "application": application,
            "need": application.need,
            "review": application_review(application=application),
            "offer_warnings": offer_warnings(application=application) if application.can_become("offered") else [],
            "decline_form": decline_form or DeclineForm(),
            "notes_form": notes_form or NotesForm(initial={"notes": application.coordinator_notes}),
        },
        status=status,
    )


@login_required
@require_safe
def application_detail(request, pk):
    return _render_application(request, application_for_coordinator(request, pk))


def _volunteer(application: Application) -> str:
    return application_volunteer_label(application)


def _act(request, application: Application, action, success: str):
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success % {"volunteer": _volunteer(application), "need": application.need.title})
    return redirect_back(request, "placements:pipeline", application.need_id)


@login_required
@require_POST
def application_shortlist(request, pk):
    application = application_for_coordinator(request, pk)
    return _act(
        request,
        application,
        lambda: pipeline.application_shortlist(application=application, by=request.user),
        _("%(volunteer)s is on the shortlist for “%(need)s”."),
    )


@login_required
@require_POST
def application_offer(request, pk):
    application = application_for_coordinator(request, pk)
    # Read before the offer: once offered, the application is no longer one to warn about.
    overlap = offer_overlap_warning(application=application)
    response = _act(
        request,
        application,
        lambda: services.application_offer(application=application, by=request.user),
        _("A place on “%(need)s” was offered to %(volunteer)s. They are e-mailed and answer from their dashboard."),
    )
    if overlap and Application.objects.filter(pk=application.pk, status=Application.Status.OFFERED).exists():
        messages.warning(request, overlap)
    return response


@login_required
@require_POST
def application_decline(request, pk):
    application = application_for_coordinator(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            pipeline.application_decline(application=application, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return redirect_back(request, "placements:pipeline", application.need_id)
            form_add_refusal(form, error)
        else:
            messages.success(
                request,
                _("The application of %(volunteer)s for “%(need)s” was declined; they see your reason.")
                % {"volunteer": _volunteer(application), "need": application.need.title},
            )
            return redirect_back(request, "placements:pipeline", application.need_id)
    return _render_application(request, application, decline_form=form, status=400)


@login_required
@require_POST
def application_complete(request, pk):
    application = application_for_coordinator(request, pk)
    return _act(
        request,
        application,
        lambda: pipeline.application_complete(application=application, by=request.user),
        _("The placement of %(volunteer)s on “%(need)s” is completed. Both sides can now give feedback."),
    )


@login_required
@require_POST
def application_notes(request, pk):
    application = application_for_coordinator(request, pk)
    form = NotesForm(request.POST)
    if not form.is_valid():
        return _render_application(request, application, notes_form=form, status=400)
    pipeline.application_notes_save(application=application, notes=form.cleaned_data["notes"], by=request.user)
    messages.success(request, _("Your notes are saved. Only your organisation's coordinators see them."))
    return redirect("placements:pipeline-application", application.pk)
