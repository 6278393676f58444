"""Credentials valid through a placement's real dates, and the warnings around an offer.

- Every credential a need requires (Need.credential_requirements) must be verified and valid through the
  placement's last day (placement_dates_for: the volunteer's proposed end, else the need's) when an offer
  is made and again when it is accepted: a credential may expire, be rejected or be replaced in between.
  The refusal names the credential and its expiry, in the coordinator's words at offer time and in the
  volunteer's at accept time; the volunteer is e-mailed what to renew when an offer is refused for it, and
  their dashboard lists it.
- A verified credential that expires before the end of an accepted placement warns both sides 60 and 14
  days ahead (a daily task). Each warning is a notification keyed by placement, credential, threshold and
  recipient: the outbox's unique event key is the record that it went, so a rerun sends nothing twice.
- Making an offer to a volunteer who is already on site elsewhere on those dates is allowed (they choose
  when they answer) but the coordinator is warned.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notifications.services import absolute_url, notify
from programmes.electives import elective_for
from programmes.models import Need
from volunteers.models import LICENCE_TO_PRACTISE, Credential, Profession, VolunteerProfile
from volunteers.selectors import CredentialShortfall, credential_shortfalls

from .emails import application_coordinators, application_volunteer_label
from .models import Application, Placement
from .selectors import onsite_placements_overlapping, placement_dates_for

logger = logging.getLogger(__name__)

# How many days before a credential's expiry the two sides of a placement it does not last through are warned.
EXPIRY_WARNING_THRESHOLDS = (60, 14)


class CredentialRefusal(ValidationError):
    """An offer (or its acceptance) refused for credentials not valid through the placement's end."""

    code = "credential_not_valid"  # a list of messages has no code of its own; a match round reads this one

    def __init__(self, messages: list[str], *, shortfalls: list[CredentialShortfall]):
        super().__init__([ValidationError(message, code=self.code) for message in messages])
        self.shortfalls = shortfalls


def credential_requirements_for(*, need: Need, volunteer: VolunteerProfile) -> list[str]:
    """What `need` requires of `volunteer`: a medical student on an elective takes part without a licence to
    practise (their home institution's letter stands for it, placements.electives)."""
    requirements = need.credential_requirements
    if LICENCE_TO_PRACTISE in requirements and volunteer.profession == Profession.STUDENT and elective_for(need):
        return [requirement for requirement in requirements if requirement != LICENCE_TO_PRACTISE]
    return requirements


def application_credential_shortfalls(
    application: Application, *, credentials: list[Credential] | None = None, through: datetime.date | None = None
) -> list[CredentialShortfall]:
    """The credentials the application's need requires that its volunteer has not verified through the end
    of the placement it would make (or `through`, a placement's end)."""
    if application.volunteer is None:
        return []
    requirements = credential_requirements_for(need=application.need, volunteer=application.volunteer)
    if not requirements:
        return []
    return credential_shortfalls(
        profile=application.volunteer,
        requirements=requirements,
        through=through or placement_dates_for(application)[1],
        credentials=credentials,
    )


def credential_offer_refusal(*, application: Application) -> ValidationError | None:
    """Why `application` may not be offered for its volunteer's credentials, or None."""
    try:
        credential_check_offer(application=application)
    except CredentialRefusal as refusal:
        return refusal
    return None


def verified_credentials_for_offers(applications: Iterable[Application]) -> dict[int, list[Credential]]:
    """The verified credentials of the volunteers of `applications` whose need requires some, by profile id,
    in one query (none when no need requires any): what `credential_check_offer` would read offer by offer.
    A volunteer with none is not in the mapping: look them up with `.get(profile_id, [])`. The
    applications come with their need."""
    profile_ids = {
        application.volunteer_id
        for application in applications
        if application.volunteer_id is not None and application.need.credential_requirements
    }
    by_profile: dict[int, list[Credential]] = defaultdict(list)
    if profile_ids:
        for credential in Credential.objects.filter(profile_id__in=profile_ids, status=Credential.Status.VERIFIED):
            by_profile[credential.profile_id].append(credential)
    return by_profile


