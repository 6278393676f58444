"""Writes to organisations: every change that matters goes through a function here."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django_countries.fields import Country

from .models import Organisation


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
