"""Django's and allauth's authentication backends, loading the signed-in user together with what
the two-factor requirement needs (globalir.accounts.mfa_required): no extra query per request."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend

from .selectors import user_with_mfa_flags


class LoadsMFAStatus:
    def get_user(self, user_id):
        user = user_with_mfa_flags(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class EmailModelBackend(LoadsMFAStatus, ModelBackend):
    pass


class AccountBackend(LoadsMFAStatus, AllauthBackend):
    pass
