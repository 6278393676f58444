"""A completed placement in the demo, so that a volunteer's record shows a certificate of service.

Every other demo placement is still to come; this one ended a month ago and its coordinator marked it
completed through the service the pipeline's "Mark completed" uses. Its need is closed and lies in the
past: it is counted among the needs load_demo was asked for.
"""

import datetime

from django.utils import timezone

from organisations.models import Membership
from placements.models import Application, Placement
from placements.pipeline import application_complete
from programmes.models import Mode, Need, Programme, Site
from volunteers.models import VolunteerProfile

NEEDS = 1
DAYS_ON_SITE = 14
ENDED_DAYS_AGO = 30


def demo_completed_placement(
    *, programme: Programme, site: Site | None, titles: dict[str, tuple[str, ...]], today: datetime.date
) -> VolunteerProfile | None:
    """Give the first demo volunteer with a finished profile a placement of `programme` that is over and
    completed. Returns that volunteer (None when there is none)."""
    profile = (
        VolunteerProfile.objects.filter(
            user__email__startswith="demo-volunteer-", onboarding_completed_at__isnull=False, consent_to_share=True
        )
        .exclude(name="")
        .order_by("user__email")
        .first()
    )
    membership = Membership.objects.filter(organisation=programme.lead_organisation).select_related("user").first()
    if profile is None or membership is None:
        return None
    end = today - datetime.timedelta(days=ENDED_DAYS_AGO)
    start = end - datetime.timedelta(days=DAYS_ON_SITE - 1)
    title = (titles.get(profile.profession) or ("Visiting faculty",))[0]
    need = Need.objects.create(
        programme=programme,
        title=f"{title} – {site.city}" if site else title,
        description=f"{title}. A fictional need of the demo programme “{programme.title}”, already carried out.",
        content_language="en",
        profession=profile.profession,
        places=1,
        mode=Mode.ONSITE if site else Mode.REMOTE,
        host_site=site,
        window_start=start,
        window_end=end,
        min_duration_days=DAYS_ON_SITE,
        hours_per_week=0 if site else 4,
        application_deadline=start - datetime.timedelta(days=30),
        status=Need.Status.FILLED,
        filled_at=timezone.now(),
    )
    accepted_at = timezone.now() - datetime.timedelta(days=(today - start).days + 30)
    application = Application.objects.create(
        need=need,
        volunteer=profile,
        proposed_start=start,
        proposed_end=end,
        status=Application.Status.ACCEPTED,
        offered_at=accepted_at,
        accepted_at=accepted_at,
    )
    Placement.objects.create(
        application=application,
        need=need,
        volunteer=profile,
        mode=need.mode,
        start_date=start,
        end_date=end,
        hours_per_week=need.hours_per_week,
    )
    application_complete(application=application, by=membership.user, today=today)
    return profile
