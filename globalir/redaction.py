"""Secrets kept out of what the portal records: security events, the log and the access log.

Some URLs carry a secret: allauth's e-mail confirmation and password-reset keys, the invitation and
unsubscribe tokens in the path, the calendar feed's ``?token=``. Whoever reads a log or the admin
must not be able to follow them, so their values are replaced by ``HIDDEN`` wherever a URL is kept.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote

from django.http import HttpRequest
from django.urls import Resolver404, resolve

HIDDEN = "[hidden]"
# URL keyword arguments and query parameters that carry a secret (allauth's password-reset URL
# also has the account's number in base 36, which is no secret).
SECRET_URL_KWARGS = frozenset({"key", "token"})


def url_secrets(request: HttpRequest | None) -> list[str]:
    """The secret values in the request's URL, as resolved (empty when it did not resolve)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return []
    return [str(value) for name, value in match.kwargs.items() if name in SECRET_URL_KWARGS and value]


def hide_url_secrets(text: str, secrets: list[str]) -> str:
    """``text`` with the last occurrence of each secret hidden: URL arguments come after the fixed
    part of the path, so a short secret ("x") never hides a letter of it."""
    # Longest first, so that a secret containing another one is hidden whole.
    for secret in sorted(secrets, key=len, reverse=True):
        before, found, after = text.rpartition(secret)
        if found:
            text = before + HIDDEN + after
    return text


def hide_query_secrets(query: str) -> str:
    """The query string with the values of secret parameters hidden (``token=[hidden]``)."""
    pieces = []
    for piece in query.split("&"):
        name = unquote(piece.split("=", 1)[0]).strip().lower()
        pieces.append(f"{piece.split('=', 1)[0]}={HIDDEN}" if name in SECRET_URL_KWARGS else piece)
    return "&".join(pieces)


def hide_url(url: str) -> str:
    """A path with an optional query string, its secrets hidden. The path is resolved to know which
    of its parts are secret; one that resolves to no view carries none of the portal's secrets."""
    path, separator, query = url.partition("?")
    try:
        match = resolve(unquote(path))
    except (Resolver404, ValueError):
        match = None
    if match is not None:
        secrets = [str(value) for name, value in match.kwargs.items() if name in SECRET_URL_KWARGS and value]
        path = hide_url_secrets(unquote(path), secrets) if secrets else path
    return path + separator + (hide_query_secrets(query) if separator else "")


class HideUrlSecrets(logging.Filter):
    """A logging filter for Django's request loggers ("Not Found: /organisations/invitations/…/"):
    every argument that is a URL of the portal is logged with its secrets hidden."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                hide_url(argument) if isinstance(argument, str) and argument.startswith("/") else argument
                for argument in record.args
            )
        return True
