"""The caches of /opportunities/ and of need pages, and the data version that keeps them fresh.

Each cache, and what invalidates it:

- Whole responses for anonymous visitors (the page and its htmx results fragment), in the shared cache
  (globalir.shared_pages), filed under the data version, today's date (needs leave the list when their
  deadline passes), the language, htmx-or-not and the full query string. The home page and the organisation
  directory are kept the same way under the same version (``organisations.hooks.public_data_version``).
- The rendered filter fields, for every page being rendered, in each process's own memory
  (``caches["local"]``), each filed under the data version, the date, the language, the two flags that change
  the menus (sort by fit offered, electives first) and the value the field shows
  (globalir.templatetags.field_groups). The filter menus they show are kept the same way.
- The rendered results region (count, cards, page links), for signed-in visitors and for anonymous pages being
  rendered, in each process's own memory (``caches["opportunity-results"]``), filed under the data version,
  the date, the language, the query string, the two flags that change the filters, and for "best fit" the
  volunteer and the version of the matcher's stored scores for them (programmes.hooks.opportunity_fit_version:
  a refresh that changes one of their scores changes it). "Best fit" scored live (the matcher has stored
  nothing for the volunteer yet) is never kept: it follows the volunteer's profile.
- The part of a need's page that shows only the need, its programme and their links (facts, skills, support,
  partners), for every visitor, in each process's own memory (``caches["local"]``), filed under the need, the
  data version and the language (templates/programmes/opportunity_detail.html).
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
from django.utils import timezone
from django.utils.translation import get_language

from globalir import shared_pages
from globalir.release import release
from volunteers.models import VolunteerProfile

from . import hooks
from .filters import SORT_FIT, OpportunityFilter
from .models import ListingVersion

# A rendered results region of an old version is unused; it leaves this process's memory after this long.
RESULTS_SECONDS = 3600
# Whatever a cache in front of the site keys on must include these: the page differs by each.
VARY = ("HX-Request", "HX-History-Restore-Request", *shared_pages.VARY)


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
        f"opportunity-results:{release()}:{version}:{timezone.localdate().isoformat()}:{get_language()}:{digest}:"
        f"{int(search_filter.can_sort_by_fit)}:{int(search_filter.electives_first)}:{fit}"
    )


def results_region(key: str, render: Callable[[], str]) -> str:
    """The rendered results region filed under `key` (`results_key`), rendered by `render()` and kept when missing."""
    return caches["opportunity-results"].get_or_set(key, render, RESULTS_SECONDS)


def filter_fields_key(*, version: int, can_sort_by_fit: bool, electives_first: bool) -> str:
    """What the rendered filter fields are filed under, besides the language and the value each shows
    (globalir.templatetags.field_groups adds both)."""
    return f"{version}:{timezone.localdate().isoformat()}:{int(can_sort_by_fit)}:{int(electives_first)}"
