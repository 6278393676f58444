"""A team on rotations as volunteers see it: its calendar and open slots, applying to a role in ranked
rotations, and who else is confirmed on a rotation the volunteer accepted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from programmes.team_selectors import team_calendar, team_distance_learning, team_listed_queryset
from programmes.teams import Rotation, TeamNeed
from programmes.views.access import coordinated_organisations
from volunteers.selectors import volunteer_profile_for_user

from .. import team_applications
from ..team_forms import TeamApplyForm
from .applications import _onboarded_profile_or_redirect


def _team_for_reader(request, pk: int) -> TeamNeed:
    """A team of a listed programme; also its own coordinators' (and site admins') while not listed."""
    readable = Q(pk__in=team_listed_queryset().values("pk"))
    if request.user.is_authenticated:
        readable |= Q(programme__lead_organisation__in=coordinated_organisations(request))
    teams = TeamNeed.objects.filter(readable).select_related("programme__lead_organisation", "host_site")
    return get_object_or_404(teams, pk=pk)


def _open_rotations(calendar) -> list[Rotation]:
    return [row.rotation for row in calendar.rows if row.open_slots]


def _render_team(request, team: TeamNeed, *, form: TeamApplyForm | None = None, status: int = 200):
    profile = volunteer_profile_for_user(user=request.user)
    calendar = team_calendar(team=team, upcoming_only=True)
    applications = team_applications.team_applications_for(profile=profile, team=team)
    # A rotation the volunteer already applied to (or joined) is not offered again.
    applied = {row.rotation.pk for row in applications if row.application.is_active}
    rotations = [rotation for rotation in _open_rotations(calendar) if rotation.pk not in applied]
    confirmed = [
        row.rotation for row in applications if row.application.status in row.application.TAKING_PLACE_STATUSES
    ]
    if form is None and rotations and profile is not None and profile.onboarding_completed_at is not None:
        form = TeamApplyForm(
            roles=team.roles.filter(profession=profile.profession) or team.roles.all(),
            rotations=rotations,
        )
    return render(
        request,
        "placements/teams/team_detail.html",
        {
            "team": team,
            "programme": team.programme,
            "calendar": calendar,
            "distance_learning": team_distance_learning(team=team),
            "profile": profile,
            "form": form,
            "my_applications": applications,
            "confirmed_rotations": confirmed,
        },
        status=status,
    )


@require_safe
def team_detail(request, pk):
    return _render_team(request, _team_for_reader(request, pk))


@login_required
@require_POST
def team_apply(request, pk):
    team = _team_for_reader(request, pk)
    profile, redirect_response = _onboarded_profile_or_redirect(request)
    if redirect_response:
        return redirect_response
    calendar = team_calendar(team=team, upcoming_only=True)
    form = TeamApplyForm(request.POST, roles=team.roles.all(), rotations=_open_rotations(calendar))
    if form.is_valid():
        try:
            applications = team_applications.team_apply(
                volunteer=profile,
                role=form.cleaned_data["role"],
                rotations=form.cleaned_data["rotations"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "Your application to %(count)s rotation is sent.",
                    "Your applications to %(count)s rotations are sent, in your order of preference.",
                    len(applications),
                )
                % {"count": len(applications)},
            )
            return redirect("placements:team-detail", pk=team.pk)
    return _render_team(request, team, form=form, status=400)


@login_required
@require_safe
def rotation_team(request, pk):
    """Who else is confirmed on a rotation: only for a volunteer confirmed on it (anyone else gets 404)."""
    profile = volunteer_profile_for_user(user=request.user)
    rotation = get_object_or_404(Rotation.objects.select_related("team__host_site", "team__programme"), pk=pk)
    if not team_applications.rotation_confirmed_for(profile=profile, rotation=rotation):
        raise Http404
    return render(
        request,
        "placements/teams/rotation_team.html",
        {
            "rotation": rotation,
            "team": rotation.team,
            "teammates": team_applications.rotation_teammates(rotation=rotation, profile=profile),
            "today": timezone.localdate(),
        },
    )
