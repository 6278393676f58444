"""The weekly digest of new suitable opportunities (the task matcher.send_weekly_digests, Monday mornings)."""

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from notifications.selectors import user_ids_with_preference
from notifications.services import absolute_url, notify
from placements.models import Application
from programmes.models import Mode, Need
from programmes.selectors import need_listed_queryset
from volunteers.models import VolunteerProfile

from . import fit

logger = logging.getLogger(__name__)

DIGEST_MAX_NEEDS = 10


def _digest_need(need: Need) -> dict[str, str]:
    if need.host_site_id:
        where = f"{need.host_site.city}, {need.host_site.country.name}"
    else:
        where = str(Mode(need.mode).label)
    return {
        "title": need.title,
        "title_language": need.written_in,
        "organisation": str(need.programme.lead_organisation),
        "where": where,
        "mode": str(Mode(need.mode).label),
        "window_start": date_format(need.window_start, "DATE_FORMAT"),
        "window_end": date_format(need.window_end, "DATE_FORMAT"),
        "deadline": date_format(need.application_deadline, "DATE_FORMAT") if need.application_deadline else "",
        "url": absolute_url(need.get_absolute_url()),
    }


def digests_weekly_send(*, today: datetime.date | None = None) -> int:
    """E-mail each onboarded volunteer who asked for the weekly digest the listed needs posted in the
    last seven days that fit them (matcher.fit: eligible only, best fit first, at most
    DIGEST_MAX_NEEDS, leaving out needs they already applied to). Volunteers with nothing new that
    fits get no e-mail. Returns how many digests were queued.

    The event key names the ISO week, so a second run in the same week (a retried task, a
    redelivered one) queues nothing more.
    """
    today = today or timezone.localdate()
    since = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time.min))
    new_needs = {
        need.pk: need
        for need in need_listed_queryset(today=today)
        .filter(created_at__gte=since)
        .select_related("programme__lead_organisation", "host_site")
    }
    if not new_needs:
        return 0
    # A fixed set for every volunteer, even if a need is posted while the digests go out.
    candidates = Need.objects.filter(pk__in=list(new_needs))
    profiles = VolunteerProfile.objects.filter(
        onboarding_completed_at__isnull=False,
        profession__in={need.profession for need in new_needs.values()},
        user__is_active=True,
        user_id__in=user_ids_with_preference(preference="weekly_digest"),
    )
    applied: dict[int, set[int]] = {}
    applications = Application.objects.filter(need_id__in=list(new_needs), volunteer__in=profiles)
    for volunteer_id, need_id in applications.values_list("volunteer_id", "need_id"):
        applied.setdefault(volunteer_id, set()).add(need_id)
    iso_year, iso_week, _weekday = today.isocalendar()
    opportunities_url = absolute_url(reverse("programmes:opportunity-list"))
    queued = 0
    for profile in profiles.select_related("user").order_by("pk").iterator(chunk_size=500):
        scores = fit.need_fit_scores(volunteer=fit.volunteer_data(profile), needs=candidates)
        for need_id in applied.get(profile.pk, ()):
            scores.pop(need_id, None)
        if not scores:
            continue
        best = sorted(scores, key=lambda pk: (-scores[pk], -new_needs[pk].created_at.timestamp(), pk))
        needs = [_digest_need(new_needs[pk]) for pk in best[:DIGEST_MAX_NEEDS]]
        with transaction.atomic():
            notification = notify(
                kind="weekly_digest",
                event_key=f"weekly-digest:{profile.user.pk}:{iso_year}-W{iso_week}",
                recipient=profile.user,
                context={
                    "needs": needs,
                    "count": len(needs),
                    "week": f"{iso_year}-W{iso_week:02d}",
                    "opportunities_url": opportunities_url,
                },
            )
        queued += notification is not None
    logger.info("Queued %s weekly digests for %s-W%s", queued, iso_year, iso_week)
    return queued