def shortfall_for_coordinator(shortfall: CredentialShortfall, *, volunteer: str, today: datetime.date) -> str:
    values = {
        "volunteer": volunteer,
        "credential": shortfall.label,
        "end": date_format(shortfall.through),
        "expiry": date_format(shortfall.expires_on) if shortfall.expires_on else "",
    }
    if shortfall.expires_on is None:
        return (
            _(
                "%(volunteer)s has no verified %(credential)s, which this need requires until the placement ends "
                "on %(end)s. They are told what to upload."
            )
            % values
        )
    if shortfall.expires_on < today:
        return (
            _(
                "The %(credential)s of %(volunteer)s expired on %(expiry)s; this need requires it until the "
                "placement ends on %(end)s. They are told to renew it."
            )
            % values
        )
    return (
        _(
            "The %(credential)s of %(volunteer)s expires on %(expiry)s, before the placement ends on %(end)s. "
            "They are told to renew it."
        )
        % values
    )


def shortfall_for_volunteer(shortfall: CredentialShortfall, *, today: datetime.date, accepted: bool = False) -> str:
    """In the volunteer's words; `accepted` for a placement already accepted, where nothing waits on an offer."""
    values = {
        "credential": shortfall.label,
        "end": date_format(shortfall.through),
        "expiry": date_format(shortfall.expires_on) if shortfall.expires_on else "",
    }
    if shortfall.expires_on is None and accepted:
        return (
            _(
                "You have no verified %(credential)s, which is required until the placement ends on %(end)s: "
                "upload it with your credentials; it is verified before the placement starts."
            )
            % values
        )
    if shortfall.expires_on is None:
        return (
            _(
                "You have no verified %(credential)s, which is required until the placement ends on %(end)s: "
                "upload it with your credentials; it is verified before the offer can go ahead."
            )
            % values
        )
    if shortfall.expires_on < today:
        return (
            _(
                "Your %(credential)s expired on %(expiry)s and is required until the placement ends on %(end)s: "
                "renew it and upload the new one."
            )
            % values
        )
    return (
        _(
            "Your %(credential)s expires on %(expiry)s, before the placement ends on %(end)s: renew it and "
            "upload the new one."
        )
        % values
    )


def credential_check_offer(
    *, application: Application, today: datetime.date | None = None, credentials: list[Credential] | None = None
) -> None:
    """Refuse an offer (in the coordinator's words) when a required credential is not valid through the end.
    `credentials`: the volunteer's verified ones when already loaded, else they are read."""
    today = today or timezone.localdate()
    shortfalls = application_credential_shortfalls(application, credentials=credentials)
    if shortfalls:
        volunteer = application_volunteer_label(application)
        raise CredentialRefusal(
            [shortfall_for_coordinator(shortfall, volunteer=volunteer, today=today) for shortfall in shortfalls],
            shortfalls=shortfalls,
        )


def credential_check_accept(*, application: Application, today: datetime.date | None = None) -> None:
    """Refuse an acceptance (in the volunteer's words) when a required credential is not valid through the end."""
    today = today or timezone.localdate()
    shortfalls = application_credential_shortfalls(application)
    if shortfalls:
        messages = [shortfall_for_volunteer(shortfall, today=today) for shortfall in shortfalls]
        raise CredentialRefusal([_("You cannot accept this offer yet."), *messages], shortfalls=shortfalls)


def _shortfall_context(shortfalls: list[CredentialShortfall]) -> list[dict[str, str]]:
    return [
        {
            "requirement": shortfall.requirement,
            "expires_on": shortfall.expires_on.isoformat() if shortfall.expires_on else "",
        }
        for shortfall in shortfalls
    ]


