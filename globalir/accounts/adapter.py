"""Where allauth sends people after they log in, sign up or confirm their e-mail address, and where its
e-mails link to.

Each lands where their work is: a site admin on the admin's index, which opens with what waits for
their review; a coordinator or organisation admin on the coordinator's workspace; a volunteer on
their dashboard, or the profile wizard until their profile is complete. Someone with two roles lands
on the first of these. An explicit ``?next=`` still wins (allauth checks it before asking the
adapter, and keeps it through the authenticator step).

allauth's e-mails link to SITE_URL, like every other e-mail of the portal, rather than to the host
the request that caused them named, and are written in their reader's language. allauth's error messages
are worded the portal's way ("e-mail").

A new account reads the language the sign-up page was shown in (the browser's, or the one chosen with
the switcher); at login the account's language becomes this browser's.
"""

from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from globalir.accounts.audit import audit_login_failed
from globalir.accounts.models import User
from globalir.accounts.ratelimits import LoginRefusal, known_device_remember, login_attempt_consume, wait_in_words
from globalir.accounts.services import supported_language, user_language_set
from globalir.accounts.views import language_cookie_set
from globalir.links import absolute_url

from . import hooks

# The links allauth builds from the request's host for these e-mails (template prefix: context key → URL name).
LINKS_ALLAUTH_BUILDS_FROM_THE_REQUEST = {
    "account/email/account_already_exists": {
        "signup_url": "account_signup",
        "password_reset_url": "account_reset_password",
    },
    "account/email/unknown_account": {"signup_url": "account_signup"},
}


def landing_url_for(user) -> str:
    if not user.is_authenticated:
        return reverse("home")
    if user.is_staff:
        return reverse("admin:index")
    return hooks.landing_url(user)


class AccountAdapter(DefaultAccountAdapter):
    # allauth's messages in the portal's words ("e-mail"); the others are allauth's own.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": gettext_lazy("This account is inactive."),
        "cannot_remove_primary_email": gettext_lazy("You cannot remove your primary e-mail address."),
        "duplicate_email": gettext_lazy("This e-mail address is already on your account."),
        "email_password_mismatch": gettext_lazy("The e-mail address or the password is not correct."),
        "email_taken": gettext_lazy("An account with this e-mail address already exists."),
        "invalid_or_expired_key": gettext_lazy("This link has expired or is not valid."),
        "invalid_password_reset": gettext_lazy("This password reset link has expired or is not valid."),
        "max_email_addresses": gettext_lazy("You cannot add more than %d e-mail addresses."),
        "unknown_email": gettext_lazy("No account uses this e-mail address."),
        "unverified_primary_email": gettext_lazy("Your primary e-mail address must be confirmed first."),
        "enter_current_password": gettext_lazy("Type your current password."),
        "select_only_one": gettext_lazy("Choose only one."),
    }

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

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        # The language the sign-up page was read in: the browser's, or the one picked with the switcher.
        user.language = supported_language(translation.get_language())
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request: HttpRequest, user, **kwargs) -> HttpResponse:
        # Every step is done (password, e-mail check, second factor): this browser is known from now on.
        response = super().post_login(request, user, **kwargs)
        known_device_remember(request=request, response=response, user=user)
        if not user.language:
            # An account older than the choice of language reads the one its owner logs in with.
            user_language_set(user=user, language=supported_language(translation.get_language()))
        # This browser reads the account's language, after logging out too.
        translation.activate(user.language)
        language_cookie_set(response, user.language)
        return response

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
        with translation.override(self._reader_language(email, context)):
            super().send_mail(template_prefix, email, context)

    def _reader_language(self, email: str, context: dict) -> str:
        """The language of the account the e-mail goes to; with none (an address that has no account, or an
        account that has no language yet), the language of the request that caused it, that is the
        language of whoever typed the address."""
        user = context.get("user")
        if not isinstance(user, User):
            # allauth's security notices name no user: the address is the account's, primary or not.
            user = (
                User.objects.filter(Q(email__iexact=email) | Q(emailaddress__email__iexact=email))
                .only("language")
                .first()
            )
        return (user.language if user else "") or translation.get_language()


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": gettext_lazy(
            "You cannot add an e-mail address to an account protected by two-factor authentication."
        ),
        "unverified_email": gettext_lazy("Confirm your e-mail address before you set up two-factor authentication."),
    }
