"""Writes to volunteer profiles and credentials: every change that matters goes through a function here."""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from globalir.accounts.models import User

from .models import Credential

logger = logging.getLogger(__name__)


def credentials_verify(*, credentials: Iterable[Credential], by: User) -> list[Credential]:
    """Mark credentials verified, recording who verified them and when.

    Credentials already verified keep their original record; a rejected one becomes verified
    and loses its rejection reason. Returns the credentials that changed.
    """
    now = timezone.now()
    pks = [credential.pk for credential in credentials]
    changed = []
    with transaction.atomic():
        verifying = Credential.objects.select_for_update().filter(pk__in=pks).exclude(status=Credential.Status.VERIFIED)
        for credential in verifying.order_by("pk"):
            credential.status = Credential.Status.VERIFIED
            credential.verified_by = by
            credential.verified_at = now
            credential.rejection_reason = ""
            credential.full_clean()
            credential.save(update_fields=["status", "verified_by", "verified_at", "rejection_reason"])
            changed.append(credential)
    if changed:
        logger.info("User %s verified credentials %s", by.pk, [credential.pk for credential in changed])
    return changed
