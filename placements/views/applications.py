"""A volunteer's applications, offers and dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from globalir.views import form_add_refusal
from notifications.services import absolute_url
from programmes.selectors import need_listed_detail_queryset
from programmes.views.opportunities import render_need_page
from volunteers.selectors import EXPIRY_WARNING_DAYS, credential_rows, volunteer_profile_for_user

from .. import certification, selectors, services, speaking, waiting_list_services
from ..checklist_selectors import volunteer_checklists_left
from ..credential_checks import credentials_to_renew_for
from ..forms import ApplicationForm, OfferDeclineForm
from ..models import Application


def _onboarded_profile_or_redirect(request):
    """The signed-in user's completed volunteer profile, or a redirect to finish it."""
    profile = volunteer_profile_for_user(user=request.user)
    if profile is None or profile.onboarding_completed_at is None:
        messages.info(request, _("Finish setting up your volunteer profile first."))
        return None, redirect("volunteers:onboarding")
    return profile, None


def _own_application(request, pk: int) -> Application:
    """One of the signed-in volunteer's applications; anybody else's is a 404."""
    return get_object_or_404(
        Application.objects.select_related("need", "volunteer"), pk=pk, volunteer__user=request.user
    )


@login_required
@require_safe
def dashboard(request):
    profile, redirect_response = _onboarded_profile_or_redirect(request)
    if redirect_response:
        return redirect_response
    dashboard = selectors.volunteer_dashboard(profile=profile)
    volunteer_checklists_left(placements=dashboard.upcoming, today=timezone.localdate())
    for application in dashboard.offers:
        # The confirmation step folded into each offer: ids of its own, the field names the decline page's.
        application.decline_form = OfferDeclineForm(auto_id=f"decline-{application.pk}-%s")
    return render(
        request,
        "placements/dashboard.html",
        {
            "profile": profile,
            "dashboard": dashboard,
            "feedback_due": [placement for placement in dashboard.past if placement.feedback_due],
            # On SITE_URL, like every link in the e-mails and the feed's own events.
            "calendar_feed_url": absolute_url(
                f"{reverse('placements:calendar-feed')}?{urlencode({'token': profile.calendar_token})}"
            ),
            "attention_rows": [row for row in credential_rows(profile=profile) if row.needs_attention],
            "credentials_to_renew": credentials_to_renew_for(profile=profile),
            "warning_days": EXPIRY_WARNING_DAYS,
            "talks_pending": speaking.talks_pending_for(profile=profile),
            "talks_upcoming": speaking.talks_accepted_for(profile=profile, since=timezone.localdate()),
            "waiting_lists": waiting_list_services.waiting_list_positions(profile=profile),
            "certificate_years": certification.certificate_years(profile=profile),
        },
    )


@login_required
def application_create(request, pk):
    need = get_object_or_404(need_listed_detail_queryset(), pk=pk)
    if request.method != "POST":
        return redirect(need)
    profile, redirect_response = _onboarded_profile_or_redirect(request)
    if redirect_response:
        return redirect_response
    if selectors.application_active_for(profile=profile, need=need) is not None:
        messages.info(request, _("You already have an active application for this need."))
        return redirect(need)
    form = ApplicationForm(request.POST, need=need)
    if form.is_valid():
        try:
            services.application_submit(volunteer=profile, need=need, **form.cleaned_data)
        except ValidationError as error:
            form_add_refusal(form, error)
        else:
            messages.success(
                request,
                _("Your application for “%(need)s” has been sent to the coordinators.") % {"need": need.title},
            )
            return redirect("placements:dashboard")
    return render_need_page(request, need, extra_context={"application_form": form}, status=400)


def _application_action(request, pk, action, success_message: str):
    application = _own_application(request, pk)
    try:
        action(application=application, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success_message % {"need": application.need.title})
    return redirect("placements:dashboard")


@login_required
@require_POST
def application_withdraw(request, pk):
    return _application_action(
        request, pk, services.application_withdraw, _("You have withdrawn your application for “%(need)s”.")
    )


@login_required
@require_POST
def offer_accept(request, pk):
    return _application_action(
        request,
        pk,
        services.offer_accept,
        _("You have accepted the offer for “%(need)s”. It is now in your upcoming placements."),
    )


@login_required
def offer_decline(request, pk):
    """Declining an offer is confirmed first: this page (or the same form folded into the dashboard's
    offer) says what it means, with an optional reason; the POST is the confirmation."""
    application = _own_application(request, pk)
    if application.status != Application.Status.OFFERED:
        messages.error(request, _("There is no offer to decline on this application."))
        return redirect("placements:dashboard")
    form = OfferDeclineForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.offer_decline(application=application, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("You have declined the offer for “%(need)s”.") % {"need": application.need.title}
            )
        return redirect("placements:dashboard")
    return render(
        request,
        "placements/offer_decline.html",
        {"application": application, "form": form},
        status=400 if form.is_bound else 200,
    )
