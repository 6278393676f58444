"""Invitations to speak: sent by an organisation's coordinator to a speaker of the bureau, answered by the
speaker. E-mails go both ways, each in its recipient's language; an accepted invitation joins the speaker's
record of placements and their calendar feed."""

import datetime
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from notifications.services import absolute_url, notifications_context_scrub, notify
from organisations.models import Organisation
from organisations.selectors import membership_role, organisation_coordinators
from volunteers.models import VolunteerProfile
from volunteers.speaker_selectors import speaker_listed_by_pk
from volunteers.speakers import SpeakerProfile

from .calendar import CalendarEvent
from .talks import SpeakingInvitation, TalkFormat

logger = logging.getLogger(__name__)

INVITATION_FIELDS = ("event", "topic", "date", "format", "location", "audience", "message")
# The e-mails to coordinators that name the speaker ("speaker_name" in their context).
COORDINATOR_TALK_EVENTS = ("talk-accepted", "talk-declined")


# Writes


def speaking_invitation_send(
    *,
    organisation: Organisation,
    speaker: SpeakerProfile,
    by: User,
    data: Mapping[str, Any],
    today: datetime.date | None = None,
) -> SpeakingInvitation:
    """Invite a listed speaker to speak for `organisation`, and e-mail them. Refused with a readable
    ValidationError when the speaker has left the bureau or the date has passed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        listed = speaker_listed_by_pk(pk=speaker.pk)
        if listed is None:
            raise ValidationError(_("This speaker is no longer in the Speakers Bureau."), code="not_listed")
        if data.get("date") and data["date"] < today:
            raise ValidationError({"date": _("Choose a date from today on.")}, code="past")
        invitation = SpeakingInvitation(
            organisation=organisation,
            invited_by=by,
            speaker=listed.profile,
            **{name: data.get(name, "") for name in INVITATION_FIELDS},
        )
        if invitation.format == TalkFormat.REMOTE:
            invitation.location = ""
        invitation.full_clean()
        invitation.save()
        _notify_speaker(invitation)
    logger.info("Organisation %s invited speaker %s to speak (%s)", organisation.pk, speaker.pk, invitation.pk)
    return invitation


def _answer(invitation: SpeakingInvitation, *, by: User, status: str, reason: str = "") -> SpeakingInvitation:
    with transaction.atomic():
        invitation = SpeakingInvitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
        speaker = VolunteerProfile.objects.filter(pk=invitation.speaker_id).select_related("user").first()
        if speaker is None or speaker.user_id != by.pk:
            raise PermissionDenied(_("Only the invited speaker can answer this invitation."))
        if not invitation.is_pending:
            raise ValidationError(
                _("This invitation has already been answered (%(status)s).")
                % {"status": invitation.get_status_display()},
                code="answered",
            )
        invitation.status = status
        invitation.decline_reason = reason
        invitation.answered_at = timezone.now()
        invitation.full_clean()
        invitation.save()
        invitation.speaker = speaker
        _notify_organisation(invitation)
    logger.info("Speaker %s answered invitation %s: %s", speaker.pk, invitation.pk, status)
    return invitation


def speaking_invitation_accept(*, invitation: SpeakingInvitation, by: User) -> SpeakingInvitation:
    """The speaker accepts: the talk joins their placements and calendar, and the organisation is told."""
    return _answer(invitation, by=by, status=SpeakingInvitation.Status.ACCEPTED)


def speaking_invitation_decline(*, invitation: SpeakingInvitation, by: User, reason: str = "") -> SpeakingInvitation:
    """The speaker declines, optionally saying why; the organisation is told."""
    return _answer(invitation, by=by, status=SpeakingInvitation.Status.DECLINED, reason=reason.strip())


def speaking_invitations_erase(*, profile: VolunteerProfile) -> int:
    """Part of erasing the speaker's account: invitations still waiting are withdrawn, the words about the
    speaker go (their reason for declining, the message to them), and e-mails to coordinators that named them
    no longer do. The invitations stay, without the speaker, for the organisation's history."""
    mine = SpeakingInvitation.objects.filter(speaker=profile)
    withdrawn = mine.pending().update(status=SpeakingInvitation.Status.WITHDRAWN, answered_at=timezone.now())
    pks = list(mine.values_list("pk", flat=True))
    mine.update(decline_reason="", message="")
    events = "|".join(COORDINATOR_TALK_EVENTS)
    former = str(_("A former volunteer"))
    for pk in pks:
        about_them = rf"^({events}):{pk}:[0-9]+$"
        notifications_context_scrub(
            event_key_regex=about_them, keys=["speaker_name", "speaker_email"], replacement=former
        )
        notifications_context_scrub(event_key_regex=about_them, keys=["reason"], replacement="")
    return withdrawn


