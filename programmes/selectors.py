"""Reads for sites, programmes and needs: the needs anyone may browse and each need's page, the
coordinator's workspace, and what the workspace's forms start from."""

import datetime
from collections.abc import Mapping
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
from .models import ListingVersion, Need, Programme, Site

# How many needs of each programme the workspace shows; the programme's page lists them all.
WORKSPACE_NEEDS_PER_PROGRAMME = 10
# Programmes per page of each organisation in the workspace.
WORKSPACE_PROGRAMMES_PER_PAGE = 10
PROGRAMME_NEEDS_PAGE_SIZE = 25
SITE_PAGE_SIZE = 25


def _plain_and_many_to_many(model) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``model.EDITABLE_FIELDS`` split into the fields set on the row and the many-to-many ones, set once the
    row is saved."""
    many = {field.name for field in model._meta.many_to_many}
    return (
        tuple(name for name in model.EDITABLE_FIELDS if name not in many),
        tuple(name for name in model.EDITABLE_FIELDS if name in many),
    )


SITE_FIELDS = Site.EDITABLE_FIELDS
PROGRAMME_FIELDS, PROGRAMME_M2M_FIELDS = _plain_and_many_to_many(Programme)
NEED_FIELDS, NEED_M2M_FIELDS = _plain_and_many_to_many(Need)


# Needs anyone may browse


def need_listed_queryset(*, today: datetime.date | None = None) -> QuerySet[Need]:
    """Needs anyone may browse: listed (open, in a published programme led by a verified organisation)
    and still taking applications (deadline and window not passed)."""
    today = today or timezone.localdate()
    return Need.objects.listed().still_running(today)


def need_card_queryset(needs: QuerySet[Need]) -> QuerySet[Need]:
    """`needs` with everything a result card shows, in the same query."""
    return needs.select_related("programme__lead_organisation", "host_site", "elective").defer(
        "description",
        "support_notes",
        "programme__description",
        "programme__lead_organisation__description",
        "host_site__description",
    )


# One need


def need_page_queryset() -> QuerySet[Need]:
    """Needs with what their page shows outside the part kept rendered (programme, lead organisation, host site,
    elective): for visitors whose page reads nothing else, the skills, languages and partners are read only
    when that part is rendered again (templates/programmes/opportunity_detail.html), which is kept under the
    listing's data version, read with the need as `listing_version`."""
    return Need.objects.select_related("programme__lead_organisation", "host_site", "elective__supervisor").annotate(
        listing_version=ListingVersion.current_expression()
    )


