"""Writes that matter for programmes, sites, needs, applications and placements."""

import datetime

from django.db.models import Q
from django.utils import timezone

from .models import Need


def needs_close_expired(*, today: datetime.date | None = None) -> int:
    """Close open needs whose window has ended or whose application deadline has passed.

    Returns how many needs were closed. Running it twice closes nothing the second time.
    """
    today = today or timezone.localdate()
    expired = Need.objects.open().filter(Q(window_end__lt=today) | Q(application_deadline__lt=today))
    return expired.update(status=Need.Status.CLOSED, updated_at=timezone.now())
