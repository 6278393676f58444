"""The volunteer's placements as a calendar feed, and its secret link.

The feed carries personal data behind a secret, so it may not be cached (`never_cache` sends
Cache-Control: no-store). Logs name users by primary key only, never a calendar token.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from notifications.services import absolute_url
from volunteers import selectors as volunteer_selectors
from volunteers import services as volunteer_services

from .. import calendar, selectors, speaking


@never_cache
@require_safe
def calendar_feed(request):
    # No login: calendar apps cannot sign in. The unguessable token in the link is the key, so a
    # wrong or missing one is indistinguishable from a page that does not exist.
    profile = volunteer_selectors.volunteer_profile_for_calendar_token(token=request.GET.get("token", ""))
    if profile is None:
        raise Http404(_("This calendar link does not work any more. Copy the new link from your dashboard."))
    placements = selectors.placement_calendar_list(profile=profile)
    dashboard_url = absolute_url(reverse("placements:dashboard"))
    talks = speaking.talk_events(invitations=speaking.talks_accepted_for(profile=profile), url=dashboard_url)
    response = HttpResponse(
        calendar.placements_calendar(placements=placements, url=dashboard_url, more_events=talks),
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
    return redirect("placements:dashboard")