def notify_credentials_to_renew(*, application: Application, shortfalls: list[CredentialShortfall]) -> None:
    """E-mail the volunteer what to renew or upload after an offer was refused for it. The same credentials
    in the same state are told once, however often the coordinator tries."""
    volunteer = application.volunteer
    if volunteer is None or not shortfalls:
        return
    need = application.need
    _start, end = placement_dates_for(application)
    state = "-".join(
        f"{shortfall.requirement}.{shortfall.credential.pk if shortfall.credential else 0}" for shortfall in shortfalls
    )
    notify(
        kind="credentials_to_renew",
        event_key=f"credentials-to-renew:{application.pk}:{state}",
        recipient=volunteer.user,
        context={
            "need_title": need.title,
            "organisation_name": str(need.programme.lead_organisation),
            "end": end.isoformat(),
            "shortfalls": _shortfall_context(shortfalls),
            "credentials_url": absolute_url(reverse("volunteers:credentials")),
            "dashboard_url": absolute_url(reverse("placements:dashboard")),
        },
    )
    logger.info("Told the volunteer of application %s which credentials to renew", application.pk)


# --------------------------------------------------------------------------------------------------
# Warnings for the coordinator before an offer
# --------------------------------------------------------------------------------------------------


def offer_overlap_warning(*, application: Application) -> str:
    """A warning (not a refusal) when the volunteer is already on site elsewhere during an on-site offer's
    dates; "" otherwise. The accept is refused if it still overlaps then (services.offer_accept)."""
    if application.volunteer is None or not application.need.needs_host_site:
        return ""
    start, end = placement_dates_for(application)
    clash = (
        onsite_placements_overlapping(volunteer=application.volunteer, start=start, end=end)
        .exclude(application_id=application.pk)
        .select_related("need")
        .order_by("start_date", "pk")
        .first()
    )
    if clash is None:
        return ""
    return overlap_warning(volunteer=application_volunteer_label(application), clash=clash)


def overlap_warning(*, volunteer: str, clash: Placement) -> str:
    return _(
        "%(volunteer)s is already on site for “%(other)s” from %(other_start)s to %(other_end)s, which overlaps "
        "these dates: they cannot accept unless one of the two changes."
    ) % {
        "volunteer": volunteer,
        "other": clash.need.title,
        "other_start": date_format(clash.start_date),
        "other_end": date_format(clash.end_date),
    }


def offer_warnings(*, application: Application, today: datetime.date | None = None) -> list[str]:
    """What a coordinator should know before offering a place to `application`: the credentials that would
    refuse the offer, and an overlapping placement that would refuse the acceptance."""
    today = today or timezone.localdate()
    volunteer = application_volunteer_label(application) if application.volunteer is not None else ""
    warnings = [
        shortfall_for_coordinator(shortfall, volunteer=volunteer, today=today)
        for shortfall in application_credential_shortfalls(application)
    ]
    overlap = offer_overlap_warning(application=application)
    return [*warnings, overlap] if overlap else warnings


# --------------------------------------------------------------------------------------------------
# The volunteer's dashboard: what to renew
# --------------------------------------------------------------------------------------------------


def credentials_to_renew_for(*, profile: VolunteerProfile, today: datetime.date | None = None) -> list[dict]:
    """For the volunteer's applications still going and accepted placements not over, each need with what
    its required credentials lack through the end of the placement: [{"need": …, "messages": […]}].
    Two queries."""
    today = today or timezone.localdate()
    applications = [
        application
        for application in Application.objects.for_volunteer(profile)
        .filter(status__in=[*Application.UNDECIDED_STATUSES, Application.Status.ACCEPTED])
        .select_related("need", "placement")
        .order_by("pk")
        if application.need.credential_requirements
    ]
    if not applications:
        return []
    credentials = list(Credential.objects.filter(profile=profile, status=Credential.Status.VERIFIED))
    rows = []
    for application in applications:
        application.volunteer = profile
        placement = getattr(application, "placement", None)
        if placement is not None and placement.end_date < today:
            continue
        shortfalls = application_credential_shortfalls(
            application, credentials=credentials, through=placement.end_date if placement is not None else None
        )
        if shortfalls:
            rows.append(
                {
                    "need": application.need,
                    "messages": [
                        shortfall_for_volunteer(
                            shortfall, today=today, accepted=application.status == Application.Status.ACCEPTED
                        )
                        for shortfall in shortfalls
                    ],
                }
            )
    return rows


