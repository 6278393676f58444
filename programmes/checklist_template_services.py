"""Reading and writing a programme's pre-departure checklist template (programmes.checklist_templates)."""

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from globalir.accounts.models import User

from .checklist_templates import ChecklistAppliesTo, ChecklistStep, ChecklistTemplateItem, default_steps
from .models import Mode, Programme

logger = logging.getLogger(__name__)

APPLIES_TO_MODE = {
    Mode.ONSITE: {ChecklistAppliesTo.ONSITE, ChecklistAppliesTo.BOTH},
    Mode.REMOTE: {ChecklistAppliesTo.REMOTE, ChecklistAppliesTo.BOTH},
    Mode.HYBRID: {ChecklistAppliesTo.ONSITE, ChecklistAppliesTo.REMOTE, ChecklistAppliesTo.BOTH},
}


def checklist_template_items(*, programme: Programme) -> list[ChecklistTemplateItem]:
    """The programme's own template, in order; empty when it uses the defaults."""
    return list(ChecklistTemplateItem.objects.filter(programme=programme).order_by("position", "pk"))


def checklist_steps_for(*, programme_id: int, mode: str) -> list[ChecklistStep]:
    """What a placement of `mode` in the programme must do before it starts: the programme's own template
    (the items that apply to the mode) or, when it has none, the defaults."""
    items = list(ChecklistTemplateItem.objects.filter(programme_id=programme_id).order_by("position", "pk"))
    if not items:
        return default_steps(mode=mode)
    applies = APPLIES_TO_MODE.get(Mode(mode), set())
    return [
        ChecklistStep(
            title=item.title,
            who_acts=item.who_acts,
            days_before_start=item.days_before_start,
            needs_document=item.needs_document,
        )
        for item in items
        if item.applies_to in applies
    ]


def checklist_template_initial() -> list[dict[str, Any]]:
    """The defaults as rows of the template's form, for a programme that has no template yet: the on-site
    steps, then the remote ones (a step in both applies to every placement)."""
    onsite = {step.key: step for step in default_steps(mode=Mode.ONSITE)}
    remote = {step.key: step for step in default_steps(mode=Mode.REMOTE)}
    rows = []
    for key, step in [*onsite.items(), *((k, s) for k, s in remote.items() if k not in onsite)]:
        if key in onsite and key in remote:
            applies_to = ChecklistAppliesTo.BOTH
        elif key in onsite:
            applies_to = ChecklistAppliesTo.ONSITE
        else:
            applies_to = ChecklistAppliesTo.REMOTE
        rows.append(
            {
                "title": step.title,
                "who_acts": step.who_acts,
                "days_before_start": step.days_before_start,
                "needs_document": step.needs_document,
                "applies_to": applies_to.value,
            }
        )
    return rows


def checklist_template_replace(*, programme: Programme, rows: Iterable[dict[str, Any]], by: User) -> int:
    """Replace the programme's template with `rows` (cleaned form data, in the order given). Placements
    that already have their checklist keep it. No rows at all means the defaults again."""
    rows = list(rows)
    with transaction.atomic():
        ChecklistTemplateItem.objects.filter(programme=programme).delete()
        items = []
        for position, row in enumerate(rows):
            item = ChecklistTemplateItem(
                programme=programme,
                title=row["title"].strip(),
                who_acts=row["who_acts"],
                days_before_start=row["days_before_start"],
                needs_document=bool(row.get("needs_document")),
                applies_to=row["applies_to"],
                position=position,
            )
            item.full_clean()
            items.append(item)
        ChecklistTemplateItem.objects.bulk_create(items)
    logger.info("User %s saved the checklist template of programme %s (%s items)", by.pk, programme.pk, len(items))
    return len(items)
