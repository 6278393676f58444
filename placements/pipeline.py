"""The coordinators' actions on an application in a need's pipeline: shortlist, decline with a reason,
complete, internal notes. Offers are made by placements.services.application_offer.

The coordinators' internal notes (Application.coordinator_notes) are read only for the coordinator's pages:
nothing a volunteer receives or sees is built from them.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from globalir.accounts.models import User

from .emails import notify_application_declined
from .models import Application, Placement
from .transitions import application_transition

logger = logging.getLogger(__name__)

Status = Application.Status


def application_shortlist(*, application: Application, by: User) -> Application:
    """Put an interested applicant on the shortlist."""
    application = application_transition(
        application=application,
        to=Status.SHORTLISTED,
        refusal=_("An application that is %(status)s cannot be shortlisted."),
        code="cannot_shortlist",
    )
    logger.info("User %s shortlisted application %s", by.pk, application.pk)
    return application


DECLINE_REASON_MAX_LENGTH = Application._meta.get_field("decline_reason").max_length


def application_decline(*, application: Application, reason: str, by: User) -> Application:
    """Decline an application (interested, shortlisted or offered) with a reason the volunteer sees.

    An offer the volunteer has not answered yet is withdrawn this way too. The volunteer is e-mailed
    the reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the volunteer a reason for declining: they will see it.")}, code="reason_required"
        )
    if len(reason) > DECLINE_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason under %(limit)s characters.") % {"limit": DECLINE_REASON_MAX_LENGTH}},
            code="reason_too_long",
        )
    with transaction.atomic():
        application = application_transition(
            application=application,
            to=Status.DECLINED,
            refusal=_("An application that is %(status)s cannot be declined."),
            code="cannot_decline",
            fields={"decline_reason": reason},
        )
        notify_application_declined(application)
    logger.info("User %s declined application %s", by.pk, application.pk)
    return application


def application_complete(*, application: Application, by: User, today: datetime.date | None = None) -> Application:
    """Mark an accepted placement as completed, once it has started: the application becomes
    completed and the placement records when."""
    today = today or timezone.localdate()
    placements = []

    def started(application: Application) -> None:
        placement = Placement.objects.select_for_update().filter(application=application).first()
        if placement is None:
            raise ValidationError(_("This application has no placement to complete."), code="no_placement")
        if placement.start_date > today:
            raise ValidationError(
                _("The placement starts on %(start)s; it can be marked completed once it has started.")
                % {"start": date_format(placement.start_date)},
                code="not_started",
            )
        placements.append(placement)

    with transaction.atomic():
        application = application_transition(
            application=application,
            to=Status.COMPLETED,
            refusal=_("An application that is %(status)s cannot be completed: only an accepted placement can."),
            code="cannot_complete",
            check=started,
        )
        [placement] = placements
        placement.completed_at = application.completed_at
        placement.full_clean()
        placement.save(update_fields=["completed_at"])
    logger.info("User %s completed application %s", by.pk, application.pk)
    return application


NOTES_MAX_LENGTH = Application._meta.get_field("coordinator_notes").max_length


def application_notes_save(*, application: Application, notes: str, by: User) -> Application:
    """Save the coordinators' internal notes on an application (any status). Never shown to the volunteer.

    Only the notes are validated and saved: `updated_at` is left alone so that nothing the volunteer
    sees (the order of their dashboard, their data export) changes when coordinators write notes.
    """
    notes = (notes or "").strip()
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        application.coordinator_notes = Application._meta.get_field("coordinator_notes").clean(notes, application)
        application.save(update_fields=["coordinator_notes"])
    logger.info("User %s saved notes on application %s", by.pk, application.pk)
    return application
