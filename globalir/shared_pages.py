"""Whole pages that every anonymous visitor sees alike, kept in the shared cache under a data version.

``caches["default"]`` is Redis when REDIS_URL is set, so every web process and node serves and fills the same
entries. A page is filed under its name, the release (globalir.release: a deploy renders pages anew), the data
version its caller read before the data (a number the database moves on with every committed write to what the
page shows), today's date, the language and the full query string: a change is a new entry at once, with no
expiry to wait for. Only for visitors who are not signed
in and have no message waiting; the CSRF token is left out of the stored page and put back per visitor.
"""

import hashlib
from collections.abc import Callable, Iterable

from django.contrib import messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from .release import release

# A page stays until its version or date has moved on; a day bounds what old versions hold in Redis.
PAGE_SECONDS = 24 * 3600
# Stands for the visitor's CSRF token in a stored page (letters only, so that escaping leaves it as is).
CSRF_PLACEHOLDER = "sharedpagecsrftokenplaceholderXq7RkT"
# Whatever a cache in front of the site keys on must include these: a stored page differs by each.
VARY = ("Accept-Language", "Cookie")


def can_share_response(request: HttpRequest) -> bool:
    """Whether the visitor sees the page everyone else sees: not signed in, and no message waiting for them."""
    return not request.user.is_authenticated and not len(messages.get_messages(request))


def _page_key(request: HttpRequest, *, name: str, version: int) -> str:
    query = hashlib.sha256(request.META.get("QUERY_STRING", "").encode()).hexdigest()
    return f"shared-page:{name}:{release()}:{version}:{timezone.localdate().isoformat()}:{get_language()}:{query}"


def shared_response(
    request: HttpRequest,
    *,
    name: str,
    version: int,
    render: Callable[..., HttpResponse],
    vary: Iterable[str] = (),
) -> HttpResponse:
    """The page `name` from the shared cache; rendered with `render(csrf_token=...)` and stored when missing
    (only a 200 is stored). Only for requests `can_share_response` accepts; `name` tells apart the variants of
    one address (a whole page or an htmx fragment), which `vary` names for caches in front of the site."""
    cache = caches["default"]
    key = _page_key(request, name=name, version=version)
    stored = cache.get(key)
    if stored is None:
        response = render(csrf_token=CSRF_PLACEHOLDER)
        if response.status_code != 200:
            return response
        stored = (response.content, response["Content-Type"])
        cache.set(key, stored, PAGE_SECONDS)
    content, content_type = stored
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in content:
        content = content.replace(placeholder, get_token(request).encode())
    response = HttpResponse(content, content_type=content_type)
    patch_vary_headers(response, (*VARY, *vary))
    return response
