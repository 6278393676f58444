"""A person's right of access and right to erasure: each app gives its part, put together here.

Every installed app of ours that holds personal data has a ``privacy`` module (found like admin modules, by
autodiscovery) with any of these functions, each about one user:

- ``export(user) -> dict``: its sections of the export (/me/export/);
- ``erase_blockers(user) -> list[str]``: why the account cannot be erased yet, in words for the user;
- ``erase_preview(user, today) -> dict``: what the confirmation page (/me/delete/) says the erasure does;
- ``erase(user) -> dict | None``: erase what it holds about the user, with counts worth logging.

An export runs the parts in the apps' layer order (INSTALLED_APPS, lowest first). An erasure runs them in
one transaction, top app first: an app's rows go before those of the apps they point to, and the account
itself (globalir.accounts) goes last. Nothing here knows the apps: it only puts their parts together.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django_countries.fields import CountryField

from globalir.accounts.models import User

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "globalir-personal-data"
EXPORT_FORMAT_VERSION = 1


def privacy_parts(function: str) -> list[Callable[..., Any]]:
    """The apps' `function` of their privacy module, in the apps' order (INSTALLED_APPS)."""
    found = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "privacy"):
            part = getattr(import_module(f"{config.name}.privacy"), function, None)
            if part is not None:
                found.append(part)
    return found


def export_record(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of `instance`; choices also with their label, countries with their name."""
    record: dict[str, Any] = {}
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if isinstance(field, CountryField):
            record[name] = value.code or ""
            record[f"{name}_name"] = str(value.name) if value.code else ""
            continue
        record[name] = value
        if field.choices:
            record[f"{name}_display"] = str(getattr(instance, f"get_{name}_display")())
    return record


def volunteer_data_export(*, user: User) -> dict[str, Any]:
    """Everything GlobalIR holds about `user`, for them to download (the right of access and portability).

    The account with its e-mail addresses, memberships, e-mail preferences, the e-mails sent to them and
    their security events (sign-ins); for a volunteer their profile, languages, skills, availability,
    credentials (metadata and status; the documents themselves are downloaded one by one), applications,
    placements, the feedback on those placements (what they gave and what the organisation gave them) and
    the matcher's recommendations. Values are dates, numbers and strings ready for DjangoJSONEncoder. A
    fixed number of queries, whatever the amount of data.
    """
    export: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
    }
    for part in privacy_parts("export"):
        export.update(part(user))
    return export


def account_erase_blockers(*, user: User) -> list[str]:
    """Reasons, in words for the user, why their account cannot be erased right now."""
    return [blocker for part in privacy_parts("erase_blockers") for blocker in part(user)]


def account_erase_preview(*, user: User, today: datetime.date | None = None) -> SimpleNamespace:
    """What erasing the account would do, for the confirmation page: its blockers and each app's part."""
    today = today or timezone.localdate()
    preview: dict[str, Any] = {"blockers": account_erase_blockers(user=user)}
    for part in privacy_parts("erase_preview"):
        preview.update(part(user, today))
    return SimpleNamespace(**preview)


def account_erase(*, user: User) -> None:
    """Erase the user's account and everything personal GlobalIR holds about them: each app's part, top
    app first, in one transaction (see each app's privacy.erase for what it erases and what it keeps,
    anonymised, for the organisations' reports).

    Refused with a ValidationError when the account cannot go yet (a site admin, or the only admin
    of an organisation): see `account_erase_blockers`.
    """
    user_pk = user.pk
    done: dict[str, int] = {}
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_pk)
        blockers = account_erase_blockers(user=user)
        if blockers:
            raise ValidationError(blockers, code="cannot_erase")
        for part in reversed(privacy_parts("erase")):
            done.update(part(user) or {})
    logger.info("Account %s erased: %s", user_pk, ", ".join(f"{count} {what}" for what, count in done.items()))
