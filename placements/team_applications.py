"""A volunteer and a team on rotations: applying to a role in ranked rotations, and the teammates confirmed on
the rotations they accepted.

Each rotation's slot is a need (programmes.teams), so applying makes one ordinary application per rotation,
through `services.application_submit`, with the volunteer's rank beside it.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notifications.services import absolute_url, notify
from programmes.teams import Rotation, TeamNeed, TeamRole, TeamSlot
from volunteers.models import VolunteerProfile
from volunteers.selectors import volunteer_label

from .models import Application
from .rotations import RotationChoice
from .services import application_submit

logger = logging.getLogger(__name__)


def team_apply(
    *, volunteer: VolunteerProfile, role: TeamRole, rotations: list[Rotation], message: str
) -> list[Application]:
    """Apply to ``role`` on each of ``rotations``, in the volunteer's order of preference (first = 1).

    Refused with a readable ValidationError when no rotation is chosen, the role is not the volunteer's
    profession, or any one application would be (`application_submit`): then none is made.
    """
    if not rotations:
        raise ValidationError(_("Choose at least one rotation."), code="no_rotation")
    if volunteer.profession != role.profession:
        raise ValidationError(
            _("This role is for: %(profession)s. Choose the role of your profession.")
            % {"profession": role.get_profession_display()},
            code="other_profession",
        )
    slots = {
        slot.rotation_id: slot
        for slot in TeamSlot.objects.filter(role=role, rotation__in=rotations).select_related(
            "need__programme__lead_organisation", "rotation"
        )
    }
    applications = []
    with transaction.atomic():
        for rank, rotation in enumerate(rotations, start=1):
            slot = slots.get(rotation.pk)
            if slot is None:
                raise ValidationError(_("This rotation has no place for this role."), code="no_slot")
            try:
                application = application_submit(
                    volunteer=volunteer,
                    need=slot.need,
                    message=message,
                    proposed_start=rotation.start_date,
                    proposed_end=rotation.end_date,
                )
            except ValidationError as error:
                when = date_format(rotation.start_date)
                raise ValidationError(
                    _("The rotation from %(start)s: %(reason)s") % {"start": when, "reason": " ".join(error.messages)},
                    code="rotation_refused",
                ) from error
            RotationChoice.objects.create(application=application, rank=rank)
            applications.append(application)
        _notify_team_application(volunteer=volunteer, role=role, rotations=rotations, first=applications[0])
    logger.info("Volunteer profile %s applied to team role %s on %s rotations", volunteer.pk, role.pk, len(rotations))
    return applications


def _notify_team_application(
    *, volunteer: VolunteerProfile, role: TeamRole, rotations: list[Rotation], first: Application
) -> None:
    team = role.team
    notify(
        kind="team_application",
        event_key=f"team-application:{first.pk}",
        recipient=volunteer.user,
        context={
            "team_title": team.title,
            "programme_title": team.programme.title,
            "role": role.get_profession_display(),
            "rotations": [rotation.start_date.isoformat() for rotation in rotations],
            "team_url": absolute_url(reverse("placements:team-detail", args=[team.pk])),
        },
    )


# Reads


@dataclass
class TeamApplicationRow:
    application: Application
    rotation: Rotation
    rank: int | None


def team_applications_for(*, profile: VolunteerProfile | None, team: TeamNeed) -> list[TeamApplicationRow]:
    """The volunteer's applications to the team's slots, most recent first, with the rotation and rank."""
    if profile is None:
        return []
    applications = (
        Application.objects.filter(volunteer=profile, need__team_slot__rotation__team=team)
        .select_related("need__team_slot__rotation", "need__team_slot__role", "rotation_choice")
        .order_by("need__team_slot__rotation__start_date")
    )
    rows = []
    for application in applications:
        choice = getattr(application, "rotation_choice", None)
        rows.append(
            TeamApplicationRow(
                application=application,
                rotation=application.need.team_slot.rotation,
                rank=choice.rank if choice else None,
            )
        )
    return rows


def rotation_confirmed_for(*, profile: VolunteerProfile | None, rotation: Rotation) -> bool:
    """Whether the volunteer holds an accepted (or completed) place on the rotation."""
    if profile is None:
        return False
    return Application.objects.taking_place().filter(volunteer=profile, need__team_slot__rotation=rotation).exists()


@dataclass
class Teammate:
    name: str
    role: str
    is_you: bool


def rotation_teammates(*, rotation: Rotation, profile: VolunteerProfile) -> list[Teammate]:
    """Who is confirmed on the rotation, by role: a teammate is named only if they consent to be shown
    (volunteers.selectors.volunteer_label), otherwise "Volunteer #n"."""
    applications = (
        Application.objects.taking_place()
        .filter(need__team_slot__rotation=rotation)
        .select_related("volunteer__user", "need__team_slot__role")
        .order_by("need__team_slot__role__pk", "pk")
    )
    return [
        Teammate(
            name=volunteer_label(volunteer=application.volunteer, number=application.pk),
            role=application.need.team_slot.role.get_profession_display(),
            is_you=application.volunteer_id == profile.pk,
        )
        for application in applications
    ]
