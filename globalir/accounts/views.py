"""The page of a request refused for being one too many (HTTP 429).

allauth answers with it when a rate limit of ACCOUNT_RATE_LIMITS runs out (it calls the URLconf's
``handler429``): the site's layout, in the visitor's language, saying when to try again, and a
Retry-After header for clients that read it.
"""

import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .ratelimits import rate_limit_wait, wait_in_words

# The allauth action whose limit each rate-limited page spends (allauth's views and ACCOUNT_RATE_LIMITS).
RATE_LIMITED_VIEWS = {
    "account_login": "login",
    "account_signup": "signup",
    "account_reset_password": "reset_password",
    "account_reset_password_from_key": "reset_password_from_key",
    "account_change_password": "change_password",
    "account_email": "manage_email",
    "account_reauthenticate": "reauthenticate",
    "account_confirm_email": "confirm_email",
    "account_email_verification_sent": "confirm_email",
}
# When the page is not one of those: a minute, the shortest window of allauth's limits.
DEFAULT_WAIT_SECONDS = 60


def too_many_requests(request: HttpRequest) -> HttpResponse:
    match = getattr(request, "resolver_match", None)
    action = RATE_LIMITED_VIEWS.get(match.url_name if match else "")
    if action is None:
        wait = DEFAULT_WAIT_SECONDS
    else:
        key = request.POST.get("email", "").lower() if action == "reset_password" else None
        wait = rate_limit_wait(request, action=action, key=key or None)
    response = render(request, "429.html", {"wait": wait_in_words(wait)}, status=429)
    response["Retry-After"] = str(math.ceil(wait))
    return response
