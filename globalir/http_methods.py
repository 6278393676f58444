"""The portal speaks GET, HEAD and POST: its pages are links and HTML forms; its API adds PATCH."""

from django.http import HttpResponseNotAllowed

ALLOWED_METHODS = ("GET", "HEAD", "POST")
# The API (api/) also changes a need with PATCH; REST framework's views refuse any verb they do not take.
API_PREFIX = "/api/"
API_METHODS = (*ALLOWED_METHODS, "PATCH")


class OnlyGetHeadPostMiddleware:
    """Answer any other verb (PUT, PATCH, DELETE, OPTIONS, TRACE…) with 405 before a view sees it.

    A function view answers every verb its decorators do not refuse: without this, a PUT to a form
    page is served like a GET, and a view that forgets its decorator would act on a DELETE. Placed
    before the session is read, so that such a request costs nothing and changes nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = API_METHODS if request.path_info.startswith(API_PREFIX) else ALLOWED_METHODS
        if request.method not in allowed:
            return HttpResponseNotAllowed(allowed)
        return self.get_response(request)
