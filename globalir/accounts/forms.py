"""allauth's forms with the portal's labels: "e-mail", sentence case (settings ACCOUNT_FORMS, SOCIALACCOUNT_FORMS
and MFA_FORMS), and the choice of the language an account reads.

Only the wording changes; fields, validation and behaviour stay allauth's. A label allauth already words
the portal's way keeps allauth's msgid, and so its translations.
"""

from allauth.account import forms as account_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.socialaccount import forms as socialaccount_forms
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

EMAIL = _("E-mail address")
NEW_PASSWORD = _("New password")
NEW_PASSWORD_AGAIN = _("New password (again)")


class PortalLabels:
    """Relabels the fields named in ``labels``; a field whose placeholder allauth sets gets the label as its
    placeholder too (allauth's placeholders repeat the label)."""

    labels: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            field = self.fields.get(name)
            if field is None:
                continue
            field.label = label
            if "placeholder" in field.widget.attrs:
                field.widget.attrs["placeholder"] = label


class LoginForm(PortalLabels, account_forms.LoginForm):
    labels = {"login": EMAIL, "remember": _("Keep me logged in on this device")}


class SignupForm(PortalLabels, account_forms.SignupForm):
    """With ACCOUNT_PREVENT_ENUMERATION the page is the same for a new address and a known one, and
    each gets one e-mail (sent the same way, by the adapter); but a new account's password is hashed,
    deliberately slowly (about half a second with the production hasher), so a stopwatch told the two
    apart. The password typed for a known address is hashed too, with the configured hasher, and the
    hash thrown away: both answers then take as long, to within the few milliseconds of two inserts.
    """

    labels = {"email": EMAIL}

    def try_save(self, request):
        if self.account_already_exists and self.cleaned_data.get("password1"):
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class SocialSignupForm(PortalLabels, socialaccount_forms.SignupForm):
    """A new account signing up with ORCID: the e-mail address it types is confirmed like any other."""

    labels = {"email": EMAIL}


class AddEmailForm(PortalLabels, account_forms.AddEmailForm):
    labels = {"email": EMAIL}


class ChangePasswordForm(PortalLabels, account_forms.ChangePasswordForm):
    labels = {"oldpassword": _("Current password"), "password1": NEW_PASSWORD, "password2": NEW_PASSWORD_AGAIN}


class ResetPasswordForm(PortalLabels, account_forms.ResetPasswordForm):
    labels = {"email": EMAIL}


class ResetPasswordKeyForm(PortalLabels, account_forms.ResetPasswordKeyForm):
    labels = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD_AGAIN}


class ActivateTOTPForm(PortalLabels, totp_forms.ActivateTOTPForm):
    labels = {"code": _("Code from the app")}


class LanguageForm(forms.Form):
    """The language switcher's choice (its field is named as Django's set_language view reads it)."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
