"""The matcher's suggestions on a need's pipeline board: a coordinator invites a suggested volunteer to apply."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programmes.views.access import need_for_coordinator
from volunteers.models import VolunteerProfile

from ..suggestions import suggestion_invite


@login_required
@require_POST
def invite_to_apply(request, pk, volunteer_pk):
    need = need_for_coordinator(request, pk)
    volunteer = get_object_or_404(VolunteerProfile.objects.select_related("user"), pk=volunteer_pk)
    try:
        notification = suggestion_invite(need=need, volunteer=volunteer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = volunteer.display_name
        if notification is None:
            messages.warning(request, _("%(name)s has already been invited to apply.") % {"name": name})
        else:
            messages.success(request, _("%(name)s has been invited by e-mail to apply to this need.") % {"name": name})
    return redirect("placements:pipeline", need.pk)
