"""allauth's forms with the portal's labels: "e-mail", sentence case (settings ACCOUNT_FORMS and MFA_FORMS).

Only the wording changes; fields, validation and behaviour stay allauth's. A label allauth already words
the portal's way keeps allauth's msgid, and so its translations.
"""

from allauth.account import forms as account_forms
from allauth.mfa.totp import forms as totp_forms
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
