from django import template
from django.db.models import Exists, OuterRef

from globalir.accounts.models import User
from organisations.models import Membership
from volunteers.models import VolunteerProfile

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
            coordinates=Exists(Membership.objects.coordinators().filter(user=OuterRef("pk"))),
            clinician=Exists(Membership.objects.filter(user=OuterRef("pk"), role=Membership.Role.CLINICIAN)),
            remote=Exists(VolunteerProfile.objects.filter(user=OuterRef("pk"), offers_remote=True)),
            volunteers=Exists(VolunteerProfile.objects.filter(user=OuterRef("pk"))),
        )
        .values("coordinates", "clinician", "remote", "volunteers")
        .first()
    ) or {"coordinates": False, "clinician": False, "remote": False, "volunteers": False}
    return {
        "volunteers": row["volunteers"] or not row["clinician"],
        "coordinates": row["coordinates"],
        "consults": row["coordinates"] or row["clinician"] or row["remote"],
    }
