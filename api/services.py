"""Writes of the API: an organisation's tokens, and the record of their use."""

import hashlib
import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from organisations.models import Organisation

from .models import ApiToken, ApiTokenUse

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "gir_"  # noqa: S105  (a marker that makes a leaked token recognisable, not a secret)
PREFIX_SHOWN = 12
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
# A token is only written to the database once a minute when it is used again: its "last used" is for people.
LAST_USED_RESOLUTION_SECONDS = 60


def api_token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, so that the database never holds the key itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, organisation: Organisation, name: str, by: User) -> tuple[ApiToken, str]:
    """A new token of `organisation`. Returns it with the token itself, which is shown once and never again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name: what will use it?")}, code="required")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": _("Keep the name under %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}}, code="too_long"
        )
    if organisation.status != Organisation.Status.VERIFIED:
        raise ValidationError(
            _("%(organisation)s can have API tokens once GlobalIR has verified it.") % {"organisation": organisation},
            code="not_verified",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation=organisation, name=name, prefix=raw[:PREFIX_SHOWN], token_hash=api_token_hash(raw), created_by=by
    )
    token.full_clean()
    token.save()
    logger.info("User %s created API token %s of organisation %s", by.pk, token.pk, organisation.pk)
    return token, raw


def api_token_revoke(*, token: ApiToken, by: User) -> bool:
    """Revoke `token` at once: its next request is refused. False when it was revoked already."""
    with transaction.atomic():
        revoked = (
            ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now(), revoked_by=by
            )
            == 1
        )
    if revoked:
        logger.info("User %s revoked API token %s", by.pk, token.pk)
    return revoked


def api_token_authenticate(*, raw: str) -> tuple[ApiToken | None, bool]:
    """The token whose hash matches `raw`, with its organisation, and whether it may be used (not revoked); (None,
    False) for an unknown one. An active token's "last used" time moves on (at most once a minute, so that a busy
    client does not write on every request)."""
    if not raw or len(raw) > 200:
        return None, False
    token = ApiToken.objects.select_related("organisation", "created_by").filter(token_hash=api_token_hash(raw)).first()
    if token is None or not token.is_active:
        return token, False
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token, True


def api_token_use_record(
    *, token: ApiToken, method: str, path: str, status_code: int, need_id: int | None, ip_address: str | None
) -> ApiTokenUse:
    """The audit row of one request made with `token`."""
    return ApiTokenUse.objects.create(
        token=token,
        method=method[:10],
        path=path[:500],
        status_code=status_code,
        need_id=need_id,
        ip_address=ip_address or None,
    )
