"""Organisations' part of a person's export and erasure (globalir.privacy): their memberships, the
invitations sent to them and the organisations they asked to list."""

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from globalir.accounts.privacy import user_email_addresses

from .models import Invitation, Membership, Organisation


def export(user: User) -> dict[str, Any]:
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
    return {
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "role": membership.role,
                "role_display": membership.get_role_display(),
                "created_at": membership.created_at,
            }
            for membership in memberships
        ],
    }


def erase_blockers(user: User) -> list[str]:
    """An organisation is never left without an admin."""
    admin_of = Membership.objects.admins().filter(user=user).values("organisation_id")
    sole = (
        Organisation.objects.filter(pk__in=admin_of)
        .annotate(admin_count=Count("memberships", filter=Q(memberships__role=Membership.Role.ADMIN)))
        .filter(admin_count=1)
        .order_by("name")
    )
    return [
        _(
            "You are the only admin of %(organisation)s. Make another member its admin first, "
            "so that the organisation is not left without one."
        )
        % {"organisation": organisation.name}
        for organisation in sole
    ]


def erase(user: User) -> None:
    """Their memberships (only possible when another admin remains, see the blockers), so that no trail
    names them; the invitations sent to their addresses; who asked to list an organisation."""
    Membership.objects.filter(user=user).delete()
    Membership.history.filter(user_id=user.pk).delete()
    Organisation.history.filter(requested_by_id=user.pk).update(requested_by_id=None)
    Organisation.objects.filter(requested_by=user).update(requested_by=None)
    Invitation.objects.filter(email__in=user_email_addresses(user)).delete()
