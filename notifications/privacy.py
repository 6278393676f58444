"""E-mails' part of a person's export and erasure (globalir.privacy): their e-mail preferences and the
e-mails GlobalIR sent or will send them."""

from typing import Any

from globalir.accounts.models import User
from globalir.accounts.privacy import user_email_addresses
from globalir.privacy import export_record

from .models import Notification, NotificationPreference
from .services import notifications_erase_for_addresses

EXPORT_NOTIFICATION_PREFERENCE_FIELDS = (
    "application_updates",
    "deadline_reminders",
    "feedback_requests",
    "weekly_digest",
    "conversation_messages",
    "updated_at",
)
EXPORT_NOTIFICATION_FIELDS = ("kind", "email", "status", "created_at", "sent_at")


def export(user: User) -> dict[str, Any]:
    return {
        "notification_preferences": next(
            (
                export_record(preference, EXPORT_NOTIFICATION_PREFERENCE_FIELDS)
                for preference in NotificationPreference.objects.filter(user=user)
            ),
            None,
        ),
        # The e-mails GlobalIR sent or will send them (not their content, which may hold sign-in links).
        "emails": [
            export_record(notification, EXPORT_NOTIFICATION_FIELDS)
            for notification in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
        ],
    }


def erase(user: User) -> None:
    """E-mails to their addresses, some sent before the account existed (their preferences go with it)."""
    notifications_erase_for_addresses(addresses=user_email_addresses(user))
