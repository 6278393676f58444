"""Where allauth sends people after they log in, sign up or confirm their e-mail address.

A new volunteer goes straight to the profile wizard; a volunteer with a profile to their
dashboard; coordinators and site admins who have no volunteer profile to the home page.
An explicit ``?next=`` still wins (allauth checks it before asking the adapter).
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_noop

from globalir.accounts.audit import audit_login_failed
from organisations.models import Membership
from volunteers.selectors import volunteer_profile_for_user


def landing_url_for(user) -> str:
    profile = volunteer_profile_for_user(user=user)
    if profile is not None:
        if profile.onboarding_completed_at is None:
            return reverse("volunteers:onboarding")
        return reverse("programmes:dashboard")
    if not user.is_authenticated or user.is_staff or Membership.objects.filter(user=user).exists():
        return reverse("home")
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
