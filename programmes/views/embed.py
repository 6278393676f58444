"""/embed/<organisation-slug>/: one organisation's open needs as a small page of its own, for partners to show in
an <iframe> on their websites. No JavaScript, one small stylesheet, and links that open the portal in a new tab.

Every other page of the portal forbids framing (X-Frame-Options: DENY, frame-ancestors 'none'); this one lets
the portal itself and the websites its organisation named (Organisation.embed_origins) frame it. An unknown,
unverified or archived organisation is a 404.
"""

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from globalir import shared_pages
from globalir.release import release
from organisations.selectors import organisation_listed_by_slug_queryset

from .. import listing_cache
from ..selectors import need_card_queryset, organisation_open_needs_queryset

EMBED_TEMPLATE = "programmes/embed.html"
EMBED_SIZE = 50


def _language(request) -> str:
    """The language asked for with ?lang= (the partner's page may be in another language than its visitor's
    browser), else the visitor's."""
    asked = request.GET.get("lang", "")
    if asked in dict(settings.LANGUAGES):
        return asked
    return translation.get_language()


@xframe_options_exempt
@require_safe
def organisation_embed(request, slug):
    organisation = get_object_or_404(organisation_listed_by_slug_queryset(), slug=slug)
    language = _language(request)
    version = listing_cache.opportunity_listing_version()
    key = f"embed:{organisation.pk}:{release()}:{version}:{timezone.localdate().isoformat()}:{language}"
    cache = caches["default"]
    content = cache.get(key)
    if content is None:
        with translation.override(language):
            needs = list(need_card_queryset(organisation_open_needs_queryset(organisation=organisation))[:EMBED_SIZE])
            content = render_to_string(
                EMBED_TEMPLATE,
                {
                    "organisation": organisation,
                    "needs": needs,
                    "LANGUAGE_CODE": language,
                    # The links open the portal from a partner's website.
                    "site_url": settings.SITE_URL,
                },
            )
        cache.set(key, content, shared_pages.PAGE_SECONDS)
    response = HttpResponse(content)
    # Framed by the portal (the organisation admin's preview) and the websites the organisation named.
    response._csp_replace = {"frame-ancestors": ["'self'", *organisation.embed_origin_list]}
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
