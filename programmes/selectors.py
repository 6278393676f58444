"""Reads for sites, programmes and needs: the needs anyone may browse and each need's page, the
coordinator's workspace, and what the workspace's forms start from."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from organisations.models import Membership, Organisation

from . import hooks
from .models import Need, Programme, Site

# How many needs of each programme the workspace shows; the programme's page lists them all.
WORKSPACE_NEEDS_PER_PROGRAMME = 10
PROGRAMME_NEEDS_PAGE_SIZE = 25
SITE_PAGE_SIZE = 25

SITE_FIELDS = ("name", "city", "country", "website", "description")
PROGRAMME_FIELDS = (
    "title",
    "kind",
    "summary",
    "description",
    "content_language",
    "countries",
    "start_date",
    "end_date",
)
PROGRAMME_M2M_FIELDS = ("sites", "partners")
NEED_FIELDS = (
    "title",
    "description",
    "content_language",
    "profession",
    "places",
    "mode",
    "host_site",
    "window_start",
    "window_end",
    "min_duration_days",
    "hours_per_week",
    "min_years_experience",
    "requires_verified_credential",
    *Need.SUPPORT_FIELDS,
    "support_notes",
    "application_deadline",
)
NEED_M2M_FIELDS = ("required_skills", "preferred_skills", "required_languages")


# Needs anyone may browse


def need_listed_queryset(*, today: datetime.date | None = None) -> QuerySet[Need]:
    """Needs anyone may browse: listed (open, in a published programme led by a verified organisation)
    and still taking applications (deadline and window not passed)."""
    today = today or timezone.localdate()
    return Need.objects.listed().still_running(today)


def need_card_queryset(needs: QuerySet[Need]) -> QuerySet[Need]:
    """`needs` with everything a result card shows, in the same query."""
    return needs.select_related("programme__lead_organisation", "host_site").defer(
        "description",
        "support_notes",
        "programme__description",
        "programme__lead_organisation__description",
        "host_site__description",
    )


# One need


def need_detail_queryset() -> QuerySet[Need]:
    """Needs with everything their page shows: programme, lead organisation, listed partners, host
    site, skills and languages. Who may read which: programmes.views.access.need_for_reader."""
    return Need.objects.select_related("programme__lead_organisation", "host_site").prefetch_related(
        "required_skills",
        "preferred_skills",
        "required_languages",
        Prefetch(
            "programme__partners",
            queryset=Organisation.objects.listed().order_by("name"),
            to_attr="listed_partners",
        ),
    )


def need_listed_detail_queryset() -> QuerySet[Need]:
    """Listed needs with everything their page shows. Needs past their deadline are still listed here
    (applicants follow links to them) but take no more applications."""
    return need_detail_queryset().listed()


# The programmes of an organisation's public page (organisations' page shows them: templatetags/programmes.py)


def organisation_programme_list(*, organisation: Organisation) -> QuerySet[Programme]:
    """Published programmes the organisation leads or partners in, with their count of listed open needs.

    Programmes led by an organisation that is not verified are left out: their needs are not
    listed either, and showing them would reveal the unverified lead.
    """
    open_needs = (
        Need.objects.listed()
        .filter(programme=OuterRef("pk"))
        .order_by()
        .values("programme")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        Programme.objects.published()
        .of_organisation(organisation)
        .filter(lead_organisation__status=Organisation.Status.VERIFIED)
        .select_related("lead_organisation")
        .annotate(open_need_count=Coalesce(Subquery(open_needs), Value(0)))
        .order_by("title")
    )


# The coordinator's workspace


# Open needs first, then filled, then closed; within each, the soonest deadline first.
_NEED_STATUS_ORDER = Case(
    When(status=Need.Status.OPEN, then=Value(0)),
    When(status=Need.Status.FILLED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
NEED_WORKSPACE_ORDERING = (
    _NEED_STATUS_ORDER.asc(),
    F("application_deadline").asc(nulls_last=True),
    F("window_start").asc(),
    F("pk").asc(),
)


@dataclass
class WorkspaceProgramme:
    programme: Programme
    needs: list[Need] = field(default_factory=list)  # the first WORKSPACE_NEEDS_PER_PROGRAMME open or filled

    @property
    def more_needs(self) -> int:
        """Open or filled needs not shown in the workspace (see the programme's page)."""
        return self.programme.open_need_count + self.programme.filled_need_count - len(self.needs)


@dataclass
class WorkspaceOrganisation:
    organisation: Organisation
    role: str | None  # the user's role; None for a site admin who is not a member
    published: list[WorkspaceProgramme] = field(default_factory=list)
    drafts: list[WorkspaceProgramme] = field(default_factory=list)
    closed: list[WorkspaceProgramme] = field(default_factory=list)

    @property
    def is_admin(self) -> bool:
        return self.role == Membership.Role.ADMIN

    @property
    def programme_count(self) -> int:
        return len(self.published) + len(self.drafts) + len(self.closed)


def workspace_for_user(*, user: User) -> list[WorkspaceOrganisation]:
    """The organisations the user coordinates (site admins included: only those they are a member of),
    each with its programmes by status and, per programme, its open and filled needs with the
    pipeline's counts.

    Three queries whatever the number of organisations, programmes and needs: organisations
    (with the user's role), programmes (with their need counts) and needs (the first few of each
    programme, picked by a window function, with their application counts).
    """
    role = Membership.objects.filter(organisation=OuterRef("pk"), user=user).values("role")[:1]
    organisations = list(
        Organisation.objects.filter(memberships__user=user)
        .exclude(status=Organisation.Status.ARCHIVED)
        .annotate(user_role=Subquery(role))
        .only("name", "acronym", "slug", "status", "rejection_reason")
        .order_by("name")
    )
    if not organisations:
        return []
    entries = {
        organisation.pk: WorkspaceOrganisation(organisation=organisation, role=organisation.user_role)
        for organisation in organisations
    }
    programmes = list(
        Programme.objects.filter(lead_organisation__in=entries)
        .annotate(
            open_need_count=Count("needs", filter=Q(needs__status=Need.Status.OPEN)),
            filled_need_count=Count("needs", filter=Q(needs__status=Need.Status.FILLED)),
            closed_need_count=Count("needs", filter=Q(needs__status=Need.Status.CLOSED)),
        )
        .defer("description")
        .order_by("title", "pk")
    )
    rows: dict[int, WorkspaceProgramme] = {}
    for programme in programmes:
        row = WorkspaceProgramme(programme=programme)
        rows[programme.pk] = row
        entry = entries[programme.lead_organisation_id]
        {
            Programme.Status.PUBLISHED: entry.published,
            Programme.Status.DRAFT: entry.drafts,
            Programme.Status.CLOSED: entry.closed,
        }[programme.status].append(row)

    # Needs of closed programmes are not listed in the workspace: the programme's page has them.
    active = [pk for pk, row in rows.items() if row.programme.status != Programme.Status.CLOSED]
    if active:
        needs = (
            hooks.need_pipeline_counts(
                Need.objects.filter(programme__in=active)
                .exclude(status=Need.Status.CLOSED)
                .select_related("host_site")
                .defer("description", "support_notes", "host_site__description")
            )
            .annotate(
                position=Window(RowNumber(), partition_by=[F("programme_id")], order_by=list(NEED_WORKSPACE_ORDERING))
            )
            .filter(position__lte=WORKSPACE_NEEDS_PER_PROGRAMME)
            .order_by("programme_id", "position")
        )
        for need in needs:
            rows[need.programme_id].needs.append(need)
    return list(entries.values())


def programme_needs_for_coordinator(*, programme: Programme) -> QuerySet[Need]:
    """Every need of the programme with the pipeline's counts: open first, then filled, then closed."""
    return hooks.need_pipeline_counts(
        Need.objects.filter(programme=programme)
        .select_related("host_site")
        .defer("description", "support_notes", "host_site__description")
    ).order_by(*NEED_WORKSPACE_ORDERING)


def site_list_for_organisation(*, organisation: Organisation) -> QuerySet[Site]:
    """The sites the organisation manages, with how many needs they host."""
    return (
        Site.objects.filter(organisation=organisation)
        .annotate(need_count=Count("needs"))
        .order_by("country", "city", "name")
    )


def site_find_duplicate(*, name: str, city: str, country: str, exclude_pk: int | None = None) -> Site | None:
    """A site already listed with this name, city and country (ignoring case), if any."""
    sites = Site.objects.select_related("organisation").filter(
        name__iexact=name.strip(), city__iexact=city.strip(), country=country
    )
    if exclude_pk is not None:
        sites = sites.exclude(pk=exclude_pk)
    return sites.first()


def site_duplicate_message(site: Site) -> str:
    if site.organisation_id:
        return _(
            "“%(name)s” in %(city)s, %(country)s is already listed, managed by %(organisation)s. "
            "Choose it in your programme's sites instead, or give this site a different name."
        ) % {"name": site.name, "city": site.city, "country": site.country.name, "organisation": site.organisation}
    return _(
        "“%(name)s” in %(city)s, %(country)s is already listed. Choose it in your programme's sites instead, "
        "or give this site a different name."
    ) % {"name": site.name, "city": site.city, "country": site.country.name}


def need_copy_initial(*, need: Need, today: datetime.date | None = None) -> dict[str, Any]:
    """Initial values for a new need copied from ``need``, for the need form.

    Dates that have passed are left out, so the coordinator sets new ones before anything is saved.
    """
    today = today or timezone.localdate()
    initial: dict[str, Any] = {name: getattr(need, name) for name in NEED_FIELDS}
    initial["host_site"] = need.host_site_id
    initial["title"] = copy_title(need.title)
    for name in NEED_M2M_FIELDS:
        initial[name] = [obj.pk for obj in getattr(need, name).all()]
    if need.window_end < today:
        initial.update(window_start=None, window_end=None)
    if need.application_deadline and need.application_deadline < today:
        initial["application_deadline"] = None
    return initial


def copy_title(title: str) -> str:
    return (_("Copy of %(title)s") % {"title": title})[: Need._meta.get_field("title").max_length]
