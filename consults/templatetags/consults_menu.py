from django import template
from django.db.models import OuterRef

from globalir.accounts.models import User
from organisations.selectors import user_role_annotations
from volunteers.selectors import volunteer_role_annotations

register = template.Library()


@register.simple_tag
def menu_roles(user) -> dict:
    """What the menu links to, in one query: the volunteer's pages (not for a partner clinician who does not
    volunteer: they lead to the volunteer profile wizard), the coordinators' workspace (partner clinicians are
    members who coordinate nothing) and the consults (partner clinicians, volunteers who report remotely, site
    admins)."""
    if not user.is_authenticated:
        return {"volunteers": False, "coordinates": False, "consults": False}
    if user.is_staff:
        return {"volunteers": True, "coordinates": True, "consults": True}
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            **user_role_annotations(user_ref=OuterRef("pk")),
            **volunteer_role_annotations(user_ref=OuterRef("pk")),
        )
        .values("coordinates", "clinician", "remote", "volunteers")
        .first()
    ) or {"coordinates": False, "clinician": False, "remote": False, "volunteers": False}
    return {
        "volunteers": row["volunteers"] or not row["clinician"],
        "coordinates": row["coordinates"],
        "consults": row["coordinates"] or row["clinician"] or row["remote"],
    }
