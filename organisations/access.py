"""Who may open an organisation's private pages. Outsiders get 404, members with too little role 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import Membership, Organisation
from .selectors import membership_role


def organisation_for_member(request: HttpRequest, slug: str, *, admin: bool = False) -> Organisation:
    """The organisation named by ``slug`` if the signed-in user coordinates it (or is a site admin).

    With ``admin=True`` only its organisation admins (and site admins) pass; its coordinators get 403.
    """
    organisation = get_object_or_404(Organisation.objects.exclude(status=Organisation.Status.ARCHIVED), slug=slug)
    if request.user.is_staff:
        return organisation
    role = membership_role(user=request.user, organisation=organisation)
    if role is None:
        raise Http404
    if admin and role != Membership.Role.ADMIN:
        raise PermissionDenied(_("Only the organisation's admins can do this."))
    return organisation
