"""Pre-departure checklists: a placement's for its volunteer and its coordinators, ticking a step (with its
document), and the readiness of a need's or a rotation's placements for the coordinators.

Access: the volunteer opens their own placements' checklists; the coordinators of the organisation that leads
the need's programme (and site admins, as everywhere in the workspace) open theirs. A step's document is
handed only to the volunteer and the lead organisation's members. Outsiders get 404.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from organisations.models import Membership
from programmes.checklist_templates import ChecklistWho
from programmes.teams import Rotation
from programmes.views.access import lead_filter, need_for_coordinator
from volunteers.validators import document_type_of

from .. import checklist_selectors, checklist_services
from ..checklist_forms import ChecklistTickForm
from ..checklists import PlacementChecklistItem
from ..models import Application, Placement
from .access import placement_for_coordinator

logger = logging.getLogger(__name__)

TAKING_PLACE = Application.TAKING_PLACE_STATUSES


def _own_placement(request, pk: int) -> Placement:
    return get_object_or_404(
        Placement.objects.select_related("need__programme__lead_organisation", "need__host_site", "volunteer"),
        pk=pk,
        volunteer__user=request.user,
        application__status__in=TAKING_PLACE,
    )


def _render(request, placement: Placement, *, side: str, failed: tuple[int, ChecklistTickForm] | None = None):
    checklist = checklist_selectors.placement_checklist(placement=placement, today=timezone.localdate())
    for item in checklist.items:
        item.form = failed[1] if failed and failed[0] == item.pk else ChecklistTickForm(auto_id=f"item-{item.pk}-%s")
        item.can_tick = not item.is_done and (side == ChecklistWho.COORDINATOR or item.who_acts == side)
        item.can_untick = item.is_done and item.done_side == side
    return render(
        request,
        "placements/checklists/placement.html",
        {"placement": placement, "checklist": checklist, "side": side, "need": placement.need},
        status=400 if failed else 200,
    )


@login_required
@require_safe
def placement_checklist(request, pk):
    return _render(request, _own_placement(request, pk), side=ChecklistWho.VOLUNTEER)


@login_required
@require_safe
def placement_checklist_coordinate(request, pk):
    placement = placement_for_coordinator(request, pk)
    if placement.application.status not in TAKING_PLACE:
        raise Http404
    return _render(request, placement, side=ChecklistWho.COORDINATOR)


def _item_and_side(request, pk: int) -> tuple[PlacementChecklistItem, str]:
    """The item and the side the user acts for: the placement's volunteer, else its coordinators."""
    items = PlacementChecklistItem.objects.select_related(
        "placement__need__programme__lead_organisation", "placement__volunteer", "placement__application"
    ).filter(placement__application__status__in=TAKING_PLACE)
    item = items.filter(placement__volunteer__user=request.user).filter(pk=pk).first()
    if item is not None:
        return item, ChecklistWho.VOLUNTEER
    return get_object_or_404(items.filter(lead_filter(request, "placement__need__programme__")), pk=pk), (
        ChecklistWho.COORDINATOR
    )


def _back(item: PlacementChecklistItem, side: str):
    name = "placements:checklist" if side == ChecklistWho.VOLUNTEER else "placements:checklist-coordinate"
    return redirect(name, pk=item.placement_id)


@login_required
@require_POST
def checklist_item_tick(request, pk):
    item, side = _item_and_side(request, pk)
    form = ChecklistTickForm(request.POST, request.FILES, auto_id=f"item-{item.pk}-%s")
    if form.is_valid():
        try:
            checklist_services.checklist_item_tick(
                item=item, by=request.user, side=side, document=form.cleaned_data.get("document") or None
            )
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
            return _back(item, side)
        except ValidationError as error:
            form.add_error("document" if hasattr(error, "error_dict") else None, error.messages)
        else:
            messages.success(request, _("“%(step)s” is ticked.") % {"step": item.label})
            return _back(item, side)
    return _render(request, item.placement, side=side, failed=(item.pk, form))


@login_required
@require_POST
def checklist_item_untick(request, pk):
    item, side = _item_and_side(request, pk)
    try:
        checklist_services.checklist_item_untick(item=item, by=request.user, side=side)
    except (PermissionDenied, ValidationError) as refusal:
        messages.error(request, " ".join(getattr(refusal, "messages", [str(refusal)])))
    else:
        messages.success(request, _("The tick of “%(step)s” is taken back.") % {"step": item.label})
    return _back(item, side)


@never_cache
@login_required
@require_safe
def checklist_item_document(request, pk):
    # Not allowed and not there look the same (404): the volunteer, or a member of the lead organisation.
    items = PlacementChecklistItem.objects.exclude(document="")
    item = (
        items.filter(pk=pk, placement__volunteer__user=request.user).first()
        or items.filter(
            pk=pk,
            placement__need__programme__lead_organisation__memberships__user=request.user,
            placement__need__programme__lead_organisation__memberships__role__in=Membership.COORDINATING_ROLES,
        ).first()
    )
    if item is None:
        raise Http404(_("There is no document here, or you may not open it."))
    try:
        file = item.document.storage.open(item.document.name, "rb")
    except OSError:
        logger.error("The document of checklist item %s is missing from storage", item.pk)
        raise Http404(_("This document cannot be found. It may need to be uploaded again.")) from None
    kind = document_type_of(file)
    logger.info("User %s downloaded the document of checklist item %s", request.user.pk, item.pk)
    response = FileResponse(
        file,
        as_attachment=True,
        filename=f"checklist-{item.pk}{kind.extensions[0] if kind else ''}",
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _readiness(request, *, title: str, placements, back_url: str, back_label: str, programme):
    return render(
        request,
        "placements/checklists/readiness.html",
        {
            "title": title,
            "rows": checklist_selectors.placements_readiness(placements=placements, today=timezone.localdate()),
            "back_url": back_url,
            "back_label": back_label,
            "programme": programme,
        },
    )


@login_required
@require_safe
def need_checklists(request, pk):
    need = need_for_coordinator(request, pk)
    return _readiness(
        request,
        title=need.title,
        placements=Placement.objects.filter(need=need),
        back_url=reverse("placements:pipeline", args=[need.pk]),
        back_label=_("Back to the pipeline"),
        programme=need.programme,
    )


@login_required
@require_safe
def rotation_checklists(request, pk):
    rotation = get_object_or_404(
        Rotation.objects.select_related("team__programme__lead_organisation").filter(
            lead_filter(request, "team__programme__")
        ),
        pk=pk,
    )
    return _readiness(
        request,
        # Dates as every other page writes them, not the ISO dates of the rotation's admin name.
        title=f"{rotation.team}: {date_format(rotation.start_date)} – {date_format(rotation.end_date)}",
        placements=Placement.objects.filter(need__team_slot__rotation=rotation),
        back_url=reverse("programmes:team-manage", args=[rotation.team_id]),
        back_label=_("Back to the team"),
        programme=rotation.team.programme,
    )
