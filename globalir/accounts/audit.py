"""Security events: who logged in or failed to, who was refused an object, who changed a site role.

The receivers in `receivers.py`, the refused-access middleware and the user admin call these
services; nothing else writes `AuditEvent` rows. What is recorded never includes a password, a
token or a query string: the secret parts of a URL (an e-mail confirmation key, a password-reset
key, an invitation or unsubscribe token) are hidden before the path is kept (`globalir.redaction`).
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Mapping
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from globalir.redaction import HIDDEN, SECRET_URL_KWARGS, hide_url_secrets, url_secrets

from .models import AuditEvent, User


def request_path(request: HttpRequest | None) -> str:
    """The request's path without its query string, its secrets hidden."""
    path = getattr(request, "path", "") or ""
    field = AuditEvent._meta.get_field("path")
    return hide_url_secrets(path, url_secrets(request))[: field.max_length]


def request_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be unless a trusted
    # proxy sets it, and the portal does not assume one.
    address = getattr(request, "META", {}).get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def normalised_email(value: Any) -> str:
    """The address typed, lower-cased; empty when it is not an e-mail address (say, a password typed
    into the wrong field, which must not be kept)."""
    email = str(value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email[: AuditEvent._meta.get_field("email").max_length]


def _record(*, kind: str, request: HttpRequest | None, **fields: Any) -> AuditEvent:
    return AuditEvent.objects.create(kind=kind, ip_address=request_ip(request), path=request_path(request), **fields)


def audit_login_succeeded(*, request: HttpRequest | None, user: User) -> AuditEvent:
    """Record that ``user`` logged in (after every step: password, e-mail check, second factor)."""
    return _record(kind=AuditEvent.Kind.LOGIN_SUCCEEDED, request=request, actor=user)


def audit_login_failed(
    *, request: HttpRequest | None, email: Any = "", user: User | None = None, what: str = ""
) -> AuditEvent:
    """Record a refused login: wrong password or unknown address, too many attempts, a wrong second
    factor. The account tried, when it exists, is the event's actor, so that its owner's
    events include the attacks on it."""
    email = normalised_email(email)
    if user is None and email:
        user = User.objects.filter(email__iexact=email).first()
    return _record(kind=AuditEvent.Kind.LOGIN_FAILED, request=request, actor=user, email=email, what=what[:500])


def audit_access_refused(*, request: HttpRequest, status_code: int) -> AuditEvent:
    """Record that the request was refused (403) or told the object does not exist (404)."""
    user = getattr(request, "user", None)
    match = request.resolver_match
    secrets = set(url_secrets(request))
    arguments = " ".join(
        f"{name}={HIDDEN if name in SECRET_URL_KWARGS else value}" for name, value in sorted(match.kwargs.items())
    )
    what = hide_url_secrets(f"{match.view_name} {arguments}".strip(), list(secrets))
    return _record(
        kind=AuditEvent.Kind.ACCESS_REFUSED,
        request=request,
        actor=user if user is not None and user.is_authenticated else None,
        status_code=status_code,
        what=what[:500],
    )


def audit_site_role_changed(
    *, request: HttpRequest | None, by: User | None, user: User, changes: Mapping[str, tuple[Any, Any]]
) -> AuditEvent | None:
    """Record a change to what ``user`` may do on the whole site (staff, superuser, active, groups,
    permissions), as ``field: old → new``. Nothing is recorded when nothing changed."""
    if not changes:
        return None
    what = ", ".join(f"{field}: {old} → {new}" for field, (old, new) in sorted(changes.items()))
    return _record(kind=AuditEvent.Kind.SITE_ROLE_CHANGED, request=request, actor=by, subject=user, what=what[:500])


def audit_events_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the security events older than SECURITY_EVENT_DAYS: they hold addresses typed at login and
    visitors' IP addresses, kept for as long as an incident may need looking into and no longer."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.SECURITY_EVENT_DAYS)
    deleted, _ = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def audit_events_erase(*, user: User) -> int:
    """Delete every event by or about ``user``, and the failed logins that typed one of their
    addresses. Part of erasing an account. Returns how many events went."""
    addresses = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    addresses = {address.lower() for address in addresses}
    deleted, _ = AuditEvent.objects.filter(Q(actor=user) | Q(subject=user) | Q(email__in=addresses)).delete()
    return deleted
