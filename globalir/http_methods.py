"""The portal speaks GET, HEAD and POST: its pages are links and HTML forms, and it has no API."""

from django.http import HttpResponseNotAllowed

ALLOWED_METHODS = ("GET", "HEAD", "POST")


class OnlyGetHeadPostMiddleware:
    """Answer any other verb (PUT, PATCH, DELETE, OPTIONS, TRACE…) with 405 before a view sees it.

    A function view answers every verb its decorators do not refuse: without this, a PUT to a form
    page is served like a GET, and a view that forgets its decorator would act on a DELETE. Placed
    before the session is read, so that such a request costs nothing and changes nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)
