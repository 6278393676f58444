"""Where allauth sends people after they log in, sign up or confirm their e-mail address, and where its
e-mails link to.

A new volunteer goes straight to the profile wizard; a volunteer with a profile to their
dashboard; coordinators and site admins who have no volunteer profile to the home page.
An explicit ``?next=`` still wins (allauth checks it before asking the adapter).

allauth's e-mails link to SITE_URL, like every other e-mail of the portal, rather than to the host
the request that caused them named. allauth's error messages are worded the portal's way ("e-mail").
"""

from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from globalir.accounts.audit import audit_login_failed
from notifications.services import absolute_url
from organisations.models import Membership
from volunteers.selectors import volunteer_profile_for_user

# The links allauth builds from the request's host for these e-mails (template prefix: context key → URL name).
LINKS_ALLAUTH_BUILDS_FROM_THE_REQUEST = {
    "account/email/account_already_exists": {
        "signup_url": "account_signup",
        "password_reset_url": "account_reset_password",
    },
    "account/email/unknown_account": {"signup_url": "account_signup"},
}


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
    # allauth's messages in the portal's words ("e-mail"); the others are allauth's own.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("This account is inactive."),
        "cannot_remove_primary_email": _("You cannot remove your primary e-mail address."),
        "duplicate_email": _("This e-mail address is already on your account."),
        "email_password_mismatch": _("The e-mail address or the password is not correct."),
        "email_taken": _("An account with this e-mail address already exists."),
        "invalid_or_expired_key": _("This link has expired or is not valid."),
        "invalid_password_reset": _("This password reset link has expired or is not valid."),
        "max_email_addresses": _("You cannot add more than %d e-mail addresses."),
        "unknown_email": _("No account uses this e-mail address."),
        "unverified_primary_email": _("Your primary e-mail address must be confirmed first."),
        "enter_current_password": _("Type your current password."),
        "select_only_one": _("Choose only one."),
        "rate_limited": _("Too many requests: wait a little, then try again."),
    }

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

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's own spelling of the link: one opaque key in place of its "<uidb36>-<key>".
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        links = LINKS_ALLAUTH_BUILDS_FROM_THE_REQUEST.get(template_prefix, {})
        context = {**context, **{key: absolute_url(reverse(name)) for key, name in links.items()}}
        context = {**context, "site_url": settings.SITE_URL, "contact_email": settings.CONTACT_EMAIL}
        super().send_mail(template_prefix, email, context)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": _(
            "You cannot add an e-mail address to an account protected by two-factor authentication."
        ),
        "unverified_email": _("Confirm your e-mail address before you set up two-factor authentication."),
    }
