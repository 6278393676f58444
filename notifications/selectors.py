"""Reads for notification preferences and unsubscribe links."""

from django.core import signing
from django.db.models import QuerySet

from globalir.accounts.models import User

from .models import NotificationPreference
from .services import PREFERENCE_FIELDS, UNSUBSCRIBE_SALT


def notification_preferences_for(*, user: User) -> NotificationPreference:
    """The user's preferences, or the defaults (unsaved) when they never changed them."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def user_for_unsubscribe_token(*, token: str) -> User | None:
    """The user an unsubscribe link was made for, or None when that account no longer exists.

    Raises ``signing.BadSignature`` when the token was not made by GlobalIR (mistyped or tampered with).
    Links do not expire: an e-mail read months later must still be able to stop the next one.
    """
    pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(pk, int):
        raise signing.BadSignature("Unexpected unsubscribe payload")
    return User.objects.filter(pk=pk).first()


def user_ids_with_preference(*, preference: str) -> QuerySet:
    """The ids of users who receive the optional e-mails governed by ``preference`` (a field of
    NotificationPreference), as a subquery: ``User.objects.filter(pk__in=...)``. Users who never
    saved their preferences count with the field's default."""
    if preference not in PREFERENCE_FIELDS:
        raise ValueError(f"Unknown notification preference: {preference}")
    if NotificationPreference._meta.get_field(preference).default:
        return User.objects.exclude(**{f"notification_preference__{preference}": False}).values("pk")
    return NotificationPreference.objects.filter(**{preference: True}).values("user_id")