def need_detail_queryset() -> QuerySet[Need]:
    """Needs with everything their page shows: programme, lead organisation, listed partners, host
    site, skills and languages. Who may read which: programmes.views.access.need_for_reader."""
    return need_page_queryset().prefetch_related(
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


# The programme order of the workspace: published, then drafts, then closed; by title within each.
_PROGRAMME_STATUS_ORDER = Case(
    When(status=Programme.Status.PUBLISHED, then=Value(0)),
    When(status=Programme.Status.DRAFT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@dataclass
class WorkspaceProgramme:
    programme: Programme
    # The first WORKSPACE_NEEDS_PER_PROGRAMME open or filled needs when shown with the page (the first
    # published programme of each organisation); the others fetch theirs when opened (`workspace_needs`).
    needs: list[Need] = field(default_factory=list)
    needs_inline: bool = False

    @property
    def shown_need_count(self) -> int:
        return self.programme.open_need_count + self.programme.filled_need_count

    @property
    def more_needs(self) -> int:
        """Open or filled needs not shown in the workspace (see the programme's page)."""
        return self.shown_need_count - len(self.needs)


@dataclass
class WorkspaceOrganisation:
    organisation: Organisation
    role: str | None  # the user's role; None for a site admin who is not a member
    published: list[WorkspaceProgramme] = field(default_factory=list)
    drafts: list[WorkspaceProgramme] = field(default_factory=list)
    closed: list[WorkspaceProgramme] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # programmes by status, all pages
    page: int = 1

    @property
    def is_admin(self) -> bool:
        return self.role == Membership.Role.ADMIN

    @property
    def published_count(self) -> int:
        return self.counts.get(Programme.Status.PUBLISHED, 0)

    @property
    def draft_count(self) -> int:
        return self.counts.get(Programme.Status.DRAFT, 0)

    @property
    def closed_count(self) -> int:
        return self.counts.get(Programme.Status.CLOSED, 0)

    @property
    def programme_count(self) -> int:
        return sum(self.counts.values())

    @property
    def page_count(self) -> int:
        return max(1, -(-self.programme_count // WORKSPACE_PROGRAMMES_PER_PAGE))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count


def workspace_for_user(*, user: User, pages: Mapping[int, int] | None = None) -> list[WorkspaceOrganisation]:
    """The organisations the user coordinates (site admins included: only those they are a member of),
    each with one page of its programmes (`pages` maps an organisation's id to the page asked for; the
    first by default; a page past the end is the last), published first, then drafts, then closed, and
    the counts of all its programmes by status.

    The first published programme of each page comes with its first open and filled needs and their
    pipeline's counts; the others only with their counts, their needs fetched when opened
    (`workspace_needs`): the page stays the same size however many programmes and needs there are.

    Five queries whatever their number: organisations (with the user's role), programme counts, the pages
    of programmes (picked by a window function, with their need counts) and the needs shown.
    """
    pages = pages or {}
    role = Membership.objects.filter(organisation=OuterRef("pk"), user=user).values("role")[:1]
    organisations = list(
        Organisation.objects.filter(memberships__user=user, memberships__role__in=Membership.COORDINATING_ROLES)
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
    for organisation_id, status, count in (
        Programme.objects.filter(lead_organisation__in=entries)
        .order_by()
        .values("lead_organisation_id", "status")
        .annotate(count=Count("pk"))
        .values_list("lead_organisation_id", "status", "count")
    ):
        entries[organisation_id].counts[status] = count
    programmes_of = Programme.objects.filter(lead_organisation__in=entries).annotate(
        open_need_count=Coalesce(_need_count_subquery(Need.Status.OPEN), Value(0)),
        filled_need_count=Coalesce(_need_count_subquery(Need.Status.FILLED), Value(0)),
        closed_need_count=Coalesce(_need_count_subquery(Need.Status.CLOSED), Value(0)),
    )
    programme_order = [_PROGRAMME_STATUS_ORDER.asc(), F("title").asc(), F("pk").asc()]
    window = Q()
    for pk, entry in entries.items():
        entry.page = min(max(pages.get(pk, 1), 1), entry.page_count)
        first = (entry.page - 1) * WORKSPACE_PROGRAMMES_PER_PAGE
        window |= Q(lead_organisation_id=pk, position__gt=first, position__lte=first + WORKSPACE_PROGRAMMES_PER_PAGE)
    if len(entries) == 1:
        # Most coordinators have one organisation: its page is a plain slice, cheaper to build than filtering on a
        # window function (which Django does by wrapping the whole query in another).
        programmes = list(
            programmes_of.defer("description").order_by(*programme_order)[first : first + WORKSPACE_PROGRAMMES_PER_PAGE]
        )
    else:
        programmes = list(
            programmes_of.annotate(
                position=Window(RowNumber(), partition_by=[F("lead_organisation_id")], order_by=programme_order)
            )
            .filter(window)
            .defer("description")
            .order_by("lead_organisation_id", "position")
        )
    inline: dict[int, WorkspaceProgramme] = {}
    for programme in programmes:
        row = WorkspaceProgramme(programme=programme)
        entry = entries[programme.lead_organisation_id]
        if programme.status == Programme.Status.PUBLISHED and not entry.published and row.shown_need_count:
            row.needs_inline = True
            inline[programme.pk] = row
        {
            Programme.Status.PUBLISHED: entry.published,
            Programme.Status.DRAFT: entry.drafts,
            Programme.Status.CLOSED: entry.closed,
        }[programme.status].append(row)

    if inline:
        needs = Need.objects.filter(programme__in=inline)
        for need in _workspace_needs_queryset(needs, one_programme=len(inline) == 1):
            inline[need.programme_id].needs.append(need)
    return list(entries.values())


def _need_count_subquery(status: str) -> Subquery:
    counted = (
        Need.objects.filter(programme=OuterRef("pk"), status=status)
        .order_by()
        .values("programme")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(counted, output_field=IntegerField())


def _workspace_needs_queryset(needs: QuerySet[Need], *, one_programme: bool = False) -> QuerySet[Need]:
    """The first WORKSPACE_NEEDS_PER_PROGRAMME open or filled needs of each programme of `needs`, with the
    pipeline's counts (closed needs are on the programme's page). `one_programme`: `needs` are one programme's,
    whose first needs are a plain slice, cheaper to build than filtering on a window function."""
    counted = hooks.need_pipeline_counts(
        needs.exclude(status=Need.Status.CLOSED)
        .select_related("host_site", "elective__supervisor")
        .defer("description", "support_notes", "host_site__description")
    )
    if one_programme:
        return counted.order_by(*NEED_WORKSPACE_ORDERING)[:WORKSPACE_NEEDS_PER_PROGRAMME]
    return (
        counted.annotate(
            position=Window(RowNumber(), partition_by=[F("programme_id")], order_by=list(NEED_WORKSPACE_ORDERING))
        )
        .filter(position__lte=WORKSPACE_NEEDS_PER_PROGRAMME)
        .order_by("programme_id", "position")
    )


def workspace_needs(*, programme: Programme) -> WorkspaceProgramme:
    """One programme of the workspace with its first open and filled needs, for the section fetched when
    the coordinator opens it: two queries."""
    counts = dict(
        Need.objects.filter(programme=programme)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    programme.open_need_count = counts.get(Need.Status.OPEN, 0)
    programme.filled_need_count = counts.get(Need.Status.FILLED, 0)
    programme.closed_need_count = counts.get(Need.Status.CLOSED, 0)
    needs = (
        list(_workspace_needs_queryset(Need.objects.filter(programme=programme), one_programme=True)) if counts else []
    )
    return WorkspaceProgramme(programme=programme, needs=needs, needs_inline=True)


def programme_needs_for_coordinator(*, programme: Programme) -> QuerySet[Need]:
    """Every need of the programme with the pipeline's counts: open first, then filled, then closed."""
    return hooks.need_pipeline_counts(
        Need.objects.filter(programme=programme)
        .select_related("host_site", "elective__supervisor")
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


def organisation_open_needs_queryset(*, organisation: Organisation) -> QuerySet[Need]:
    """The needs anyone may browse of the programmes `organisation` leads or partners in (as the organisation
    filter of /opportunities/ finds them), soonest deadline first."""
    partnered = Programme.partners.through.objects.filter(organisation=organisation).values("programme_id")
    return (
        need_listed_queryset()
        .filter(Q(programme__lead_organisation=organisation) | Q(programme__in=partnered))
        .order_by(F("application_deadline").asc(nulls_last=True), "window_start", "pk")
    )
