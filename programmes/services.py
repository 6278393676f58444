"""Writes that matter for programmes, sites, needs, applications and placements."""

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from globalir.accounts.models import User

from .models import Need, Programme

logger = logging.getLogger(__name__)


def needs_close_expired(*, today: datetime.date | None = None) -> int:
    """Close open needs whose window has ended or whose application deadline has passed.

    Returns how many needs were closed. Running it twice closes nothing the second time.
    """
    today = today or timezone.localdate()
    expired = Need.objects.open().filter(Q(window_end__lt=today) | Q(application_deadline__lt=today))
    return expired.update(status=Need.Status.CLOSED, updated_at=timezone.now())


# Curation by site admins (the Django admin's bulk actions call these).


def programmes_publish(*, programmes: Iterable[Programme], by: User) -> list[Programme]:
    """Publish programmes (draft or closed) so that their open needs can be listed. Returns those that changed."""
    return _programmes_set_status(programmes=programmes, status=Programme.Status.PUBLISHED, by=by)


def programmes_close(*, programmes: Iterable[Programme], by: User) -> list[Programme]:
    """Close programmes: their needs leave the public listings. Returns those that changed."""
    return _programmes_set_status(programmes=programmes, status=Programme.Status.CLOSED, by=by)


def _programmes_set_status(*, programmes: Iterable[Programme], status: str, by: User) -> list[Programme]:
    pks = [programme.pk for programme in programmes]
    changed = []
    with transaction.atomic():
        for programme in Programme.objects.select_for_update().filter(pk__in=pks).exclude(status=status).order_by("pk"):
            programme.status = status
            programme.full_clean()
            programme.save(update_fields=["status", "updated_at"])
            changed.append(programme)
    if changed:
        logger.info("User %s set programmes %s to %s", by.pk, [programme.pk for programme in changed], status)
    return changed


def needs_close(*, needs: Iterable[Need], by: User) -> list[Need]:
    """Close needs (open or filled) to new applications. Returns the needs that changed."""
    pks = [need.pk for need in needs]
    changed = []
    with transaction.atomic():
        closing = Need.objects.select_for_update().filter(pk__in=pks).exclude(status=Need.Status.CLOSED)
        for need in closing.order_by("pk"):
            need.status = Need.Status.CLOSED
            need.full_clean()
            need.save(update_fields=["status", "updated_at"])
            changed.append(need)
    if changed:
        logger.info("User %s closed needs %s", by.pk, [need.pk for need in changed])
    return changed


def needs_reopen(*, needs: Iterable[Need], by: User, today: datetime.date | None = None) -> list[Need]:
    """Open closed or filled needs to applications again. Returns the needs that changed.

    A need whose date window has ended or whose application deadline has passed cannot reopen
    (the nightly task would close it again): if any given need is such, nothing is reopened and
    the ValidationError says which need and why.
    """
    today = today or timezone.localdate()
    pks = [need.pk for need in needs]
    with transaction.atomic():
        reopening = list(
            Need.objects.select_for_update().filter(pk__in=pks).exclude(status=Need.Status.OPEN).order_by("pk")
        )
        problems = []
        for need in reopening:
            need.status = Need.Status.OPEN
            need.filled_at = None
            try:
                need.full_clean()
                if need.application_deadline and need.application_deadline < today:
                    raise ValidationError(_("Its application deadline has passed; set a later one first."))
            except ValidationError as error:
                problems.append(f"{need.title}: {' '.join(error.messages)}")
        if problems:
            raise ValidationError(
                _("Nothing was reopened. %(problems)s"), code="cannot_reopen", params={"problems": " ".join(problems)}
            )
        for need in reopening:
            need.save(update_fields=["status", "filled_at", "updated_at"])
    if reopening:
        logger.info("User %s reopened needs %s", by.pk, [need.pk for need in reopening])
    return reopening
