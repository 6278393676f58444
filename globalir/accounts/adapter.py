"""Where allauth sends people after they log in, sign up or confirm their e-mail address.

Each lands where their work is: a site admin on the admin's index, which opens with what waits for
their review; a coordinator or organisation admin on the coordinator's workspace; a volunteer on
their dashboard, or the profile wizard until their profile is complete. Someone with two roles lands
on the first of these. An explicit ``?next=`` still wins (allauth checks it before asking the
adapter, and keeps it through the authenticator step).
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from globalir.accounts.audit import audit_login_failed
from globalir.accounts.ratelimits import LoginRefusal, known_device_remember, login_attempt_consume, wait_in_words
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
        """Count the attempt as globalir.accounts.ratelimits explains: a browser that has signed in
        to the account before is never refused because of tries made elsewhere."""
        email = str(credentials.get("email", ""))
        # allauth's key for the account: the one it clears when the password is reset.
        account_key = self._get_login_attempts_cache_key(request, **credentials)
        outcome = login_attempt_consume(request=request, email=email, account_key=account_key)
        if isinstance(outcome, LoginRefusal):
            self._login_failed_rl_usage = None
            # A refused attempt never reaches authenticate(), so Django sends no user_login_failed
            # for it: record it here.
            audit_login_failed(request=request, email=email, what=gettext_noop("too many attempts"))
            raise ValidationError(self._refusal_message(outcome), code="too_many_login_attempts")
        # allauth's authenticate() gives these tries back when the password is right.
        self._login_failed_rl_usage = outcome

    def _refusal_message(self, refusal: LoginRefusal) -> str:
        wait = wait_in_words(refusal.wait)
        if refusal.limited == "account":
            advice = _("Wait %(wait)s, or reset your password to sign in straight away.")
        elif refusal.limited == "address":
            advice = _("Too many failed logins came from your network: wait %(wait)s.")
        else:
            advice = _("Wait %(wait)s.")
        return f"{self.error_messages['too_many_login_attempts']} {advice % {'wait': wait}}"

    def post_login(self, request: HttpRequest, user, **kwargs) -> HttpResponse:
        # Every step is done (password, e-mail check, second factor): this browser is known from now on.
        response = super().post_login(request, user, **kwargs)
        known_device_remember(request=request, response=response, user=user)
        return response

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return landing_url_for(request.user)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # With mandatory verification this runs when the confirmation link logs the new user in.
        if not request.user.is_authenticated:
            return reverse("volunteers:onboarding")
        return landing_url_for(request.user)
