"""Records every refused access to an object's URL as a security event; activates a signed-in user's language."""

import logging

from django.db import DatabaseError
from django.utils import translation

from .audit import audit_access_refused

logger = logging.getLogger(__name__)

REFUSED = frozenset({403, 404})


class AccessRefusedAuditMiddleware:
    """A 403 or 404 answered on a URL that names an object (its pattern has arguments) is recorded
    once, with who asked. The response is never changed.

    A view raising PermissionDenied or Http404 is covered too: Django turns the exception into a
    response before it reaches this middleware. A path that resolves to no view is not an object
    URL (scanners probing for files) and is not recorded.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in REFUSED:
            match = getattr(request, "resolver_match", None)
            if match is not None and match.kwargs:
                try:
                    audit_access_refused(request=request, status_code=response.status_code)
                except DatabaseError:
                    # The visitor still gets their answer; the failure is in the log for the admins.
                    logger.exception("Could not record a refused access (status %s)", response.status_code)
        return response


class UserLanguageMiddleware:
    """A signed-in user reads the portal in the language of their account, on every device.

    Runs after LocaleMiddleware (which chose from the language cookie or the browser's preferences) and
    after AuthenticationMiddleware. The account's language wins, so that changing it on one device
    changes it everywhere; a user who has none yet keeps the language LocaleMiddleware chose.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.user.language if request.user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
