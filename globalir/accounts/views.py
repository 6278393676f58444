"""The page of a request refused for being one too many (HTTP 429), and the language an account reads.

allauth answers with the 429 page when a rate limit of ACCOUNT_RATE_LIMITS runs out (it calls the
URLconf's ``handler429``): the site's layout, in the visitor's language, saying when to try again, and a
Retry-After header for clients that read it.
"""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_safe

from .forms import LanguageForm
from .ratelimits import rate_limit_wait, wait_in_words
from .services import user_language_set

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


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switcher (it sets this browser's language cookie and goes back to ``next``). For a
    signed-in user the account takes the language too, so that their other devices and the e-mails sent
    to them follow it. A language the portal does not offer changes nothing."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        form = LanguageForm(request.POST)
        if form.is_valid():
            user = user_language_set(user=request.user, language=form.cleaned_data["language"])
            with translation.override(user.language):
                name = capfirst(translation.get_language_info(user.language)["name_local"])
                messages.success(
                    request,
                    # The language's own name, capitalised as a title ("Español"): after a colon, not mid-sentence.
                    _("Language saved: %(language)s. The portal and the e-mails it sends you use it from now on.")
                    % {"language": name},
                )
    return response


@require_safe
@login_required
def account_language(request: HttpRequest) -> HttpResponse:
    """Under Account: the language of the pages and of the e-mails. The form posts to set_language."""
    current = request.user.language or translation.get_language()
    return render(request, "account/language.html", {"current": current, "languages": settings.LANGUAGES})


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """The cookie Django's LocaleMiddleware reads, set as Django's own set_language sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
