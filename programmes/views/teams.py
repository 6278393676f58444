"""The coordinator's pages of a team on rotations: posting it, and one page with its readiness at a glance,
its roles and its rotations (with forms to add both).

Access as for the programme: the lead organisation's coordinators and site admins; outsiders get 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from globalir.forms import submitted_data
from globalir.views import form_add_refusal

from .. import team_selectors, team_services
from ..team_forms import RotationScheduleForm, TeamNeedForm, TeamRoleForm
from ..teams import TeamNeed
from .access import lead_filter, programme_for_coordinator


def team_for_coordinator(request, pk: int) -> TeamNeed:
    return get_object_or_404(team_selectors.team_detail_queryset().filter(lead_filter(request, "programme__")), pk=pk)


@login_required
def team_create(request, pk):
    programme = programme_for_coordinator(request, pk)
    form = TeamNeedForm(submitted_data(request), programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_services.team_create(programme=programme, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("“%(team)s” is posted. Add its roles and rotations.") % {"team": team.title})
            return redirect("programmes:team-manage", pk=team.pk)
    return render(
        request,
        "programmes/teams/team_form.html",
        {"form": form, "programme": programme},
        status=400 if form.is_bound else 200,
    )


def _manage(request, team: TeamNeed, *, role_form=None, schedule_form=None, status=200):
    return render(
        request,
        "programmes/teams/team_manage.html",
        {
            "team": team,
            "programme": team.programme,
            "calendar": team_selectors.team_calendar(team=team),
            "distance_learning": team_selectors.team_distance_learning(team=team),
            "role_form": role_form or TeamRoleForm(),
            "schedule_form": schedule_form or RotationScheduleForm(),
        },
        status=status,
    )


@login_required
@require_safe
def team_manage(request, pk):
    return _manage(request, team_for_coordinator(request, pk))


@login_required
@require_POST
def team_role_add(request, pk):
    team = team_for_coordinator(request, pk)
    form = TeamRoleForm(request.POST)
    if form.is_valid():
        try:
            role = team_services.team_role_add(team=team, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("The role %(role)s is added.") % {"role": role.get_profession_display()})
            return redirect("programmes:team-manage", pk=team.pk)
    return _manage(request, team, role_form=form, status=400)


@login_required
@require_POST
def team_rotations_add(request, pk):
    team = team_for_coordinator(request, pk)
    form = RotationScheduleForm(request.POST)
    if form.is_valid():
        try:
            rotations = team_services.team_rotations_add(team=team, dates=form.cleaned_data["dates"], by=request.user)
        except ValidationError as error:
            form_add_refusal(form, error)
        else:
            messages.success(
                request,
                ngettext("%(count)s rotation is added.", "%(count)s rotations are added.", len(rotations))
                % {"count": len(rotations)},
            )
            return redirect("programmes:team-manage", pk=team.pk)
    return _manage(request, team, schedule_form=form, status=400)
