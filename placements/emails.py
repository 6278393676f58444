"""E-mails about applications and their needs, recorded with notifications.services.notify inside the
transaction of the change, so that they are sent once it commits and never twice for the same event."""

import datetime
import logging
from collections.abc import Callable, Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from globalir.accounts.models import User
from notifications.services import Email, absolute_url, notifications_context_scrub, notify, notify_many
from organisations.selectors import organisation_coordinators
from programmes.models import Need
from volunteers.selectors import volunteer_label

from .models import Application, Placement
from .selectors import need_counts_queryset, placement_dates_for
from .waiting_list import WaitingListEntry

logger = logging.getLogger(__name__)

DEADLINE_REMINDER_DAYS = 3


def application_coordinators(*, need: Need) -> list[User]:
    """The active coordinators and admins of the organisation that leads the need's programme."""
    organisation_id = need.programme.lead_organisation_id
    return organisation_coordinators(organisation_ids=[organisation_id]).get(organisation_id, [])


def application_volunteer_label(application: Application) -> str:
    """The application's volunteer as coordinators see them named (volunteers.selectors.volunteer_label)."""
    return volunteer_label(volunteer=application.volunteer, number=application.pk)


def _application_email_context(application: Application) -> dict[str, str]:
    """JSON context shared by the e-mails about one application. Never the coordinators' notes."""
    need = application.need
    programme = need.programme
    start, end = placement_dates_for(application)
    return {
        "need_title": need.title,
        "programme_title": programme.title,
        "organisation_name": str(programme.lead_organisation),
        "start": date_format(start),
        "end": date_format(end),
    }


# The e-mails to coordinators that name an application's volunteer ("volunteer_name" in their context):
# about the application, keyed "<event>:<application>:<coordinator>", asking for feedback on its
# placement, keyed "feedback-request:<placement>:organisation:<coordinator>" (placements.feedback), and
# warning of a credential expiring before its placement ends, keyed
# "credential-expiring:<placement>:<credential>:<days>:organisation:<coordinator>" (placements.credential_checks).
COORDINATOR_APPLICATION_EVENTS = ("application-received", "offer-accepted", "offer-declined")


def applications_coordinator_emails_rename(*, application_pks: Iterable[int], label_of: Callable[[int], str]) -> int:
    """Rename the volunteer in the recorded e-mails to coordinators about these applications, to
    ``label_of(application pk)``: when the account is erased, or consent to be shown is withdrawn, an
    e-mail sent again (or still waiting to be sent) no longer names them. Returns how many changed."""
    pks = sorted(set(application_pks))
    placements = Placement.objects.filter(application_id__in=pks).values_list("pk", "application_id")
    events = "|".join(COORDINATOR_APPLICATION_EVENTS)
    keys = [(rf"^({events}):{pk}:[0-9]+$", pk) for pk in pks]
    keys += [(rf"^feedback-request:{placement_pk}:organisation:[0-9]+$", pk) for placement_pk, pk in placements]
    # The warnings of a credential expiring before the placement ends (placements.credential_checks).
    keys += [
        (rf"^credential-expiring:{placement_pk}:[0-9]+:[0-9]+:organisation:[0-9]+$", pk)
        for placement_pk, pk in placements
    ]
    return sum(
        notifications_context_scrub(event_key_regex=regex, keys=["volunteer_name"], replacement=label_of(pk))
        for regex, pk in keys
    )


def _notify_coordinators(application: Application, *, kind: str, event: str, **extra: str) -> None:
    context = {
        **_application_email_context(application),
        **extra,
        "volunteer_name": application_volunteer_label(application),
        "application_url": absolute_url(reverse("placements:pipeline-application", args=[application.pk])),
        "pipeline_url": absolute_url(reverse("placements:pipeline", args=[application.need_id])),
    }
    for user in application_coordinators(need=application.need):
        notify(kind=kind, event_key=f"{event}:{application.pk}:{user.pk}", recipient=user, context=context)


def _notify_volunteer(application: Application, *, kind: str, event: str, **extra: str) -> None:
    volunteer = application.volunteer
    if volunteer is None:
        return
    context = {
        **_application_email_context(application),
        "dashboard_url": absolute_url(reverse("placements:dashboard")),
        **extra,
    }
    notify(kind=kind, event_key=f"{event}:{application.pk}", recipient=volunteer.user, context=context)


def notify_application_received(application: Application) -> None:
    _notify_coordinators(application, kind="application_received", event="application-received")


