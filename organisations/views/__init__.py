"""Public pages: the home page, the organisation directory and each organisation's page."""

from functools import wraps

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from globalir import shared_pages
from globalir.views import paginate

from .. import hooks, selectors


def shared_for_anonymous(name: str):
    """The view's page kept whole for anonymous visitors under the public data version (globalir.shared_pages),
    when an app provides one; rendered each time for everyone else."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # Signed-in visitors' pages are never shared: they need no version.
            if not shared_pages.can_share_response(request):
                return view(request, *args, **kwargs)
            version = hooks.public_data_version()
            if version is None:
                return view(request, *args, **kwargs)
            return shared_pages.shared_response(
                request,
                name=name,
                version=version,
                render=lambda **extra: view(request, *args, extra_context=extra, **kwargs),
            )

        return wrapper

    return decorator


@require_safe
@shared_for_anonymous("home")
def home(request, extra_context=None):
    return render(
        request,
        "home.html",
        {
            "featured_organisations": selectors.organisation_featured_list(),
            "listed_organisation_count": selectors.organisation_listed_count(),
            **(extra_context or {}),
        },
    )


@require_safe
@shared_for_anonymous("directory")
def organisation_list(request, extra_context=None):
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
            **(extra_context or {}),
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
