"""A placement's pre-departure checklist: its copy made from the programme's template, ticks, documents and
reminders.

Who ticks what: the volunteer ticks the steps that are theirs; the need's coordinators tick their own steps
and may also tick a volunteer's step for them (a visa shown at the host's office, a document sent by other
means). A tick is taken back only by the side that made it, and taking it back clears who and when.
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from globalir.accounts.models import User
from notifications.services import absolute_url, notify
from programmes.checklist_template_services import checklist_steps_for
from programmes.checklist_templates import ChecklistWho

from .checklists import PlacementChecklistItem
from .emails import application_coordinators
from .models import Application, Placement

logger = logging.getLogger(__name__)

REMINDER_DAYS = 7


def placement_checklist_create(*, placement: Placement) -> int:
    """Give the placement its copy of its programme's checklist (the defaults when the programme has none),
    due dates counted back from its start date. Does nothing when it has one already; returns how many
    items were made."""
    if PlacementChecklistItem.objects.filter(placement=placement).exists():
        return 0
    steps = checklist_steps_for(programme_id=placement.need.programme_id, mode=placement.mode)
    items = [
        PlacementChecklistItem(
            placement=placement,
            key=step.key,
            title=step.title,
            who_acts=step.who_acts,
            needs_document=step.needs_document,
            due_on=placement.start_date - datetime.timedelta(days=step.days_before_start),
            position=position,
        )
        for position, step in enumerate(steps)
    ]
    PlacementChecklistItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)


def placements_checklists_ensure(*, placements: QuerySet[Placement]) -> int:
    """Placements made before checklists existed (or by a path that did not make one) get theirs when
    first shown: those still to come or under way, without any item yet."""
    missing = (
        placements.filter(completed_at__isnull=True)
        .annotate(has_items=Exists(PlacementChecklistItem.objects.filter(placement=OuterRef("pk"))))
        .filter(has_items=False)
        .select_related("need")
    )
    # Two first views at once make one copy: the second one's rows conflict and are left out.
    return sum(placement_checklist_create(placement=placement) for placement in missing)


def _check_side(item: PlacementChecklistItem, side: str) -> None:
    if side == ChecklistWho.VOLUNTEER and item.who_acts != ChecklistWho.VOLUNTEER:
        raise PermissionDenied(_("This step is the coordinators' to tick, not yours."))


def checklist_item_tick(
    *, item: PlacementChecklistItem, by: User, side: str, document: UploadedFile | None = None
) -> PlacementChecklistItem:
    """Tick a step as done, with who and when, and keep the document it needs (checked as credentials
    are). The volunteer ticks only their own steps; a coordinator any. A step that needs a document is
    ticked only with one."""
    _check_side(item, side)
    with transaction.atomic():
        item = PlacementChecklistItem.objects.select_for_update().get(pk=item.pk)
        if item.is_done:
            raise ValidationError(_("This step is already ticked."), code="already_done")
        old_document = item.document.name if document is not None and item.document else ""
        if document is not None:
            item.document = document
            item.document_uploaded_at = timezone.now()
        if item.needs_document and not item.document:
            raise ValidationError(
                {"document": _("This step needs a document: choose the file, then tick it again.")},
                code="document_missing",
            )
        item.done_at = timezone.now()
        item.done_by = by
        item.done_side = side
        item.full_clean(exclude=["placement"])
        item.save()
        if old_document:
            storage = item.document.storage
            transaction.on_commit(lambda: storage.delete(old_document))
    logger.info("User %s ticked checklist item %s as the %s", by.pk, item.pk, side)
    return item


def checklist_item_untick(*, item: PlacementChecklistItem, by: User, side: str) -> PlacementChecklistItem:
    """Take a tick back: only the side that ticked the step may, and who and when are cleared. A document
    stays, to be used when it is ticked again."""
    with transaction.atomic():
        item = PlacementChecklistItem.objects.select_for_update().get(pk=item.pk)
        if not item.is_done:
            raise ValidationError(_("This step is not ticked."), code="not_done")
        if item.done_side != side:
            raise PermissionDenied(
                _("Only the volunteer can take back their tick.")
                if item.done_side == ChecklistWho.VOLUNTEER
                else _("Only the coordinators can take back their tick.")
            )
        item.done_at = None
        item.done_by = None
        item.done_side = ""
        item.save(update_fields=["done_at", "done_by", "done_side"])
    logger.info("User %s took back the tick of checklist item %s", by.pk, item.pk)
    return item


@dataclass
class ChecklistProgress:
    done: int
    total: int
    overdue: int

    @property
    def ready(self) -> bool:
        return self.done == self.total


def checklist_progress_annotate(placements: QuerySet[Placement], *, today: datetime.date) -> QuerySet[Placement]:
    """Placements with checklist_done, checklist_total and checklist_overdue, in the same query."""
    return placements.annotate(
        checklist_total=Count("checklist_items", distinct=True),
        checklist_done=Count("checklist_items", filter=Q(checklist_items__done_at__isnull=False), distinct=True),
        checklist_overdue=Count(
            "checklist_items",
            filter=Q(checklist_items__done_at__isnull=True, checklist_items__due_on__lt=today),
            distinct=True,
        ),
    )


# Reminders: once per item, to the side that acts, for the steps due within REMINDER_DAYS days.


def checklist_reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail the volunteer and the coordinators about their steps not done yet and due within
    REMINDER_DAYS days (or overdue and never reminded), one e-mail per placement and side listing them.
    Each item is claimed (reminded_at) before its e-mail is recorded, in the same transaction, so no step
    is reminded twice however often this runs. Returns how many e-mails were recorded."""
    today = today or timezone.localdate()
    due = (
        PlacementChecklistItem.objects.filter(
            done_at__isnull=True,
            reminded_at__isnull=True,
            due_on__lte=today + datetime.timedelta(days=REMINDER_DAYS),
            placement__completed_at__isnull=True,
            placement__end_date__gte=today,
            placement__volunteer__isnull=False,
            placement__application__status=Application.Status.ACCEPTED,
        )
        .select_related("placement__need__programme__lead_organisation", "placement__volunteer__user")
        .order_by("placement_id", "due_on", "position", "pk")
    )
    groups: dict[tuple[int, str], list[PlacementChecklistItem]] = {}
    for item in due:
        groups.setdefault((item.placement_id, item.who_acts), []).append(item)
    sent = 0
    for (_placement, side), items in groups.items():
        with transaction.atomic():
            claimed = PlacementChecklistItem.objects.filter(
                pk__in=[item.pk for item in items], reminded_at__isnull=True
            ).update(reminded_at=timezone.now())
            if claimed != len(items):
                # Another run took some of them: leave the rest for the next run.
                transaction.set_rollback(True)
                continue
            sent += _remind(items[0].placement, side=side, items=items, today=today)
    if sent:
        logger.info("Recorded %s checklist reminders", sent)
    return sent


def _remind(placement: Placement, *, side: str, items: list[PlacementChecklistItem], today: datetime.date) -> int:
    need = placement.need
    context = {
        "need_title": need.title,
        "programme_title": need.programme.title,
        "organisation_name": str(need.programme.lead_organisation),
        "start": placement.start_date.isoformat(),
        # Default steps are named by key, so that each reader gets them in their own language.
        "items": [
            {"key": item.key, "title": item.title, "due_on": item.due_on.isoformat(), "overdue": item.due_on < today}
            for item in items
        ],
    }
    # Items are claimed once, so the first one names this reminder among all others.
    event = f"checklist-due:{placement.pk}:{side}:{items[0].pk}"
    if side == ChecklistWho.VOLUNTEER:
        user = placement.volunteer.user
        context["checklist_url"] = absolute_url(reverse("placements:checklist", args=[placement.pk]))
        recipients = [user]
    else:
        context["checklist_url"] = absolute_url(reverse("placements:checklist-coordinate", args=[placement.pk]))
        recipients = application_coordinators(need=need)
    sent = 0
    for user in recipients:
        if notify(kind="checklist_due", event_key=f"{event}:{user.pk}", recipient=user, context=context):
            sent += 1
    return sent
