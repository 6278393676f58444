"""Feedback after a placement, and the volunteer's record of completed placements."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from globalir.forms import submitted_data
from globalir.views import form_add_refusal
from programmes.views.access import programme_for_coordinator
from volunteers.selectors import volunteer_profile_for_user

from .. import certification, feedback, speaking
from ..emails import application_volunteer_label
from ..models import Feedback, Placement
from .access import placement_for_coordinator

RATING_CHOICES = [
    (5, gettext_lazy("5 – excellent")),
    (4, gettext_lazy("4 – good")),
    (3, gettext_lazy("3 – fair")),
    (2, gettext_lazy("2 – poor")),
    (1, gettext_lazy("1 – very poor")),
]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Rating"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a rating from 1 to 5.")},
    )
    comments = forms.CharField(
        label=gettext_lazy("Comments"),
        max_length=Feedback._meta.get_field("comments").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


@login_required
@require_safe
def placement_record(request):
    profile = volunteer_profile_for_user(user=request.user)
    if profile is None or profile.onboarding_completed_at is None:
        messages.info(request, _("Finish setting up your volunteer profile first."))
        return redirect("volunteers:onboarding")
    record = feedback.volunteer_placement_record(profile=profile, page_number=request.GET.get("page"))
    return render(
        request,
        "placements/feedback/record.html",
        {
            "record": record,
            "page_obj": record.page,
            "page_range": record.page_range,
            "talks": speaking.talks_accepted_for(profile=profile),
            "certificate_years": certification.certificate_years(profile=profile),
        },
    )


def _give(request, placement: Placement, *, side: str, done_url: str, template_context: dict):
    """The feedback page of one side: the form, or what was already given, or why it is not open yet."""
    given = feedback.placement_feedback_status(placement=placement, side=side)
    is_open = feedback.feedback_is_open(placement=placement)
    form = FeedbackForm(submitted_data(request)) if is_open and given is None else None
    status = 200
    if request.method == "POST":
        if given is not None:
            messages.error(request, _("Feedback from this side has already been given for this placement."))
            return redirect(done_url)
        if not is_open:
            messages.error(request, _("Feedback opens once the placement is over."))
            return redirect(done_url)
        if form.is_valid():
            try:
                feedback.feedback_give(placement=placement, side=side, author=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                messages.success(request, _("Thank you: your feedback is saved."))
                return redirect(done_url)
        status = 400
    return render(
        request,
        "placements/feedback/give.html",
        {
            "placement": placement,
            "need": placement.need,
            "side": side,
            "form": form,
            "given": given,
            "is_open": is_open,
            "done_url": done_url,
            **template_context,
        },
        status=status,
    )


@login_required
def volunteer_feedback(request, pk):
    placement = get_object_or_404(
        Placement.objects.select_related("application", "need__programme__lead_organisation", "volunteer"),
        pk=pk,
        volunteer__user=request.user,
    )
    return _give(
        request,
        placement,
        side=Feedback.Side.VOLUNTEER,
        done_url=reverse("placements:placement-record"),
        template_context={"organisation": placement.need.programme.lead_organisation},
    )


@login_required
def organisation_feedback(request, pk):
    placement = placement_for_coordinator(request, pk)
    return _give(
        request,
        placement,
        side=Feedback.Side.ORGANISATION,
        done_url=reverse("placements:programme-feedback", args=[placement.need.programme_id]),
        template_context={
            "organisation": placement.need.programme.lead_organisation,
            "volunteer_label": application_volunteer_label(placement.application),
        },
    )


@login_required
@require_safe
def programme_feedback(request, pk):
    programme = programme_for_coordinator(request, pk)
    summary = feedback.programme_feedback(programme=programme, page_number=request.GET.get("page"))
    return render(
        request,
        "placements/feedback/programme.html",
        {"programme": programme, "summary": summary, "page_obj": summary.page, "page_range": summary.page_range},
    )
