"""The Atom feed of open needs (/opportunities/feed/): the list of /opportunities/ for any filter, to follow
in a feed reader. The same query string and FilterSet as the page; newest first unless it asks for another
order. Only what the public page shows, and links to SITE_URL (a feed is read away from the site)."""

import hashlib

from django.contrib.syndication.views import Feed
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from globalir import shared_pages
from globalir.links import absolute_url
from globalir.release import release

from . import listing_cache
from .filters import FILTER_PARAMETERS, SORT_NEWEST
from .models import Need
from .opportunities import opportunity_search

FEED_SIZE = 50


def feed_query(data: QueryDict) -> str:
    """The query string of a filtered list without its page: what the feed of that list takes."""
    query = data.copy()
    for name in list(query):
        if name not in (*FILTER_PARAMETERS, "sort"):
            query.pop(name)
    return query.urlencode()


class OpportunityFeed(Feed):
    feed_type = Atom1Feed
    description_template = "programmes/feeds/need_summary.html"

    def get_object(self, request: HttpRequest):
        data = request.GET.copy()
        data.setdefault("sort", SORT_NEWEST)
        search = opportunity_search(data=data, profile=None, page_number=None, per_page=FEED_SIZE)
        return {"search": search, "query": feed_query(request.GET)}

    def title(self, obj) -> str:
        if obj["search"].filter.is_filtered:
            return _("GlobalIR: volunteer opportunities matching your filters")
        return _("GlobalIR: volunteer opportunities")

    def subtitle(self, obj) -> str:
        return _("Open needs posted by verified partner organisations.")

    def link(self, obj) -> str:
        path = reverse("programmes:opportunity-list")
        return absolute_url(f"{path}?{obj['query']}" if obj["query"] else path)

    def feed_url(self, obj) -> str:
        path = reverse("programmes:opportunity-feed")
        return absolute_url(f"{path}?{obj['query']}" if obj["query"] else path)

    def items(self, obj) -> list[Need]:
        return list(obj["search"].page.object_list)

    def item_title(self, item: Need) -> str:
        return item.title

    def item_link(self, item: Need) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Need):
        return item.created_at

    def item_updateddate(self, item: Need):
        return item.updated_at

    def item_author_name(self, item: Need) -> str:
        # The organisation that posted it, never a person.
        return str(item.programme.lead_organisation)


opportunity_feed_view = OpportunityFeed()


@require_safe
def opportunity_feed(request: HttpRequest):
    """The feed, kept in the shared cache under the listing's data version, the date, the language and the
    query string (programmes.listing_cache): feed readers ask often, and the list changes seldom."""
    version = listing_cache.opportunity_listing_version()
    query = hashlib.sha256(request.META.get("QUERY_STRING", "").encode()).hexdigest()
    key = f"opportunity-feed:{release()}:{version}:{timezone.localdate().isoformat()}:{get_language()}:{query}"
    cache = caches["default"]
    stored = cache.get(key)
    if stored is None:
        response = opportunity_feed_view(request)
        stored = (response.content, response["Content-Type"])
        cache.set(key, stored, shared_pages.PAGE_SECONDS)
    response = HttpResponse(stored[0], content_type=stored[1])
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
