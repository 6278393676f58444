"""Reads of placements' pre-departure checklists: one placement's, a need's or a rotation's readiness, and
what a volunteer has left before their placements."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from volunteers.selectors import volunteer_label

from .checklist_services import placements_checklists_ensure
from .checklists import PlacementChecklistItem
from .models import Application, Placement


@dataclass
class PlacementReadiness:
    placement: Placement
    items: list[PlacementChecklistItem]
    today: datetime.date
    volunteer_name: str = ""
    left: list[PlacementChecklistItem] = field(init=False)
    overdue: list[PlacementChecklistItem] = field(init=False)

    def __post_init__(self):
        self.left = [item for item in self.items if not item.is_done]
        self.overdue = [item for item in self.left if item.due_on < self.today]
        for item in self.items:
            item.overdue = not item.is_done and item.due_on < self.today

    @property
    def done(self) -> int:
        return len(self.items) - len(self.left)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def ready(self) -> bool:
        return not self.left


def _items_prefetch() -> Prefetch:
    return Prefetch(
        "checklist_items",
        queryset=PlacementChecklistItem.objects.select_related("done_by").order_by("due_on", "position", "pk"),
    )


def placement_checklist(*, placement: Placement, today: datetime.date) -> PlacementReadiness:
    """One placement's checklist, made first if it has none yet."""
    placements_checklists_ensure(placements=Placement.objects.filter(pk=placement.pk))
    items = list(
        PlacementChecklistItem.objects.filter(placement=placement)
        .select_related("done_by")
        .order_by("due_on", "position", "pk")
    )
    return PlacementReadiness(placement=placement, items=items, today=today)


def placements_readiness(*, placements: QuerySet[Placement], today: datetime.date) -> list[PlacementReadiness]:
    """The checklists of accepted placements not over yet, those not ready first; in a fixed number of
    queries."""
    going = placements.filter(
        application__status=Application.Status.ACCEPTED, completed_at__isnull=True, end_date__gte=today
    )
    placements_checklists_ensure(placements=going)
    rows = [
        PlacementReadiness(
            placement=placement,
            items=list(placement.checklist_items.all()),
            today=today,
            volunteer_name=volunteer_label(volunteer=placement.volunteer, number=placement.application_id),
        )
        for placement in going.select_related("volunteer", "need").prefetch_related(_items_prefetch())
    ]
    rows.sort(key=lambda row: (row.ready, -len(row.overdue), row.placement.start_date, row.placement.pk))
    return rows


def volunteer_checklists_left(*, placements: list[Placement], today: datetime.date, limit: int = 3) -> None:
    """For the dashboard's upcoming placements: set `checklist` (a PlacementReadiness, None for a placement
    whose checklist is made when first opened), `checklist_next` (the next `limit` steps not done) and
    `checklist_more` (how many steps not done are left out of it) on each, in one query."""
    if not placements:
        return
    items: dict[int, list[PlacementChecklistItem]] = {placement.pk: [] for placement in placements}
    for item in PlacementChecklistItem.objects.filter(placement__in=items.keys()).order_by("due_on", "position", "pk"):
        items[item.placement_id].append(item)
    for placement in placements:
        found = items[placement.pk]
        placement.checklist = PlacementReadiness(placement=placement, items=found, today=today) if found else None
        placement.checklist_next = placement.checklist.left[:limit] if found else []
        placement.checklist_more = len(placement.checklist.left) - len(placement.checklist_next) if found else 0
