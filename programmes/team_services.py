"""Writes for teams on rotations: posting a team need, its roles and its rotations.

Every rotation × role gets its slot, backed by a need posted with `services.need_create` (the role's
profession, places, skills and credential; the rotation's dates; the team's host site), so that the slot
takes applications like any need. Roles and rotations can be added in any order: each addition makes the
slots it completes.
"""

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from globalir.accounts.models import User

from .models import Mode, Need, Programme
from .services import need_create
from .teams import Rotation, TeamNeed, TeamRole, TeamSlot

logger = logging.getLogger(__name__)

MAX_ROTATIONS = 26


def team_create(*, programme: Programme, data: dict[str, Any], by: User) -> TeamNeed:
    """Post a team need in ``programme``: title, description and host site (one of the organisation's)."""
    team = TeamNeed(
        programme=programme,
        title=data["title"].strip(),
        description=data.get("description", "").strip(),
        host_site=data["host_site"],
    )
    if team.host_site.organisation_id != programme.lead_organisation_id:
        raise ValidationError(
            {"host_site": _("Choose one of your organisation's sites; add yours on the Sites page if it is missing.")},
            code="foreign_site",
        )
    team.full_clean()
    team.save()
    logger.info("User %s posted team need %s in programme %s", by.pk, team.pk, programme.pk)
    return team


def _slot_create(*, rotation: Rotation, role: TeamRole, by: User) -> TeamSlot:
    team = rotation.team
    need = need_create(
        programme=team.programme,
        data={
            "title": f"{team.title}: {role.get_profession_display()}, {date_format(rotation.start_date)}",
            "description": team.description,
            # The slot is written by the team's text, in the programme's language.
            "content_language": team.programme.content_language,
            "profession": role.profession,
            "places": role.places,
            "mode": Mode.ONSITE,
            "host_site": team.host_site,
            "window_start": rotation.start_date,
            "window_end": rotation.end_date,
            "min_duration_days": rotation.days,
            "requires_verified_credential": role.requires_verified_credential,
            "required_skills": list(role.required_skills.all()),
        },
        by=by,
    )
    return TeamSlot.objects.create(rotation=rotation, role=role, need=need)


def team_role_add(*, team: TeamNeed, data: dict[str, Any], by: User) -> TeamRole:
    """Add a role (profession, places on each rotation, required skills and credential) and its slot on every
    rotation not over yet."""
    if team.roles.filter(profession=data["profession"]).exists():
        raise ValidationError({"profession": _("The team already has this role.")}, code="duplicate_role")
    role = TeamRole(
        team=team,
        profession=data["profession"],
        places=data["places"],
        requires_verified_credential=data.get("requires_verified_credential", False),
    )
    role.full_clean()
    today = timezone.localdate()
    with transaction.atomic():
        role.save()
        role.required_skills.set(data.get("required_skills") or [])
        for rotation in team.rotations.filter(end_date__gte=today):
            _slot_create(rotation=rotation, role=role, by=by)
    logger.info("User %s added role %s to team need %s", by.pk, role.pk, team.pk)
    return role


def team_rotations_add(
    *, team: TeamNeed, dates: list[tuple[datetime.date, datetime.date]], by: User, today: datetime.date | None = None
) -> list[Rotation]:
    """Add rotations (start, end) and their slots for every role. Dates already in the schedule are skipped;
    a rotation must end in the future."""
    today = today or timezone.localdate()
    if not dates:
        raise ValidationError(_("Give at least one rotation."), code="no_rotation")
    if len(dates) > MAX_ROTATIONS:
        raise ValidationError(
            _("At most %(count)s rotations can be added at once.") % {"count": MAX_ROTATIONS}, code="too_many"
        )
    for start, end in dates:
        if end < start:
            raise ValidationError(_("A rotation cannot end before it starts."), code="end_before_start")
        if end < today:
            raise ValidationError(
                _("The rotation from %(start)s has already ended.") % {"start": date_format(start)}, code="past"
            )
    existing = set(team.rotations.values_list("start_date", flat=True))
    roles = list(team.roles.prefetch_related("required_skills"))
    created = []
    with transaction.atomic():
        for start, end in sorted(dates):
            if start in existing:
                continue
            existing.add(start)
            rotation = Rotation(team=team, start_date=start, end_date=end)
            rotation.full_clean()
            rotation.save()
            for role in roles:
                _slot_create(rotation=rotation, role=role, by=by)
            created.append(rotation)
    logger.info("User %s added %s rotations to team need %s", by.pk, len(created), team.pk)
    return created


def team_slot_needs(team: TeamNeed):
    return Need.objects.filter(team_slot__rotation__team=team)
