"""Public pages: the home page, the organisation directory and each organisation's page."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .. import selectors


@require_safe
def home(request):
    return render(
        request,
        "home.html",
        {
            "featured_organisations": selectors.organisation_featured_list(),
            "listed_organisation_count": selectors.organisation_listed_count(),
        },
    )


@require_safe
def organisation_list(request):
    directory = selectors.organisation_directory(data=request.GET)
    paginator = Paginator(directory.qs, settings.DIRECTORY_PAGE_SIZE)
    # get_page() turns "abc" into the first page and a page past the end into the last one.
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "filter": directory,
            "page_obj": page,
            "organisations": page.object_list,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


@require_safe
def organisation_detail(request, slug):
    organisation = get_object_or_404(selectors.organisation_listed_by_slug_queryset(), slug=slug)
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "partners": organisation.listed_partners,
            "social_links": selectors.organisation_social_links(organisation=organisation),
        },
    )
