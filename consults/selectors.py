"""Reads of consults, scoped to who asks: one access helper per object (outsiders get 404), the lists,
the turnaround figures and the hours a volunteer gave."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from organisations.selectors import clinician_organisation_ids, organisations_coordinated_by
from programmes.models import Site
from volunteers.models import VolunteerProfile
from volunteers.selectors import volunteer_profile_for_user

from .models import ConsultImage, ConsultReport, ConsultRequest
from .offers import offered_request_ids

PER_PAGE = 20


def _base() -> QuerySet[ConsultRequest]:
    return ConsultRequest.objects.select_related("site", "language", "claimed_by__user", "created_by")


def clinician_sites(*, user) -> QuerySet[Site]:
    """The host sites of the organisations the user is a partner clinician of."""
    return Site.objects.filter(organisation_id__in=clinician_organisation_ids(user=user)).order_by("name")


def consult_access(*, user, consult: ConsultRequest) -> str | None:
    """How the user may see the request: "clinician", "volunteer" (the claimer, or one it is offered to),
    "staff", or None."""
    if not user.is_authenticated:
        return None
    if consult.site.organisation_id and consult.site.organisation_id in clinician_organisation_ids(user=user):
        return "clinician"
    profile = volunteer_profile_for_user(user=user)
    if profile is not None and consult.claimed_by_id == profile.pk:
        return "claimer"
    if user.is_staff:
        return "staff"
    if profile is not None and consult.pk in offered_request_ids(profile=profile, requests=[consult]):
        return "offered"
    return None


def consult_for_user(*, user, public_id: str) -> tuple[ConsultRequest, str]:
    consult = _base().filter(public_id=public_id).first()
    access = consult_access(user=user, consult=consult) if consult else None
    if access is None:
        raise Http404(_("There is no consult request here, or you may not open it."))
    return consult, access


def image_for_user(*, user, pk: int) -> ConsultImage:
    """An image for its viewer: the site's clinicians, the claiming volunteer and site admins. Everyone else,
    a volunteer it is only offered to included, gets 404 (they see the question, not the images, until they
    take it)."""
    image = ConsultImage.objects.select_related("request__site").filter(pk=pk).first()
    if image is None or consult_access(user=user, consult=image.request) not in ("clinician", "claimer", "staff"):
        raise Http404(_("There is no image here, or you may not open it."))
    return image


def _page(queryset, page_number) -> Page:
    return Paginator(queryset, PER_PAGE).get_page(page_number)


def clinician_requests(*, user, page_number=None) -> Page:
    return _page(_base().filter(site__organisation_id__in=clinician_organisation_ids(user=user)), page_number)


def volunteer_offers(*, profile: VolunteerProfile) -> list[ConsultRequest]:
    """Open requests offered to the volunteer, urgent first, then oldest first."""
    open_requests = list(_base().open().order_by("-urgency", "offered_at", "pk"))
    offered = offered_request_ids(profile=profile, requests=open_requests)
    return [consult for consult in open_requests if consult.pk in offered]


def volunteer_claimed(*, profile: VolunteerProfile, page_number=None) -> Page:
    return _page(_base().filter(claimed_by=profile), page_number)


def consult_hours_for_profile(*, profile: VolunteerProfile) -> Decimal:
    """placements.hooks.consult_remote_hours: the hours the volunteer gave to answered consults."""
    total = ConsultReport.objects.filter(author=profile).aggregate(hours=Sum("hours_spent"))["hours"]
    return total or Decimal(0)


@dataclass
class TurnaroundRow:
    site: str
    month: datetime.date
    answered: int
    median_hours: float
    p90_hours: float


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    # Nearest rank: the smallest value with at least 90 % of the values at or below it.
    rank = max(1, -(-9 * len(ordered) // 10))
    return ordered[rank - 1]


def turnaround_for_user(*, user) -> list[TurnaroundRow]:
    """Hours from offer to answer, median and 90th percentile, per site and month of the answer, for the
    requests of the sites of the organisations the user coordinates (every site for site admins)."""
    answered = ConsultRequest.objects.filter(answered_at__isnull=False, offered_at__isnull=False)
    if not user.is_staff:
        answered = answered.filter(Q(site__organisation__in=organisations_coordinated_by(user=user)))
    groups: dict[tuple[str, datetime.date], list[float]] = {}
    for site_name, offered_at, answered_at in answered.values_list("site__name", "offered_at", "answered_at"):
        month = answered_at.date().replace(day=1)
        groups.setdefault((site_name, month), []).append((answered_at - offered_at).total_seconds() / 3600)
    return [
        TurnaroundRow(
            site=site,
            month=month,
            answered=len(hours),
            median_hours=round(median(hours), 1),
            p90_hours=round(_p90(hours), 1),
        )
        for (site, month), hours in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1]), reverse=False)
    ]
