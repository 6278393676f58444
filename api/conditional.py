"""ETag and Last-Modified of the public endpoints, from the listing's data version (programmes.listing_cache).

The version moves on with every write to the tables these endpoints read (needs, programmes, organisations,
sites, skills, languages and their links), counted by the database's triggers: an unchanged version and date
mean an unchanged answer. The ETag is the version, the date (needs leave the list when their deadline passes)
and the address asked. The Last-Modified is when a process first saw that version, kept in the shared cache,
and always later than the one served for the version before it.

Answered inside REST framework (`ConditionalAnswers`), after authentication and the rate limits: a request made
with a token is recorded whatever its answer, a 304 included (api.views.AuditedTokenUse).
"""

import datetime
import hashlib

from django.core.cache import caches
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from programmes.listing_cache import opportunity_listing_version

SEEN_SECONDS = 7 * 24 * 3600
LATEST_KEY = "api:last-modified:latest"


def listing_version(request) -> int:
    """The listing's data version, read once per request (the ETag, the Last-Modified and the filters' menus use
    it); `request` is Django's or REST framework's."""
    request = getattr(request, "_request", request)
    if not hasattr(request, "_api_listing_version"):
        request._api_listing_version = opportunity_listing_version()
    return request._api_listing_version


def api_etag(request, *args, **kwargs) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:20]
    return f'"{listing_version(request)}-{timezone.localdate().isoformat()}-{digest}"'


def api_last_modified(request, *args, **kwargs) -> datetime.datetime:
    cache = caches["default"]
    key = f"api:last-modified:{listing_version(request)}"
    seen = cache.get(key)
    if seen is None:
        now = timezone.now().replace(microsecond=0)
        latest = cache.get(LATEST_KEY)
        # HTTP dates count whole seconds: a later version must never share its predecessor's date.
        if latest is not None and latest >= now:
            now = latest + datetime.timedelta(seconds=1)
        cache.add(key, now, SEEN_SECONDS)
        cache.set(LATEST_KEY, now, SEEN_SECONDS)
        seen = cache.get(key, now)
    # Needs leave the list at midnight without any write: the day's start is a change too.
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    return max(seen, midnight)


class ConditionalAnswers:
    """A read viewset's answers with their ETag and Last-Modified, and a 304 when the client holds the answer."""

    def _answer(self, request, read, *args, **kwargs):
        etag = api_etag(request)
        last_modified = int(api_last_modified(request).timestamp())
        unchanged = get_conditional_response(request._request, etag=etag, last_modified=last_modified)
        if unchanged is not None:
            return unchanged
        response = read(request, *args, **kwargs)
        if response.status_code == 200:
            response.headers["ETag"] = quote_etag(etag)
            response.headers["Last-Modified"] = http_date(last_modified)
        return response

    def list(self, request, *args, **kwargs):
        return self._answer(request, super().list, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(request, super().retrieve, *args, **kwargs)
