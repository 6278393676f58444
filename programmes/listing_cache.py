"""The caches of /opportunities/, and the data version that keeps them fresh.

Three caches, and what invalidates each:

- Whole responses for anonymous visitors (the page and its htmx results fragment), in the shared cache
  (``caches["default"]``: Redis when REDIS_URL is set, so every web process and node serves and fills the
  same entries). Filed under the data version, today's date (needs leave the list when their deadline
  passes), the language, htmx-or-not and the full query string. Only for visitors who are not signed in
  and have no message waiting; the CSRF token is left out of the stored page and put back per visitor.
- The rendered filter form, for signed-in visitors (whose pages are never shared), in each process's own
  memory (``caches["local"]``), filed under the data version, the date, the language, the query string and
  the two flags that change the form (sort by fit offered, electives first). The filter menus it shows are kept
  the same way.
- The rendered results region (count, cards, page links), for signed-in visitors and for anonymous pages being
  rendered, in each process's own memory (``caches["opportunity-results"]``), filed under the data version,
  the date, the language, the query string, the two flags that change the filters, and for "best fit" the
  volunteer and the version of the matcher's stored scores for them (programmes.hooks.opportunity_fit_version:
  a refresh that changes one of their scores changes it). "Best fit" scored live (the matcher has stored
  nothing for the volunteer yet) is never kept: it follows the volunteer's profile.
- Result cards, in each process's own memory, filed under everything the card shows
  (programmes.templatetags.opportunity_cards): never stale, so they need no invalidation.

The data version (programmes.models.ListingVersion) is counted by the database itself: triggers on every
table the list reads (needs, programmes, sites, electives, organisations, skills, languages and the links
between them) bump it in the writing transaction, so saves, queryset updates, bulk inserts, the admin and
raw SQL all count, and the new version is seen by every process exactly when the change is committed. There
is no expiry to wait for: an edit shows on the next request.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import caches
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from volunteers.models import VolunteerProfile

from . import hooks
from .filters import SORT_FIT, OpportunityFilter
from .models import ListingVersion

# A whole page stays until its version or date has moved on; a day bounds what old versions hold in Redis.
PAGE_SECONDS = 24 * 3600
# A rendered results region of an old version is unused; it leaves this process's memory after this long.
RESULTS_SECONDS = 3600
# Stands for the visitor's CSRF token in a stored page (letters only, so that escaping leaves it as is).
CSRF_PLACEHOLDER = "opportunitiescsrftokenplaceholderXq7RkT"
# Whatever a cache in front of the site keys on must include these: the page differs by each.
VARY = ("HX-Request", "HX-History-Restore-Request", "Accept-Language", "Cookie")


def _shared():
    return caches["default"]


def opportunity_listing_version() -> int:
    """The data version of the listing, which every cache of /opportunities/ is filed under: one small query."""
    return ListingVersion.objects.aggregate(version=Sum("number"))["version"] or 0


def results_key(
    *, version: int, query_string: str, search_filter: OpportunityFilter, profile: VolunteerProfile | None
) -> str | None:
    """What the rendered results region for this query and visitor is filed under; None when it is not kept
    ("best fit" scored live, while the matcher has stored nothing for the volunteer)."""
    fit = ""
    if profile is not None and search_filter.sort_order == SORT_FIT:
        fit_version = hooks.opportunity_fit_version(profile=profile)
        if not fit_version:
            return None
        fit = f"{profile.pk}:{fit_version}"
    digest = hashlib.sha256(query_string.encode()).hexdigest()
    return (
        f"opportunity-results:{version}:{timezone.localdate().isoformat()}:{get_language()}:{digest}:"
        f"{int(search_filter.can_sort_by_fit)}:{int(search_filter.electives_first)}:{fit}"
    )


def results_region(key: str, render: Callable[[], str]) -> str:
    """The rendered results region filed under `key` (`results_key`), rendered by `render()` and kept when missing."""
    return caches["opportunity-results"].get_or_set(key, render, RESULTS_SECONDS)


def filter_form_key(*, version: int, query_string: str, can_sort_by_fit: bool, electives_first: bool) -> str:
    """What a rendered filter form is filed under, with the language (the {% cache %} tag adds it)."""
    digest = hashlib.sha256(query_string.encode()).hexdigest()
    return f"{version}:{timezone.localdate().isoformat()}:{digest}:{int(can_sort_by_fit)}:{int(electives_first)}"


# Whole responses for anonymous visitors


def can_share_response(request: HttpRequest) -> bool:
    """Whether the visitor sees the page everyone else sees: not signed in, and no message waiting for them."""
    from django.contrib import messages

    return not request.user.is_authenticated and not len(messages.get_messages(request))


def _page_key(request: HttpRequest, *, version: int, results_only: bool) -> str:
    query = hashlib.sha256(request.META.get("QUERY_STRING", "").encode()).hexdigest()
    fragment = "fragment" if results_only else "page"
    return f"opportunities:{fragment}:{version}:{timezone.localdate().isoformat()}:{get_language()}:{query}"


def _with_token(request: HttpRequest, content: bytes, content_type: str) -> HttpResponse:
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in content:
        content = content.replace(placeholder, get_token(request).encode())
    response = HttpResponse(content, content_type=content_type)
    patch_vary_headers(response, VARY)
    return response


def shared_response(request: HttpRequest, *, version: int, results_only: bool, render) -> HttpResponse:
    """The anonymous page (or fragment) from the shared cache; rendered with `render(csrf_token=...)` and stored
    when missing. Only for requests `can_share_response` accepts."""
    key = _page_key(request, version=version, results_only=results_only)
    stored = _shared().get(key)
    if stored is None:
        response = render(csrf_token=CSRF_PLACEHOLDER)
        if response.status_code != 200:
            return response
        stored = (response.content, response["Content-Type"])
        _shared().set(key, stored, PAGE_SECONDS)
    return _with_token(request, *stored)