# E-mails


def _context(invitation: SpeakingInvitation) -> dict[str, str]:
    return {
        "organisation_name": str(invitation.organisation),
        "event": invitation.event,
        "topic": invitation.topic,
        "date": invitation.date.isoformat(),  # written in the recipient's language by the template
        "format": invitation.format,
        "location": invitation.location,
        "audience": invitation.audience,
    }


def _notify_speaker(invitation: SpeakingInvitation) -> None:
    notify(
        kind="speaking_invitation",
        event_key=f"talk-invited:{invitation.pk}",
        recipient=invitation.speaker.user,
        context={
            **_context(invitation),
            "message": invitation.message,
            "invitation_url": absolute_url(reverse("placements:talk-detail", args=[invitation.pk])),
        },
    )


def _talk_coordinators(invitation: SpeakingInvitation) -> list[User]:
    """Who hears the answer: the coordinator who invited, while still a member; otherwise every coordinator."""
    inviter = invitation.invited_by
    organisation = invitation.organisation
    if inviter is not None and inviter.is_active and membership_role(user=inviter, organisation=organisation):
        return [inviter]
    return organisation_coordinators(organisation_ids=[invitation.organisation_id]).get(invitation.organisation_id, [])


def _notify_organisation(invitation: SpeakingInvitation) -> None:
    accepted = invitation.status == SpeakingInvitation.Status.ACCEPTED
    event = "talk-accepted" if accepted else "talk-declined"
    context = {
        **_context(invitation),
        "speaker_name": invitation.speaker.display_name,
        "talks_url": absolute_url(reverse("placements:talk-list", args=[invitation.organisation.slug])),
    }
    if accepted:
        # Accepting shares the speaker's address with the organisation, as the invitation page says.
        context["speaker_email"] = invitation.speaker.user.email
    else:
        context["reason"] = invitation.decline_reason
    kind = "speaking_invitation_accepted" if accepted else "speaking_invitation_declined"
    for user in _talk_coordinators(invitation):
        notify(kind=kind, event_key=f"{event}:{invitation.pk}:{user.pk}", recipient=user, context=context)


# Reads


def talk_queryset() -> QuerySet[SpeakingInvitation]:
    return SpeakingInvitation.objects.select_related("organisation", "speaker__user", "invited_by")


def talk_for_speaker(*, user: User, pk: int) -> SpeakingInvitation | None:
    """One of the signed-in speaker's invitations, or None (somebody else's is not theirs to see)."""
    return talk_queryset().filter(pk=pk, speaker__user=user).first()


def talks_pending_for(*, profile: VolunteerProfile) -> list[SpeakingInvitation]:
    return list(talk_queryset().filter(speaker=profile).pending().order_by("date", "pk"))


def talks_accepted_for(*, profile: VolunteerProfile, since: datetime.date | None = None) -> list[SpeakingInvitation]:
    """The speaker's accepted talks (from `since` on), soonest first: their placements as a speaker."""
    talks = talk_queryset().filter(speaker=profile).accepted()
    if since is not None:
        talks = talks.filter(date__gte=since)
    return list(talks.order_by("date", "pk"))


def talks_of_organisation(*, organisation: Organisation) -> QuerySet[SpeakingInvitation]:
    return talk_queryset().filter(organisation=organisation).order_by("-created_at", "-pk")


def talk_can_be_sent_by(*, user: User, organisation: Organisation) -> bool:
    """Only a verified organisation's coordinators (and site admins) search the bureau and invite speakers."""
    if organisation.status != Organisation.Status.VERIFIED:
        return False
    return user.is_staff or membership_role(user=user, organisation=organisation) is not None


# The calendar feed


def talk_event(invitation: SpeakingInvitation, *, url: str = "") -> CalendarEvent:
    location = _("Remote") if invitation.format == TalkFormat.REMOTE else invitation.location
    description = "\n".join(
        line
        for line in (
            _("Organisation: %(organisation)s") % {"organisation": invitation.organisation},
            _("Topic: %(topic)s") % {"topic": invitation.topic} if invitation.topic else "",
            _("Audience: %(audience)s") % {"audience": invitation.audience},
        )
        if line
    )
    return CalendarEvent(
        uid=f"talk-{invitation.pk}@globalir",
        first_day=invitation.date,
        last_day=invitation.date,
        summary=_("Talk: %(event)s") % {"event": invitation.event},
        stamp=invitation.updated_at,
        location=location,
        description=description,
        url=url,
    )


def talk_events(*, invitations: Iterable[SpeakingInvitation], url: str = "") -> list[CalendarEvent]:
    return [talk_event(invitation, url=url) for invitation in invitations]
