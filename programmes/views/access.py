"""One helper per object a coordinator works on: outsiders get 404.

A coordinator (or organisation admin) works on the programmes their organisation leads; site
admins (staff) may open every one of them to help.
"""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from organisations.models import Membership, Organisation

from .. import hooks, selectors
from ..models import Need, Programme, Site


def coordinated_organisations(request: HttpRequest) -> QuerySet[Organisation]:
    """Organisations whose programmes the user may manage; every organisation for site admins."""
    if request.user.is_staff:
        return Organisation.objects.exclude(status=Organisation.Status.ARCHIVED)
    return Organisation.objects.filter(
        memberships__user=request.user, memberships__role__in=Membership.COORDINATING_ROLES
    ).exclude(status=Organisation.Status.ARCHIVED)


def lead_filter(request: HttpRequest, prefix: str) -> Q:
    """Programmes led by one of the user's organisations; an archived organisation's are closed to all."""
    active = ~Q(**{f"{prefix}lead_organisation__status": Organisation.Status.ARCHIVED})
    if request.user.is_staff:
        return active
    return active & Q(
        **{
            f"{prefix}lead_organisation__memberships__user": request.user,
            f"{prefix}lead_organisation__memberships__role__in": Membership.COORDINATING_ROLES,
        }
    )


def programme_for_coordinator(request: HttpRequest, pk: int) -> Programme:
    return get_object_or_404(
        Programme.objects.select_related("lead_organisation").filter(lead_filter(request, "")), pk=pk
    )


def need_for_coordinator(request: HttpRequest, pk: int) -> Need:
    return get_object_or_404(
        Need.objects.select_related("programme__lead_organisation", "host_site").filter(
            lead_filter(request, "programme__")
        ),
        pk=pk,
    )


def need_for_reader(request: HttpRequest, pk: int) -> Need:
    """A need for its page (/opportunities/<id>/), if the user may read it; otherwise 404.

    Everybody reads the page of an open or filled need of a listed programme (published, led by a
    verified organisation). A closed need, and the needs of a closed programme, stay readable to the
    volunteers who applied to them and to the coordinators of the lead organisation: their dashboards
    and pipeline boards link there. A draft programme's needs have no page yet.
    """
    listed_programme = Q(
        programme__status=Programme.Status.PUBLISHED,
        programme__lead_organisation__status=Organisation.Status.VERIFIED,
    )
    readable = listed_programme & Q(status__in=[Need.Status.OPEN, Need.Status.FILLED])
    if request.user.is_authenticated:
        applied = Q(
            pk__in=hooks.need_ids_applied_by(request.user),
            programme__lead_organisation__status=Organisation.Status.VERIFIED,
        )
        published_once = Q(programme__status__in=[Programme.Status.PUBLISHED, Programme.Status.CLOSED])
        # Subqueries, not joins: a join on the organisation's members would repeat the need once per member.
        coordinated = Q(programme__lead_organisation__in=coordinated_organisations(request))
        readable |= published_once & (applied | coordinated)
        # A signed-in volunteer's page also says how the need fits them, which reads its skills and languages.
        return get_object_or_404(selectors.need_detail_queryset().filter(readable), pk=pk)
    return get_object_or_404(selectors.need_page_queryset().filter(readable), pk=pk)


def site_for_coordinator(request: HttpRequest, pk: int) -> Site:
    """A host site the user's organisation manages."""
    sites = Site.objects.select_related("organisation").exclude(organisation__status=Organisation.Status.ARCHIVED)
    if not request.user.is_staff:
        sites = sites.filter(
            organisation__memberships__user=request.user,
            organisation__memberships__role__in=Membership.COORDINATING_ROLES,
        )
    return get_object_or_404(sites, pk=pk)
