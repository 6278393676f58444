"""Reads of the API: the public querysets behind each endpoint, and an organisation's tokens."""

from django.db.models import Prefetch, QuerySet

from organisations.models import Organisation
from programmes.models import Need, Programme
from programmes.selectors import need_listed_queryset

from .models import ApiToken


def api_organisation_queryset() -> QuerySet[Organisation]:
    """The organisations of the public directory."""
    return Organisation.objects.listed()


def api_programme_queryset() -> QuerySet[Programme]:
    """Published programmes led by a verified organisation, with their listed partners."""
    return (
        Programme.objects.published()
        .filter(lead_organisation__status=Organisation.Status.VERIFIED)
        .select_related("lead_organisation")
        .prefetch_related(
            Prefetch("partners", queryset=Organisation.objects.listed().order_by("name"), to_attr="listed_partners")
        )
    )


def api_need_queryset(needs: QuerySet[Need] | None = None) -> QuerySet[Need]:
    """The needs /opportunities/ lists (or `needs`, a narrower queryset of them), with what their page shows."""
    needs = need_listed_queryset() if needs is None else needs
    # As programmes.selectors.need_detail_queryset, without the elective's supervisor, never public.
    return needs.select_related("programme__lead_organisation", "host_site", "elective").prefetch_related(
        "required_skills",
        "preferred_skills",
        "required_languages",
        Prefetch(
            "programme__partners",
            queryset=Organisation.objects.listed().order_by("name"),
            to_attr="listed_partners",
        ),
    )


def api_token_list(*, organisation: Organisation) -> QuerySet[ApiToken]:
    """The organisation's tokens still in use, newest first, with who created them."""
    return ApiToken.objects.active().filter(organisation=organisation).select_related("created_by")
