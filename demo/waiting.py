"""Demo waiting list and conversation: one demo need with its only place offered, two volunteers on its
waiting list, and a short exchange between its coordinator and the volunteer offered the place, one message
read and the reply not yet.

Called from demo.loader.demo_data_replace once the demo needs exist; everything hangs off demo accounts and
organisations, so demo_data_delete removes it with the rest.
"""

import datetime

from django.utils import timezone

from conversations.services import message_post
from conversations.subjects import Subject
from organisations.models import Membership
from placements.models import Application
from placements.waiting_list_services import waiting_list_join
from programmes.models import Need, Programme
from volunteers.models import VolunteerProfile

WAITING = 2
MESSAGES = (
    "coordinator",
    "Hello, we have offered you the place. Could you confirm your dates before the end of the month?",
    "volunteer",
    "Thank you! I can confirm the dates I proposed, and I will upload my licence this week.",
)


def demo_waiting_list(*, programmes: list[Programme], today: datetime.date) -> dict[str, int]:
    """Fill one running single-place need of `programmes` (its place offered), put WAITING volunteers on its
    waiting list and start the thread of the offered application. Nothing when the demo has no such need or
    too few volunteers who agree to be shown to coordinators."""
    need = (
        Need.objects.filter(
            programme__in=programmes,
            programme__status=Programme.Status.PUBLISHED,
            status=Need.Status.OPEN,
            places=1,
            window_end__gte=today,
            application_deadline__gte=today,
        )
        .select_related("programme__lead_organisation")
        .order_by("pk")
        .first()
    )
    membership = (
        Membership.objects.filter(organisation=need.programme.lead_organisation, role=Membership.Role.COORDINATOR)
        .select_related("user")
        .first()
        if need
        else None
    )
    volunteers = VolunteerProfile.objects.filter(
        user__email__startswith="demo-volunteer-", consent_to_share=True, onboarding_completed_at__isnull=False
    ).select_related("user")
    # Those of the need's profession first: the offer and the best places on the list go to them.
    people = list(volunteers.filter(profession=need.profession).order_by("pk")[: WAITING + 1]) if need else []
    if need and len(people) < WAITING + 1:
        people += list(volunteers.exclude(pk__in=[p.pk for p in people]).order_by("pk")[: WAITING + 1 - len(people)])
    if need is None or membership is None or len(people) < WAITING + 1:
        return {}

    offered, *waiting = people
    application = Application.objects.create(
        need=need,
        volunteer=offered,
        message="I would be glad to help during these dates.",
        proposed_start=need.window_start,
        proposed_end=need.window_start + datetime.timedelta(days=need.min_duration_days - 1),
        status=Application.Status.OFFERED,
        offered_at=timezone.now(),
    )
    for volunteer in waiting:
        waiting_list_join(volunteer=volunteer, need=need, today=today)

    # The volunteer replying reads the coordinator's message; the coordinator has not read the reply yet.
    authors = {"coordinator": membership.user, "volunteer": offered.user}
    subject = Subject(application=application)
    for side, body in zip(MESSAGES[::2], MESSAGES[1::2], strict=True):
        message_post(subject=subject, author=authors[side], body=body)
    return {"waiting list entries": len(waiting), "messages": len(MESSAGES) // 2}