# --------------------------------------------------------------------------------------------------
# The daily warnings: a credential that expires before an accepted placement ends
# --------------------------------------------------------------------------------------------------


def credential_expiry_warnings_send(*, today: datetime.date | None = None) -> int:
    """Warn the volunteer and the need's coordinators of each accepted placement not over yet that a
    credential its need requires expires before the placement ends, when that is 60 days away or fewer
    (the 60-day warning) and 14 days away or fewer (the 14-day one; only that one when the first run finds
    it that close). A renewed credential, verified and lasting long enough, stops the warnings.

    Returns how many e-mails were recorded; running it again sends nothing twice (the event keys).
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(EXPIRY_WARNING_THRESHOLDS))
    expiring = Credential.objects.verified().filter(expires_on__gte=today, expires_on__lte=horizon)
    placements = list(
        Placement.objects.filter(
            application__status=Application.Status.ACCEPTED,
            completed_at__isnull=True,
            end_date__gte=today,
            volunteer_id__in=expiring.values("profile_id"),
        )
        .select_related("application", "need__programme__lead_organisation", "volunteer__user")
        .order_by("pk")
    )
    if not placements:
        return 0
    credentials: dict[int, list[Credential]] = defaultdict(list)
    for credential in Credential.objects.verified().filter(profile_id__in={p.volunteer_id for p in placements}):
        credentials[credential.profile_id].append(credential)
    sent = 0
    with transaction.atomic():
        for placement in placements:
            application = placement.application
            application.need, application.volunteer = placement.need, placement.volunteer
            shortfalls = application_credential_shortfalls(
                application, credentials=credentials[placement.volunteer_id], through=placement.end_date
            )
            for shortfall in shortfalls:
                if shortfall.expires_on is None or not today <= shortfall.expires_on <= horizon:
                    continue
                days_left = (shortfall.expires_on - today).days
                threshold = min(threshold for threshold in EXPIRY_WARNING_THRESHOLDS if days_left <= threshold)
                sent += _warn_expiry(placement, shortfall, threshold=threshold, days_left=days_left)
    if sent:
        logger.info("Recorded %s warnings of credentials expiring during placements", sent)
    return sent


def _warn_expiry(placement: Placement, shortfall: CredentialShortfall, *, threshold: int, days_left: int) -> int:
    application = placement.application
    need = placement.need
    key = f"credential-expiring:{placement.pk}:{shortfall.credential.pk}:{threshold}"
    context = {
        "need_title": need.title,
        "organisation_name": str(need.programme.lead_organisation),
        "requirement": shortfall.requirement,
        "expires_on": shortfall.expires_on.isoformat(),
        "days_left": days_left,
        "start": placement.start_date.isoformat(),
        "end": placement.end_date.isoformat(),
    }
    sent = 0
    volunteer_context = {
        **context,
        "credentials_url": absolute_url(reverse("volunteers:credentials")),
        "dashboard_url": absolute_url(reverse("placements:dashboard")),
    }
    if notify(
        kind="credential_expiring",
        event_key=f"{key}:volunteer",
        recipient=placement.volunteer.user,
        context=volunteer_context,
    ):
        sent += 1
    coordinator_context = {
        **context,
        "volunteer_name": application_volunteer_label(application),
        "application_url": absolute_url(reverse("placements:pipeline-application", args=[application.pk])),
    }
    for user in application_coordinators(need=need):
        if notify(
            kind="credential_expiring_coordinator",
            event_key=f"{key}:organisation:{user.pk}",
            recipient=user,
            context=coordinator_context,
        ):
            sent += 1
    return sent
