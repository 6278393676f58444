"""Public pages: the home page, the organisation directory and each organisation's page."""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from globalir.views import paginate

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
    page, page_range = paginate(request, directory.qs, settings.DIRECTORY_PAGE_SIZE)
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "filter": directory,
            "page_obj": page,
            "organisations": page.object_list,
            "page_range": page_range,
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
