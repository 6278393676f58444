"""Access helpers for a need's applications and placements: a coordinator works on those of the programmes
their organisation leads (programmes.views.access.lead_filter); outsiders get 404."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from programmes.views.access import lead_filter

from ..models import Application, Placement


def application_for_coordinator(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("need__programme__lead_organisation", "volunteer__user").filter(
            lead_filter(request, "need__programme__")
        ),
        pk=pk,
    )


def placement_for_coordinator(request: HttpRequest, pk: int) -> Placement:
    return get_object_or_404(
        Placement.objects.select_related("need__programme__lead_organisation", "volunteer__user").filter(
            lead_filter(request, "need__programme__")
        ),
        pk=pk,
    )
