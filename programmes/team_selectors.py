"""Reads about teams on rotations: the rotation calendar with each slot's places, and readiness.

A rotation is ready when every role is filled: each of its slots has all its places taken (accepted or
completed placements, `hooks.need_pipeline_counts`).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from organisations.models import Organisation

from . import hooks
from .models import Mode, Need, Programme
from .teams import Rotation, TeamNeed, TeamRole, TeamSlot


@dataclass
class SlotCell:
    role: TeamRole
    need: Need | None  # None when the role was added after the rotation ended

    @property
    def places(self) -> int:
        return self.need.places if self.need else 0

    @property
    def taken(self) -> int:
        return self.need.taken_count if self.need else 0

    @property
    def places_left(self) -> int:
        return self.need.places_left if self.need else 0

    @property
    def is_filled(self) -> bool:
        return self.need is not None and self.taken >= self.places

    @property
    def is_open(self) -> bool:
        return self.need is not None and self.need.status == Need.Status.OPEN and self.places_left > 0


@dataclass
class RotationRow:
    rotation: Rotation
    cells: list[SlotCell] = field(default_factory=list)

    @property
    def is_ready(self) -> bool:
        return bool(self.cells) and all(cell.is_filled for cell in self.cells)

    @property
    def places(self) -> int:
        return sum(cell.places for cell in self.cells)

    @property
    def taken(self) -> int:
        return sum(min(cell.taken, cell.places) for cell in self.cells)

    @property
    def open_slots(self) -> list[SlotCell]:
        return [cell for cell in self.cells if cell.is_open]


@dataclass
class TeamCalendar:
    team: TeamNeed
    roles: list[TeamRole]
    rows: list[RotationRow]

    @property
    def ready_count(self) -> int:
        return sum(1 for row in self.rows if row.is_ready)


def team_detail_queryset() -> QuerySet[TeamNeed]:
    return TeamNeed.objects.select_related("programme__lead_organisation", "host_site").prefetch_related(
        Prefetch("roles", queryset=TeamRole.objects.prefetch_related("required_skills"))
    )


def team_listed_queryset() -> QuerySet[TeamNeed]:
    """Team needs anyone may read: of a published programme led by a verified organisation."""
    return team_detail_queryset().filter(
        programme__status=Programme.Status.PUBLISHED,
        programme__lead_organisation__status=Organisation.Status.VERIFIED,
    )


def team_calendar(*, team: TeamNeed, today: datetime.date | None = None, upcoming_only: bool = False) -> TeamCalendar:
    """The team's rotations (those not over yet with `upcoming_only`), each with one cell per role, in a fixed
    number of queries."""
    today = today or timezone.localdate()
    roles = list(team.roles.all())
    rotations = team.rotations.all()
    if upcoming_only:
        rotations = rotations.filter(end_date__gte=today)
    needs = {need.pk: need for need in hooks.need_pipeline_counts(Need.objects.filter(team_slot__rotation__team=team))}
    slots = TeamSlot.objects.filter(rotation__team=team).values_list("rotation_id", "role_id", "need_id")
    by_key = {(rotation_id, role_id): needs.get(need_id) for rotation_id, role_id, need_id in slots}
    rows = [
        RotationRow(
            rotation=rotation, cells=[SlotCell(role=role, need=by_key.get((rotation.pk, role.pk))) for role in roles]
        )
        for rotation in rotations
    ]
    return TeamCalendar(team=team, roles=roles, rows=rows)


def team_distance_learning(*, team: TeamNeed, today: datetime.date | None = None) -> QuerySet[Need]:
    """The programme's remote needs (case conferences, journal clubs…) still taking volunteers, not slots."""
    today = today or timezone.localdate()
    return (
        Need.objects.listed()
        .still_running(today)
        .filter(programme=team.programme_id, mode=Mode.REMOTE, team_slot__isnull=True)
        .order_by("window_start", "title")
    )


def teams_of_programme(*, programme: Programme) -> QuerySet[TeamNeed]:
    return TeamNeed.objects.filter(programme=programme).select_related("host_site").order_by("title")


def team_of_need(*, need: Need) -> TeamNeed | None:
    """The team a need is a slot of, if any."""
    return TeamNeed.objects.filter(rotations__slots__need=need).first()


def team_listed_for_organisations(*, organisations: QuerySet[Organisation] | None = None) -> QuerySet[TeamNeed]:
    teams = team_listed_queryset().filter(Q(rotations__end_date__gte=timezone.localdate())).distinct()
    if organisations is not None:
        teams = teams.filter(programme__lead_organisation__in=organisations)
    return teams
