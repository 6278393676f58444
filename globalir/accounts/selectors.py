"""Reads about accounts: who must use two-factor authentication, and who has set it up; the ORCID iD linked
to an account."""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db.models import Exists, OuterRef

from . import hooks
from .models import User


@dataclass(frozen=True)
class MFAStatus:
    required: bool
    enrolled: bool

    @property
    def missing(self) -> bool:
        """Required and not set up: the user may reach nothing but the enrolment pages."""
        return self.required and not self.enrolled


NOT_REQUIRED = MFAStatus(required=False, enrolled=False)


def _with_mfa_flags(queryset):
    return queryset.annotate(
        mfa_is_member=hooks.role_requiring_mfa(OuterRef("pk")),
        mfa_has_totp=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.TOTP)),
    )


def user_with_mfa_flags(*, user_id) -> User | None:
    """The user, with what user_mfa_status needs, in the one query that loads them
    (globalir.accounts.backends loads the signed-in user of every request this way)."""
    return _with_mfa_flags(User.objects.filter(pk=user_id)).first()


def user_mfa_status(*, user) -> MFAStatus:
    """Whether `user` must use two-factor authentication, and whether they have an authenticator
    app set up: no query for a user loaded by user_with_mfa_flags, one otherwise.

    Staff, coordinators and organisation admins (any membership of an organisation) must: they see
    other people's identities, licences and travel plans.
    """
    if not user.is_authenticated:
        return NOT_REQUIRED
    if hasattr(user, "mfa_is_member"):
        is_member, has_totp = user.mfa_is_member, user.mfa_has_totp
    else:
        row = _with_mfa_flags(User.objects.filter(pk=user.pk)).values_list("mfa_is_member", "mfa_has_totp").first()
        if row is None:
            return NOT_REQUIRED
        is_member, has_totp = row
    return MFAStatus(required=user.is_staff or is_member, enrolled=has_totp)


def user_requires_mfa(*, user) -> bool:
    return user_mfa_status(user=user).required


def user_has_mfa(*, user) -> bool:
    return user_mfa_status(user=user).enrolled


def user_orcid_id(*, user_id: int) -> str:
    """The ORCID iD the user signed in with (ORCID checked they hold it), or "" when none is linked."""
    return SocialAccount.objects.filter(user_id=user_id, provider="orcid").values_list("uid", flat=True).first() or ""
