"""One helper per object a coordinator works on: outsiders get 404.

A coordinator (or organisation admin) works on the programmes their organisation leads; site
admins (staff) may open every one of them to help.
"""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from organisations.models import Organisation

from ..models import Application, Need, Placement, Programme, Site


def coordinated_organisations(request: HttpRequest) -> QuerySet[Organisation]:
    """Organisations whose programmes the user may manage; every organisation for site admins."""
    if request.user.is_staff:
        return Organisation.objects.exclude(status=Organisation.Status.ARCHIVED)
    return Organisation.objects.filter(memberships__user=request.user).exclude(status=Organisation.Status.ARCHIVED)


def _lead_filter(request: HttpRequest, prefix: str) -> Q:
    """Programmes led by one of the user's organisations; an archived organisation's are closed to all."""
    active = ~Q(**{f"{prefix}lead_organisation__status": Organisation.Status.ARCHIVED})
    if request.user.is_staff:
        return active
    return active & Q(**{f"{prefix}lead_organisation__memberships__user": request.user})


def programme_for_coordinator(request: HttpRequest, pk: int) -> Programme:
    return get_object_or_404(
        Programme.objects.select_related("lead_organisation").filter(_lead_filter(request, "")), pk=pk
    )


def need_for_coordinator(request: HttpRequest, pk: int) -> Need:
    return get_object_or_404(
        Need.objects.select_related("programme__lead_organisation", "host_site").filter(
            _lead_filter(request, "programme__")
        ),
        pk=pk,
    )


def application_for_coordinator(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("need__programme__lead_organisation", "volunteer__user").filter(
            _lead_filter(request, "need__programme__")
        ),
        pk=pk,
    )


def placement_for_coordinator(request: HttpRequest, pk: int) -> Placement:
    return get_object_or_404(
        Placement.objects.select_related("need__programme__lead_organisation", "volunteer__user").filter(
            _lead_filter(request, "need__programme__")
        ),
        pk=pk,
    )


def site_for_coordinator(request: HttpRequest, pk: int) -> Site:
    """A host site the user's organisation manages."""
    sites = Site.objects.select_related("organisation").exclude(organisation__status=Organisation.Status.ARCHIVED)
    if not request.user.is_staff:
        sites = sites.filter(organisation__memberships__user=request.user)
    return get_object_or_404(sites, pk=pk)