def notify_offer_made(application: Application) -> None:
    # An application is offered at most once (OFFERED never comes back), so the key names the event.
    _notify_volunteer(application, kind="offer_made", event="offer-made")


def notify_offers_made(applications: Iterable[Application]) -> None:
    """`notify_offer_made` for many offers at once (a match round's), recorded as one batch. The
    applications come with their need's programme and organisation and their volunteer's user."""
    dashboard_url = absolute_url(reverse("placements:dashboard"))
    notify_many(
        emails=[
            Email(
                kind="offer_made",
                event_key=f"offer-made:{application.pk}",
                recipient=application.volunteer.user,
                context={**_application_email_context(application), "dashboard_url": dashboard_url},
            )
            for application in applications
            if application.volunteer is not None
        ]
    )


def notify_offer_answered(application: Application, *, kind: str, **extra: str) -> None:
    event = "offer-accepted" if kind == "offer_accepted" else "offer-declined"
    _notify_coordinators(application, kind=kind, event=event, **extra)


def notify_application_declined(application: Application) -> None:
    _notify_volunteer(
        application,
        kind="application_declined",
        event="application-declined",
        reason=application.decline_reason,
    )


def notify_waiting_list_place_free(application: Application) -> None:
    """Tell the need's coordinators that the place `application` held (an offer, a placement) is free again,
    when volunteers wait for one on its waiting list: they offer it to the first from the pipeline. The
    e-mail names nobody: the volunteer who gave the place up is none of the list's business."""
    need = application.need
    if need.status == Need.Status.CLOSED:
        return
    waiting = WaitingListEntry.objects.active().filter(need=need).count()
    if not waiting:
        return
    context = {
        "need_title": need.title,
        "programme_title": need.programme.title,
        "organisation_name": str(need.programme.lead_organisation),
        "waiting": waiting,
        "pipeline_url": absolute_url(reverse("placements:pipeline", args=[need.pk])),
    }
    # An application gives up its place once (its closed statuses are final), so the key names the event.
    for user in application_coordinators(need=need):
        notify(
            kind="waiting_list_place_free",
            event_key=f"waiting-list-place-free:{application.pk}:{user.pk}",
            recipient=user,
            context=context,
        )


# The reminder of an application deadline, to the need's coordinators, with its pipeline so far.


def needs_deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail each coordinator of the lead organisation of every listed open need whose application
    deadline is exactly DEADLINE_REMINDER_DAYS days away, with its applications so far and the
    link to its pipeline.

    Returns how many e-mails were recorded. The event key names the need, the deadline and the
    coordinator, so running it again the same day (or after a retry) sends nothing twice, while a
    deadline moved later gets its own reminder.
    """
    today = today or timezone.localdate()
    deadline = today + datetime.timedelta(days=DEADLINE_REMINDER_DAYS)
    needs = list(
        need_counts_queryset(
            Need.objects.listed()
            .filter(application_deadline=deadline)
            .select_related("programme__lead_organisation")
            .only(
                "title",
                "places",
                "application_deadline",
                "programme__title",
                "programme__lead_organisation__name",
                "programme__lead_organisation__acronym",
            )
        ).order_by("pk")
    )
    if not needs:
        return 0
    coordinators = organisation_coordinators(organisation_ids={need.programme.lead_organisation_id for need in needs})
    sent = 0
    with transaction.atomic():
        for need in needs:
            context = {
                "need_title": need.title,
                "programme_title": need.programme.title,
                "organisation_name": str(need.programme.lead_organisation),
                "deadline": date_format(deadline),
                "days_left": DEADLINE_REMINDER_DAYS,
                "places": need.places,
                "places_left": need.places_left,
                "interested": need.interested_count,
                "shortlisted": need.shortlisted_count,
                "offered": need.offered_count,
                "accepted": need.taken_count,
                "applications": need.interested_count + need.shortlisted_count + need.offered_count + need.taken_count,
                "pipeline_url": absolute_url(reverse("placements:pipeline", kwargs={"pk": need.pk})),
                "edit_url": absolute_url(reverse("programmes:need-edit", kwargs={"pk": need.pk})),
            }
            for user in coordinators.get(need.programme.lead_organisation_id, []):
                notification = notify(
                    kind="deadline_soon",
                    event_key=f"deadline-soon:{need.pk}:{deadline.isoformat()}:{user.pk}",
                    recipient=user,
                    context=context,
                )
                if notification is not None:
                    sent += 1
    if sent:
        logger.info("Recorded %s deadline reminders for needs due on %s", sent, deadline)
    return sent
