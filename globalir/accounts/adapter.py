"""Where allauth sends people after they log in, sign up or confirm their e-mail address.

Each lands where their work is: a site admin on the admin's index, which opens with what waits for
their review; a coordinator or organisation admin on the coordinator's workspace; a volunteer on
their dashboard, or the profile wizard until their profile is complete. Someone with two roles lands
on the first of these. An explicit ``?next=`` still wins (allauth checks it before asking the
adapter, and keeps it through the authenticator step).
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_noop

from globalir.accounts.audit import audit_login_failed
from organisations.selectors import organisations_coordinated_by
from volunteers.selectors import volunteer_profile_for_user


def landing_url_for(user) -> str:
    if not user.is_authenticated:
        return reverse("home")
    if user.is_staff:
        return reverse("admin:index")
    if organisations_coordinated_by(user=user).exists():
        return reverse("programmes:workspace")
    profile = volunteer_profile_for_user(user=user)
    if profile is not None and profile.onboarding_completed_at is not None:
        return reverse("programmes:dashboard")
    return reverse("volunteers:onboarding")


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        # A login refused for too many attempts never reaches authenticate(), so Django sends no
        # user_login_failed for it: record it here.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit_login_failed(
                request=request, email=credentials.get("email", ""), what=gettext_noop("too many attempts")
            )
            raise

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return landing_url_for(request.user)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # With mandatory verification this runs when the confirmation link logs the new user in.
        if not request.user.is_authenticated:
            return reverse("volunteers:onboarding")
        return landing_url_for(request.user)
