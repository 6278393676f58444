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


@register.simple_tag
def need_waiting_list(need, profile, accepts_applications):
    """The need's waiting list as its page tells the volunteer (waiting_list_services.NeedWaitingList): read
    once, at the top of the page, which says when the need is full; need_apply_section reuses it."""
    return need_waiting_list_for(need=need, profile=profile, count_places=bool(accepts_applications))


@register.inclusion_tag("placements/includes/need_apply.html", takes_context=True)
def need_apply_section(context):
    """Apply: the volunteer's application, why they cannot apply, or the form (bound and refused, when the
    page is shown again by placements.views.applications.application_create); and, once every place is
    offered or taken, the need's waiting list: the volunteer's position on it, or the button to join it."""
    need, profile, application = context["need"], context["profile"], context.get("application")
    accepts_applications = context["accepts_applications"]
    waiting_list = context.get("waiting_list") or need_waiting_list_for(
        need=need, profile=profile, count_places=bool(accepts_applications)
    )
    full = accepts_applications and waiting_list.full
    form = None
    if (
        profile is not None
        and accepts_applications
        and not full
        and application is None
        and profile.onboarding_completed_at
    ):
        form = context.get("application_form") or ApplicationForm(need=need)
    return {
        "need": need,
        "profile": profile,
        "application": application,
        "accepts_applications": accepts_applications,
        "need_full": full,
        "application_form": form,
        "waiting_list": waiting_list,
        "user": context.get("user"),
        "request": context.get("request"),
    }
