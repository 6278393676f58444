"""The account's part of a person's export and erasure (globalir.privacy): the account itself, its e-mail
addresses, the accounts linked to it (ORCID), its sessions and its security events. Runs last in an
erasure: the account goes at the end."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from globalir.privacy import export_record

from .audit import audit_events_erase
from .models import AuditEvent, User
from .services import admin_log_erase, sessions_end, user_session_keys

EXPORT_USER_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "language",
    "date_joined",
    "last_login",
    "is_active",
    "is_staff",
    "is_superuser",
)
EXPORT_LINKED_ACCOUNT_FIELDS = ("provider", "uid", "date_joined", "last_login", "extra_data")
EXPORT_SECURITY_EVENT_FIELDS = ("kind", "email", "ip_address", "path", "status_code", "what", "created_at")


def user_email_addresses(user: User) -> set[str]:
    """Every address of the account: its own and those allauth keeps for it."""
    return {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}


def export(user: User) -> dict[str, Any]:
    email_addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    return {
        "account": {
            **export_record(user, EXPORT_USER_FIELDS),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in email_addresses
            ],
            # What each linked provider said about them when they last signed in with it.
            "linked_accounts": [
                export_record(linked, EXPORT_LINKED_ACCOUNT_FIELDS)
                for linked in SocialAccount.objects.filter(user=user).order_by("provider", "pk")
            ],
        },
        # Their sign-ins, failed sign-ins and refused accesses, as the security log keeps them.
        "security_events": [
            export_record(event, EXPORT_SECURITY_EVENT_FIELDS)
            for event in AuditEvent.objects.filter(Q(actor=user) | Q(subject=user)).order_by("created_at", "pk")
        ],
    }


def erase_blockers(user: User) -> list[str]:
    if user.is_staff:
        return [
            _(
                "Site admin accounts are closed by another site admin in the admin, "
                "so that GlobalIR is never left without one."
            )
        ]
    return []


def erase(user: User) -> None:
    """Their logins, refused accesses and the failed logins that typed their addresses; the admin's log of
    changes made to their account; every session signed in as them (ended once the erasure is committed:
    their other devices too); their linked accounts (ORCID), their e-mail addresses and the account itself."""
    audit_events_erase(user=user)
    admin_log_erase(model=User, pks=[user.pk])
    session_keys = user_session_keys(user=user)
    transaction.on_commit(lambda: sessions_end(session_keys=session_keys))
    # Their tokens go with them (allauth keeps none here: SOCIALACCOUNT_STORE_TOKENS is off).
    SocialAccount.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    user.delete()
