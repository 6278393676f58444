"""Middleware of the whole portal."""

from django.core.exceptions import BadRequest
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

NUL = "\x00"

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


def has_nul_character(query) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


class RefuseNulCharactersMiddleware:
    """Answer 400 (our page) to a request whose path or query string holds a NUL character, before any
    view, allauth's or the admin's included, can look anything up with it; drop a cookie that holds one.

    PostgreSQL refuses a NUL character in a query's text: a NUL that reached a lookup (a token, a filter,
    an object id in the path, a session key) was a server error there, where SQLite answered. No link,
    form or browser puts one in an address, so refusing it here, once, is both safe and complete, where
    a check in each view would be forgotten in the next one. A cookie is dropped rather than refused:
    a browser would send it again with every request, and a session cookie that is no session makes the
    visitor anonymous, which is all it can mean. Form fields are left to the forms: Django's refuse a
    NUL in the one field that holds it, with a message, and keep the rest of what was typed.

    Placed before the session middleware, which reads the session cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path_info or has_nul_character(request.GET):
            raise BadRequest(_("The address contains a NUL character."))
        for name in [name for name, value in request.COOKIES.items() if NUL in name or NUL in value]:
            del request.COOKIES[name]
        return self.get_response(request)
