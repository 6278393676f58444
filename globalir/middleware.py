"""Middleware of the whole portal."""

from django.utils.cache import add_never_cache_headers

# Pages under these paths carry personal data or a secret even when nobody is signed in: the
# account pages (sign-up, password reset links), the calendar feed reached with a token, e-mail
# unsubscribe and invitation links, and the admin.
PRIVATE_PATH_PREFIXES = (
    "/accounts/",
    "/me/",
    "/credentials/",
    "/coordinate/",
    "/notifications/",
    "/organisations/invitations/",
    "/admin/",
)


def response_is_private(request) -> bool:
    # Every page a signed-in user sees may show their name, their data or their organisation's.
    # Only public pages seen anonymously may be kept by a browser or a shared cache.
    if request.path_info.startswith(PRIVATE_PATH_PREFIXES):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreForPersonalDataMiddleware:
    """Send `Cache-Control: no-store` (Django's never-cache headers) with every private response.

    A shared computer's back button or a proxy's cache must not hand one person's dashboard,
    credentials or export to the next. Placed after AuthenticationMiddleware, so that it knows who
    is signed in, and before the middleware that may answer for a view (allauth's, MFA's).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response_is_private(request):
            add_never_cache_headers(response)
        return response
