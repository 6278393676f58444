"""Signal receivers that record security events; each one only calls a service of `audit.py`.

Django's own signals are used rather than allauth's: `user_logged_in` is sent by
`django.contrib.auth.login`, which allauth calls once, after every stage of a login (e-mail
check, second factor) is done; `user_login_failed` by `django.contrib.auth.authenticate` once
per attempt, whichever of the authentication backends were tried.
"""

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext_noop

from .audit import audit_login_failed, audit_login_succeeded


@receiver(user_logged_in, dispatch_uid="audit_login_succeeded")
def record_login_succeeded(sender, request, user, **kwargs):
    audit_login_succeeded(request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password; only the address (or username) typed is read.
    email = credentials.get("email") or credentials.get("username") or ""
    audit_login_failed(request=request, email=email, what=gettext_noop("wrong password or unknown account"))


def record_second_factor_failed(sender, request, user, **kwargs):
    audit_login_failed(request=request, user=user, what=gettext_noop("wrong second-factor code"))


def connect_second_factor_receiver() -> None:
    """Record wrong MFA codes too, when allauth.mfa is installed."""
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.signals import authentication_failed

        authentication_failed.connect(record_second_factor_failed, dispatch_uid="audit_second_factor_failed")
