"""Writes to organisations: every change that matters goes through a function here."""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from globalir.accounts.models import User

from .models import Organisation

logger = logging.getLogger(__name__)


def _comparable(value: Any) -> Any:
    """A form of a field value that compares equal however it was given (Country objects or codes, any order)."""
    if isinstance(value, Country):
        return value.code or ""
    if isinstance(value, list | tuple):
        return sorted(str(item) for item in value)
    return value


def organisation_upsert(*, slug: str, values: dict[str, Any]) -> tuple[Organisation, str]:
    """Create or update a curated organisation, matched by slug (or, failing that, by name).

    A new organisation is created verified, since it comes from our curated directory. On an
    existing one only the fields in ``values`` that differ are written: its listing status and
    whether it is featured stay as admins set them. Returns the organisation and "created",
    "updated" or "unchanged".
    """
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().filter(slug=slug).first()
        if organisation is None and values.get("name"):
            # A row created by hand under the same name: take it over rather than fail on the unique name.
            organisation = Organisation.objects.select_for_update().filter(name__iexact=values["name"]).first()
        if organisation is None:
            organisation = Organisation(
                slug=slug, status=Organisation.Status.VERIFIED, verified_at=timezone.now(), **values
            )
            organisation.full_clean()
            organisation.save()
            return organisation, "created"
        changed = [
            name for name, value in values.items() if _comparable(getattr(organisation, name)) != _comparable(value)
        ]
        if not changed:
            return organisation, "unchanged"
        for name in changed:
            setattr(organisation, name, values[name])
        organisation.full_clean()
        organisation.save(update_fields=[*changed, "updated_at"])
        return organisation, "updated"


def organisation_partners_add(*, organisation: Organisation, partners: list[Organisation]) -> bool:
    """Record partnerships (symmetrical) that are missing; existing ones are kept. True if any was added."""
    with transaction.atomic():
        existing = set(organisation.partners.values_list("pk", flat=True))
        missing = [partner for partner in partners if partner.pk not in existing and partner.pk != organisation.pk]
        if missing:
            organisation.partners.add(*missing)
        return bool(missing)


# Curation by site admins (the Django admin's bulk actions call these).


def _locked(organisations: Iterable[Organisation]) -> QuerySet[Organisation]:
    """The given organisations, re-read and locked for the rest of the transaction."""
    pks = [organisation.pk for organisation in organisations]
    return Organisation.objects.select_for_update().filter(pk__in=pks).order_by("pk")


def _save(organisation: Organisation, fields: list[str]) -> None:
    organisation.full_clean()
    organisation.save(update_fields=[*fields, "updated_at"])


def organisations_verify(*, organisations: Iterable[Organisation], by: User) -> list[Organisation]:
    """List organisations in the public directory, recording who verified them and when.

    Pending and archived organisations become verified; ones already verified keep their original
    record. Returns the organisations that changed.
    """
    now = timezone.now()
    changed = []
    with transaction.atomic():
        for organisation in _locked(organisations).exclude(status=Organisation.Status.VERIFIED):
            organisation.status = Organisation.Status.VERIFIED
            organisation.verified_by = by
            organisation.verified_at = now
            _save(organisation, ["status", "verified_by", "verified_at"])
            changed.append(organisation)
    if changed:
        logger.info("User %s verified organisations %s", by.pk, [organisation.pk for organisation in changed])
    return changed


def organisations_feature(*, organisations: Iterable[Organisation], by: User) -> list[Organisation]:
    """Feature organisations on the portal. Returns the organisations that changed.

    Only verified organisations can be featured: if any of those given is not, nothing is
    featured and the ValidationError names them.
    """
    with transaction.atomic():
        locked = list(_locked(organisations))
        unverified = [organisation for organisation in locked if organisation.status != Organisation.Status.VERIFIED]
        if unverified:
            raise ValidationError(
                _(
                    "Only verified organisations can be featured, so nothing was featured. "
                    "Verify these first or leave them out: %(names)s."
                ),
                code="not_verified",
                params={"names": ", ".join(str(organisation) for organisation in unverified)},
            )
        changed = []
        for organisation in locked:
            if not organisation.featured:
                organisation.featured = True
                _save(organisation, ["featured"])
                changed.append(organisation)
    if changed:
        logger.info("User %s featured organisations %s", by.pk, [organisation.pk for organisation in changed])
    return changed


def organisations_unfeature(*, organisations: Iterable[Organisation], by: User) -> list[Organisation]:
    """Stop featuring organisations. Returns the organisations that changed."""
    changed = []
    with transaction.atomic():
        for organisation in _locked(organisations).filter(featured=True):
            organisation.featured = False
            _save(organisation, ["featured"])
            changed.append(organisation)
    if changed:
        logger.info("User %s unfeatured organisations %s", by.pk, [organisation.pk for organisation in changed])
    return changed


def organisations_archive(*, organisations: Iterable[Organisation], by: User) -> list[Organisation]:
    """Take organisations out of the public directory; an archived organisation is never featured.

    Returns the organisations that changed (those not archived already).
    """
    changed = []
    with transaction.atomic():
        for organisation in _locked(organisations).exclude(status=Organisation.Status.ARCHIVED):
            organisation.status = Organisation.Status.ARCHIVED
            organisation.featured = False
            _save(organisation, ["status", "featured"])
            changed.append(organisation)
    if changed:
        logger.info("User %s archived organisations %s", by.pk, [organisation.pk for organisation in changed])
    return changed
