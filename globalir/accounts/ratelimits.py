"""Failed logins are limited so that an attacker cannot lock a known user out.

allauth counts failed logins per account and per address (ACCOUNT_RATE_LIMITS["login_failed"]):
anyone who knows an address could then keep its owner out, a site admin included, with five wrong
passwords every five minutes. The adapter (globalir.accounts.adapter) counts instead:

- from a browser that has signed in to the account before (a signed, long-lived "known device"
  cookie, set when a login completes, after the second factor): its own tries for that account
  only (``login_failed_known_device``), which nobody without the cookie can spend;
- from any other client: its address's tries, whatever the account (``login_failed_address``),
  and the account's tries from all unknown clients together (``login_failed``, the count allauth
  clears when the password is reset).

Each count has windows of growing length (five minutes, an hour, a day: settings.py), so a
sustained attack is slowed further and further. The right password (and second factor, where
enrolled) still signs in from a known browser whatever unknown clients do.

The counts are allauth's own, in the shared cache, through the same calls its adapter makes.
"""

from __future__ import annotations

import datetime
import math
import secrets
import time
from dataclasses import dataclass

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.timesince import timeuntil

from .models import User

APP = "allauth.account"
KNOWN_DEVICE_COOKIE = "globalir_known_device"
_SALT = "globalir.accounts.known-device"
# A browser remembers this many accounts (a shared computer at a hospital signs several people in).
KNOWN_DEVICE_ACCOUNTS = 5


# --------------------------------------------------------------------------------------------------
# Known devices
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownDevice:
    id: str
    accounts: tuple[str, ...]  # account_token() of each account signed in from this browser


def account_token(user: User) -> str:
    """Stands for the account in the cookie without naming it; it changes with the password, so a
    password reset forgets every browser the account was known on."""
    return salted_hmac(_SALT, f"{user.pk}:{user.get_session_auth_hash()}").hexdigest()[:24]


def known_device_from_request(request: HttpRequest) -> KnownDevice | None:
    """The browser's known-device cookie, when it is one we signed and not older than KNOWN_DEVICE_DAYS."""
    value = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=_SALT, max_age=datetime.timedelta(days=settings.KNOWN_DEVICE_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str) or not isinstance(data.get("a"), list):
        return None
    return KnownDevice(id=data["d"], accounts=tuple(str(token) for token in data["a"]))


def known_device_knows(*, device: KnownDevice | None, email: str) -> bool:
    """Whether the browser has signed in before to the account the address typed belongs to."""
    if device is None or not device.accounts or not email:
        return False
    users = User.objects.filter(Q(email__iexact=email) | Q(emailaddress__email__iexact=email)).distinct()
    return any(account_token(user) in device.accounts for user in users)


def known_device_remember(*, request: HttpRequest, response: HttpResponseBase, user: User) -> None:
    """Set (or renew) the cookie that makes this browser known to ``user``'s account."""
    device = known_device_from_request(request)
    device_id = device.id if device else secrets.token_urlsafe(16)
    token = account_token(user)
    accounts = [token, *(other for other in (device.accounts if device else ()) if other != token)]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps({"d": device_id, "a": accounts[:KNOWN_DEVICE_ACCOUNTS]}, salt=_SALT),
        max_age=settings.KNOWN_DEVICE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --------------------------------------------------------------------------------------------------
# Counting failed logins, and how long until the next try
# --------------------------------------------------------------------------------------------------


class _Usage:
    """The tries one attempt took from several counts; a login that succeeds gives them back."""

    def __init__(self, usages):
        self.usages = usages

    def rollback(self) -> None:
        for usage in self.usages:
            usage.rollback()


@dataclass(frozen=True)
class LoginRefusal:
    limited: str  # "account", "address" or "device": which count ran out
    wait: int  # seconds until a try is counted again


def login_attempt_consume(*, request: HttpRequest, email: str, account_key: str) -> _Usage | LoginRefusal:
    """Count one login attempt for the address typed (``account_key`` is allauth's key for it).

    Returns the tries taken (allauth's adapter gives them back when the password is right) or why
    the attempt is refused and for how long.
    """
    device = known_device_from_request(request)
    if device is not None and known_device_knows(device=device, email=email):
        key = f"{account_key}:device:{device.id}"
        usage = ratelimit.consume(request, app=APP, action="login_failed_known_device", key=key)
        if not usage:
            return LoginRefusal("device", rate_limit_wait(request, action="login_failed_known_device", key=key))
        return _Usage([usage])
    address = ratelimit.consume(request, app=APP, action="login_failed_address")
    if not address:
        return LoginRefusal("address", rate_limit_wait(request, action="login_failed_address"))
    account = ratelimit.consume(request, app=APP, action="login_failed", key=account_key)
    if not account:
        return LoginRefusal("account", rate_limit_wait(request, action="login_failed", key=account_key))
    return _Usage([address, account])


def rate_limit_wait(request: HttpRequest, *, action: str, key: str | None = None) -> int:
    """Seconds until allauth counts a try of ``action`` from this request again (at least one).

    Read from allauth's counts in the cache: each window holds the times of the tries it counted, and
    the window that is full frees a place when the oldest of its last allowed tries leaves it. A
    count that cannot be read here (one per key when the key is unknown) is taken at its longest.
    """
    now = time.time()
    known: list[float] = []
    unknown: list[float] = []
    user = getattr(request, "user", None)
    for rate in ratelimit.get_rates(app=APP, action=action):
        if (rate.per == "key" and key is None) or (rate.per == "user" and not (user and user.is_authenticated)):
            unknown.append(rate.duration)
            continue
        cache_key = ratelimit.get_cache_key(request, app=APP, action=action, rate=rate, key=key, user=user)
        history = [moment for moment in cache.get(cache_key, []) if moment > now - rate.duration]
        if len(history) >= rate.amount:
            # A window allowing no try at all (amount 0) is waited out whole.
            oldest_counted = history[rate.amount - 1] if rate.amount else now
            known.append(oldest_counted + rate.duration - now)
    if known:
        wait = max(known)
    elif unknown:
        wait = max(unknown)
    else:
        wait = 1
    return max(1, math.ceil(wait))


def wait_in_words(seconds: int) -> str:
    """ "4 minutes", "1 hour, 20 minutes": the wait rounded up to the minute, in the visitor's language."""
    now = timezone.now()
    return timeuntil(now + datetime.timedelta(minutes=max(1, math.ceil(seconds / 60))), now)
