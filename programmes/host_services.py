"""Host requests, written: a host posts one to a visiting-professor programme, closes it, or a match round
marks it matched."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from organisations.models import Organisation
from volunteers.models import Skill

from .models import HostRequest, Programme

logger = logging.getLogger(__name__)


def visiting_programmes():
    """Published visiting-professor programmes of verified organisations: the ones hosts may ask."""
    return Programme.objects.published().filter(
        kind=Programme.Kind.VISITING_PROFESSOR, lead_organisation__status=Organisation.Status.VERIFIED
    )


def host_request_create(
    *,
    programme: Programme,
    host_organisation: Organisation,
    topics: Iterable[Skill],
    by: User | None,
    **fields,
) -> HostRequest:
    """Post a host request to a published visiting-professor programme. `fields` are the request's own
    fields (title, kind, language, country, city, preferred dates, what it covers, description)."""
    if not visiting_programmes().filter(pk=programme.pk).exists():
        raise ValidationError(_("This programme does not take host requests."), code="not_visiting")
    topics = list(topics)
    if not topics:
        raise ValidationError({"topics": _("Choose at least one topic.")}, code="no_topics")
    with transaction.atomic():
        host_request = HostRequest(programme=programme, host_organisation=host_organisation, created_by=by, **fields)
        host_request.full_clean()
        host_request.save()
        host_request.topics.set(topics)
    logger.info("User %s posted host request %s", getattr(by, "pk", None), host_request.pk)
    return host_request


def host_request_close(*, host_request: HostRequest, by: User) -> HostRequest:
    """Withdraw an open request: it leaves the listing and any round not run yet."""
    if host_request.status != HostRequest.Status.OPEN:
        raise ValidationError(_("Only an open request can be closed."), code="not_open")
    HostRequest.objects.filter(pk=host_request.pk).update(status=HostRequest.Status.CLOSED)
    host_request.status = HostRequest.Status.CLOSED
    logger.info("User %s closed host request %s", by.pk, host_request.pk)
    return host_request


def host_request_mark_matched(*, host_request: HostRequest) -> HostRequest:
    """A match round gave the request its visiting professor (called inside the round's transaction)."""
    updated = HostRequest.objects.filter(pk=host_request.pk, status=HostRequest.Status.OPEN).update(
        status=HostRequest.Status.MATCHED
    )
    if updated != 1:
        raise ValidationError(_("This host request is no longer open."), code="not_open")
    host_request.status = HostRequest.Status.MATCHED
    return host_request
