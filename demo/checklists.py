"""Demo pre-departure checklists: every demo placement still to come gets its copy (as an accepted offer
does), and the steps already due are ticked by the side that acts, so that coordinators see placements in
every state of readiness (done, under way, overdue)."""

import datetime

from django.utils import timezone

from placements.checklist_services import placement_checklist_create
from placements.checklists import PlacementChecklistItem
from placements.models import Application, Placement


def demo_checklists(*, programmes, today: datetime.date) -> dict[str, int]:
    placements = list(
        Placement.objects.filter(
            need__programme__in=programmes,
            application__status=Application.Status.ACCEPTED,
            completed_at__isnull=True,
            end_date__gte=today,
        )
        .select_related("need", "volunteer__user")
        .order_by("start_date", "pk")
    )
    now = timezone.now()
    for index, placement in enumerate(placements):
        placement_checklist_create(placement=placement)
        # One placement in three is left with its due steps overdue; the others have them done.
        if index % 3 == 2 or placement.volunteer is None:
            continue
        due = PlacementChecklistItem.objects.filter(placement=placement, due_on__lte=today, needs_document=False)
        due.filter(who_acts="volunteer").update(done_at=now, done_by=placement.volunteer.user, done_side="volunteer")
        due.filter(who_acts="coordinator").update(done_at=now, done_side="coordinator")
    return {"pre-departure checklists": len(placements)} if placements else {}
