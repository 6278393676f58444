"""Browsing open needs: /opportunities/, /opportunities/<id>/ and /opportunities/map/."""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from globalir import shared_pages
from volunteers.selectors import volunteer_profile_for_user

from .. import feeds, hooks, listing_cache, opportunities, world_map
from ..filters import SORT_FIT
from .access import need_for_reader

LIST_TEMPLATE = "programmes/opportunity_list.html"
RESULTS_TEMPLATE = "programmes/includes/opportunity_results.html"
RESULTS_REGION_TEMPLATE = "programmes/includes/opportunity_results_region.html"
DETAIL_TEMPLATE = "programmes/opportunity_detail.html"
MAP_TEMPLATE = "programmes/opportunity_map.html"


def wants_results_only(request) -> bool:
    """An htmx request from the filter form or the page links: only the results region is replaced.

    When htmx restores a page missing from its history cache it asks for the whole page again.
    """
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


@require_safe
def opportunity_list(request):
    results_only = wants_results_only(request)
    # Read once, before the data: every cache of the page is filed under it (programmes.listing_cache).
    version = listing_cache.opportunity_listing_version()
    if shared_pages.can_share_response(request):
        # Anonymous visitors all see the same page: served from the shared cache.
        return shared_pages.shared_response(
            request,
            name="opportunities-fragment" if results_only else "opportunities",
            version=version,
            render=lambda **extra: render_list(
                request, version=version, results_only=results_only, extra_context=extra
            ),
            vary=listing_cache.VARY,
        )
    return render_list(request, version=version, results_only=results_only)


def render_list(request, *, version: int, results_only: bool, extra_context: dict | None = None):
    # For "best fit", the version of the volunteer's stored scores (which its kept results are filed under) is read
    # with their profile.
    wants_fit = request.GET.get("sort") == SORT_FIT
    profile = volunteer_profile_for_user(
        user=request.user, annotations=hooks.opportunity_fit_version_annotations() if wants_fit else None
    )
    search_filter = opportunities.opportunity_filter(data=request.GET, profile=profile, version=version)
    query_string = request.META.get("QUERY_STRING", "")
    context = {
        "filter": search_filter,
        "profile": profile,
        "results_only": results_only,
        # The feed of the list as filtered (<link rel="alternate">).
        "feed_query": feeds.feed_query(request.GET),
        # The rendered filter fields are kept under this (programmes.listing_cache); a fragment has no form.
        "filter_fields_key": ""
        if results_only
        else listing_cache.filter_fields_key(
            version=version,
            can_sort_by_fit=search_filter.can_sort_by_fit,
            electives_first=search_filter.electives_first,
        ),
        **(extra_context or {}),
    }

    def render_results() -> str:
        search = opportunities.opportunity_search(
            data=request.GET,
            profile=profile,
            page_number=request.GET.get("page"),
            version=version,
            search_filter=search_filter,
        )
        region = {"search": search, "page_obj": search.page, "needs": search.page.object_list}
        return render_to_string(RESULTS_REGION_TEMPLATE, {**context, **region}, request=request)

    # The count, cards and page links, kept under the data version and what else they depend on
    # (programmes.listing_cache): on a hit, the page needs no query of the needs.
    key = listing_cache.results_key(
        version=version, query_string=query_string, search_filter=search_filter, profile=profile
    )
    context["results_region"] = listing_cache.results_region(key, render_results) if key else render_results()
    response = render(request, RESULTS_TEMPLATE if results_only else LIST_TEMPLATE, context)
    # The same address answers with a whole page or only the results: caches must keep both apart.
    patch_vary_headers(response, listing_cache.VARY)
    return response


@require_safe
def opportunity_detail(request, pk):
    return render_need_page(request, need_for_reader(request, pk))


def render_need_page(request, need, *, extra_context: dict | None = None, status: int = 200):
    """The need's page. For a signed-in volunteer it also says how the need fits them (matcher's
    {% need_fit %}) and holds the form to apply (placements' {% need_apply %}), which a refused application
    fills through `extra_context`."""
    # A filled or closed need keeps its page (applicants and coordinators follow links to it), without the form.
    accepts_applications = need.is_listed() and need.accepts_applications(timezone.localdate())
    programme = need.programme
    context = {
        "need": need,
        "programme": programme,
        # Prefetched with the need, or read only when the kept part of the page is rendered again.
        "partners": programme.listed_partners
        if hasattr(programme, "listed_partners")
        else programme.partners.listed().order_by("name"),
        # The part of the page that shows only the need, its programme and their links is kept under the listing's
        # data version, read with the need (programmes.selectors.need_page_queryset).
        "listing_version": need.listing_version,
        "support": need.support_offered(),
        "accepts_applications": accepts_applications,
        "profile": volunteer_profile_for_user(user=request.user),
        **(extra_context or {}),
    }
    return render(request, DETAIL_TEMPLATE, context, status=status)


@require_safe
def opportunity_map(request):
    """Where help is asked for: the world map of open needs, with its list of countries as text."""
    return render(request, MAP_TEMPLATE, {"map": world_map.opportunity_map()})
