"""Two-factor authentication is required of coordinators, organisation admins and staff.

Until they have set up an authenticator app, every page but the enrolment pages sends them there.
Logging in with an authenticator is allauth's own step (allauth.mfa): once enrolled, the password
alone no longer signs them in.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import MFAStatus, user_mfa_status

# What a user who must enrol can still reach: the enrolment pages, the password prompt allauth puts
# in front of them (re-authentication), the recovery codes it shows afterwards, logging out and the
# language switcher. Static files never reach a view (WhiteNoise serves them).
ENROLMENT_VIEWS = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_reauthenticate",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
        "set_language",
    }
)


def request_mfa_status(request: HttpRequest) -> MFAStatus:
    """The signed-in user's MFA status, worked out once per request."""
    status = getattr(request, "_mfa_status", None)
    if status is None:
        status = request._mfa_status = user_mfa_status(user=request.user)
    return status


class MFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        if request.resolver_match.view_name in ENROLMENT_VIEWS:
            return None
        if not request_mfa_status(request).missing:
            return None
        messages.info(
            request,
            _(
                "Coordinators, organisation admins and site admins protect their account with an "
                "authenticator app. Set one up to continue."
            ),
        )
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
