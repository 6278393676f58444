"""Writes to accounts that every app relies on: ending a user's sessions, pruning abandoned sign-ups, the
language a user reads."""

import datetime
import logging
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .audit import audit_events_erase
from .models import User

logger = logging.getLogger(__name__)


def user_session_keys(*, user: User) -> set[str]:
    """The keys of every session signed in as ``user``, on any device.

    allauth.usersessions records each signed-in session; with sessions kept in the database, those
    it has not seen (signed in before it was installed) are found by reading the sessions
    themselves, which only happens when an account is erased.
    """
    keys: set[str] = set()
    if apps.is_installed("allauth.usersessions"):
        from allauth.usersessions.models import UserSession

        keys.update(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    if settings.SESSION_ENGINE in ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"):
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if session.get_decoded().get("_auth_user_id") == str(user.pk):
                keys.add(session.session_key)
    return keys


def sessions_end(*, session_keys: set[str]) -> None:
    """Delete these sessions from the session store: whoever used them is signed out at once."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:
        store(session_key=key).delete()


def admin_log_erase(*, model: type[models.Model], pks: Iterable[Any]) -> int:
    """Delete the Django admin's log entries about these objects: their descriptions name the person."""
    deleted, _ = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks]
    ).delete()
    return deleted


def accounts_prune_unverified(*, now: datetime.datetime | None = None) -> int:
    """Delete the accounts whose owner never confirmed an e-mail address and never signed in, once they
    are older than settings.UNVERIFIED_ACCOUNT_DAYS (30). Returns how many were deleted.

    Such an account is an abandoned or mistyped sign-up, or someone else's address typed in: it
    cannot be used (e-mail verification is mandatory) and holds nobody's consent. Staff, and accounts
    with a volunteer profile or an organisation membership, are never pruned here: they were made on
    purpose, and erasing them is ``globalir.privacy.account_erase``'s job. Safe to run twice.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.UNVERIFIED_ACCOUNT_DAYS)
    stale = (
        User.objects.filter(
            date_joined__lt=cutoff,
            last_login__isnull=True,
            is_staff=False,
            is_superuser=False,
            volunteer_profile__isnull=True,
            memberships__isnull=True,
        )
        .exclude(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)))
        .order_by("pk")
    )
    pruned = 0
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            # Checked again under the lock: the owner may have confirmed their address just now.
            user = stale.select_for_update(of=("self",)).filter(pk=pk).first()
            if user is None:
                continue
            audit_events_erase(user=user)
            EmailAddress.objects.filter(user=user).delete()
            user.delete()
            pruned += 1
    if pruned:
        logger.info("Pruned %s accounts that were never verified", pruned)
    return pruned


def supported_language(language: str | None) -> str:
    """The portal's language nearest to ``language`` ("pt-br" gives "pt"), or its default one."""
    try:
        return translation.get_supported_language_variant(language or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def user_language_set(*, user: User, language: str) -> User:
    """Record the language ``user`` reads: the pages once they log in, and every e-mail sent to them.

    ``language`` may be a browser's variant ("pt-br"): the portal's nearest language is kept. Raises
    ValidationError for a language the portal does not offer.
    """
    try:
        language = translation.get_supported_language_variant(language)
    except LookupError:
        raise ValidationError(_("The portal is not available in this language."), code="invalid_language") from None
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
