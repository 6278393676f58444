"""The filters of /api/v1/needs/: those of /opportunities/ (programmes.filters.OpportunityFilter), one definition."""

from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation

from programmes.filters import OpportunityFilter
from programmes.opportunities import opportunity_filter

from .conditional import listing_version
from .selectors import api_need_queryset


class NeedApiFilter(OpportunityFilter):
    """The page's filters, without its sort order: the API's order is the cursor's (newest first)."""


del NeedApiFilter.base_filters["sort"]


class OpportunityFilterBackend(DjangoFilterBackend):
    """Binds the page's filters, with their menus, the way the page does (programmes.opportunities). A value the
    filters refuse is a 400 naming the parameter, with the page's message, rather than being ignored."""

    def get_filterset(self, request, queryset, view):
        return opportunity_filter(
            data=request.query_params, version=listing_version(request), filterset_class=view.filterset_class
        )

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return api_need_queryset(filterset.qs)
