"""The one way an application's status changes.

Every path goes through `application_transition`: the volunteer's pages (withdraw, accept, decline an offer),
the coordinators' pipeline (shortlist, offer, decline, complete), the admin's actions, a match round's
offers and the erasure of an account. It locks the row, checks the move against the model's rule
(Application.can_become: TRANSITIONS, or VOLUNTEER_TRANSITIONS for what volunteers do themselves), records
when the status was reached and saves, so the audit trail sees every change. A move that gives up a place
(an offer withdrawn or declined, a placement given up) tells the coordinators when the need has a waiting
list: every such path comes here.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .emails import notify_waiting_list_place_free
from .models import Application


def application_transition(
    *,
    application: Application,
    to: str,
    refusal: str,
    code: str,
    by_volunteer: bool = False,
    check: Callable[[Application], None] | None = None,
    fields: dict[str, Any] | None = None,
    validate: bool = True,
) -> Application:
    """Move `application` to the status `to`, in the caller's transaction (or one of its own).

    Refused with ValidationError(`refusal` % {"status": its status, in words}, code=`code`) when the rule
    does not allow the move. `check(application)` runs next, on the locked row, for the caller's own
    conditions (it raises ValidationError to refuse). `fields` are set with the status (a reason for
    declining). `validate=False` skips the model's validation, for the erasure of an account, which
    must succeed whatever the application holds. Returns the application as saved.
    """
    with transaction.atomic():
        application = Application.objects.select_for_update(of=("self",)).select_related("need").get(pk=application.pk)
        if not application.can_become(to, by_volunteer=by_volunteer):
            raise ValidationError(refusal % {"status": application.get_status_display().lower()}, code=code)
        if check is not None:
            check(application)
        gives_up_a_place = application.status in Application.HOLDING_STATUSES and to in Application.CLOSED_STATUSES
        application.status = to
        timestamp = Application.STATUS_TIMESTAMPS[to]
        setattr(application, timestamp, timezone.now())
        for name, value in (fields or {}).items():
            setattr(application, name, value)
        if validate:
            application.full_clean()
        application.save(update_fields=["status", timestamp, "updated_at", *(fields or {})])
        if gives_up_a_place:
            notify_waiting_list_place_free(application)
    return application
