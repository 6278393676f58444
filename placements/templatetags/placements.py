"""Applying on a need's page (programmes' page shows it): the volunteer's application to the need, and the
form to apply."""

from django import template

from ..forms import ApplicationForm
from ..selectors import application_active_for
from ..waiting_list_services import need_waiting_list_for

register = template.Library()


@register.simple_tag
def need_application(need, profile):
    """The volunteer's application to the need that is still going, if any (no query without a profile)."""
    return application_active_for(profile=profile, need=need) if profile is not None else None


@register.inclusion_tag("placements/includes/need_apply.html", takes_context=True)
def need_apply_section(context):
    """Apply: the volunteer's application, why they cannot apply, or the form (bound and refused, when the
    page is shown again by placements.views.applications.application_create); and, once every place is
    offered or taken, the need's waiting list: the volunteer's position on it, or the button to join it."""
    need, profile, application = context["need"], context["profile"], context.get("application")
    accepts_applications = context["accepts_applications"]
    form = None
    if profile is not None and accepts_applications and application is None and profile.onboarding_completed_at:
        form = context.get("application_form") or ApplicationForm(need=need)
    return {
        "need": need,
        "profile": profile,
        "application": application,
        "accepts_applications": accepts_applications,
        "application_form": form,
        "waiting_list": need_waiting_list_for(need=need, profile=profile),
        "user": context.get("user"),
        "request": context.get("request"),
    }
