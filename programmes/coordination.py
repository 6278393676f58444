"""The coordinator's workspace: reads and writes for sites, programmes and needs.

Kept apart from ``selectors.py`` and ``services.py`` (the volunteer's side and the pipeline) so
that the workspace reads as one piece: selectors first, then services. The services follow the
house rules: keyword-only arguments, ``full_clean()`` then ``save()`` inside
``transaction.atomic``, row locks where two coordinators can race, and ``ValidationError``s a
coordinator can read.

Views hand the services a form's ``cleaned_data``; a service takes only the fields a coordinator
may set from it, so a need's status and programme, or a programme's lead organisation and
status, can never come from a form.
"""

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Greatest, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from globalir.accounts.models import User
from notifications.services import absolute_url, notify
from organisations.models import Membership, Organisation
from organisations.selectors import organisation_coordinators

from .matching.service import recommendations_refresh_need_later, recommendations_refresh_needs_later
from .models import Application, Need, Programme, Site
from .services import _need_fill_if_full

logger = logging.getLogger(__name__)

# How many needs of each programme the workspace shows; the programme's page lists them all.
WORKSPACE_NEEDS_PER_PROGRAMME = 10
PROGRAMME_NEEDS_PAGE_SIZE = 25
SITE_PAGE_SIZE = 25
DEADLINE_REMINDER_DAYS = 3

SITE_FIELDS = ("name", "city", "country", "website", "description")
PROGRAMME_FIELDS = ("title", "kind", "summary", "description", "countries", "start_date", "end_date")
PROGRAMME_M2M_FIELDS = ("sites", "partners")
NEED_FIELDS = (
    "title",
    "description",
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
TAKEN_STATUSES = (Application.Status.ACCEPTED, Application.Status.COMPLETED)


# Selectors


def need_counts_queryset(needs: QuerySet[Need]) -> QuerySet[Need]:
    """``needs`` annotated with the pipeline's counts, in the same query.

    ``interested_count`` (new applications), ``shortlisted_count``, ``offered_count``,
    ``taken_count`` (accepted and completed) and ``places_left`` (places − taken − offered, never below 0).
    """
    by_status = {
        "interested_count": Count("applications", filter=Q(applications__status=Application.Status.INTERESTED)),
        "shortlisted_count": Count("applications", filter=Q(applications__status=Application.Status.SHORTLISTED)),
        "offered_count": Count("applications", filter=Q(applications__status=Application.Status.OFFERED)),
        "taken_count": Count("applications", filter=Q(applications__status__in=TAKEN_STATUSES)),
    }
    return needs.annotate(**by_status).annotate(
        # As on the pipeline board: a place offered and awaiting an answer is not left to offer.
        places_left=Greatest(F("places") - F("taken_count") - F("offered_count"), Value(0), output_field=IntegerField())
    )


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
            need_counts_queryset(
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
    return need_counts_queryset(
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
    initial["title"] = _copy_title(need.title)
    for name in NEED_M2M_FIELDS:
        initial[name] = [obj.pk for obj in getattr(need, name).all()]
    if need.window_end < today:
        initial.update(window_start=None, window_end=None)
    if need.application_deadline and need.application_deadline < today:
        initial["application_deadline"] = None
    return initial


def need_dates_passed(*, need: Need, today: datetime.date | None = None) -> bool:
    """Whether a copy of the need would need new dates: its window ended or its deadline passed."""
    today = today or timezone.localdate()
    return need.window_end < today or bool(need.application_deadline and need.application_deadline < today)


# Services: sites


def _apply(instance, data: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in data:
            value = data[name]
            setattr(instance, name, value.strip() if isinstance(value, str) else value)


def _save_site(site: Site) -> Site:
    duplicate = site_find_duplicate(name=site.name, city=site.city, country=site.country.code, exclude_pk=site.pk)
    if duplicate is not None:
        raise ValidationError({"name": site_duplicate_message(duplicate)}, code="duplicate_site")
    site.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError as error:
        # Someone listed the same site a moment ago.
        raise ValidationError(
            {"name": _("A site with this name is already listed in this city and country.")}, code="duplicate_site"
        ) from error
    return site


def site_create(*, organisation: Organisation, data: dict[str, Any], by: User) -> Site:
    """List a new host site managed by ``organisation``. Refused when the same name, city and country is listed."""
    site = Site(organisation=organisation)
    _apply(site, data, SITE_FIELDS)
    _save_site(site)
    logger.info("User %s listed site %s for organisation %s", by.pk, site.pk, organisation.pk)
    return site


def site_update(*, site: Site, data: dict[str, Any], by: User) -> Site:
    """Change a site's details; the organisation that manages it does not change."""
    site = Site.objects.get(pk=site.pk)
    _apply(site, data, SITE_FIELDS)
    _save_site(site)
    logger.info("User %s updated site %s", by.pk, site.pk)
    return site


# Services: programmes


def _programme_slug(title: str) -> str:
    """A slug made from the title, unique among programmes: "ir-training", "ir-training-2"…"""
    base = slugify(title)[:180].strip("-") or "programme"
    taken = set(Programme.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _programme_check_relations(*, programme: Programme, data: dict[str, Any]) -> None:
    """Sites must be the lead organisation's own or unmanaged; partners verified. What is already linked may stay."""
    errors = {}
    current_sites = set(programme.sites.values_list("pk", flat=True)) if programme.pk else set()
    current_partners = set(programme.partners.values_list("pk", flat=True)) if programme.pk else set()
    for site in data.get("sites") or []:
        if site.pk not in current_sites and site.organisation_id not in (None, programme.lead_organisation_id):
            errors["sites"] = _("“%(site)s” is managed by another organisation.") % {"site": site}
    for partner in data.get("partners") or []:
        if partner.pk == programme.lead_organisation_id:
            errors["partners"] = _("The lead organisation cannot be its own partner.")
        elif partner.pk not in current_partners and partner.status != Organisation.Status.VERIFIED:
            errors["partners"] = _("Only verified organisations can be partners: %(partner)s is not verified.") % {
                "partner": partner
            }
    if errors:
        raise ValidationError(errors)


def _programme_set_relations(programme: Programme, data: dict[str, Any]) -> None:
    for name in PROGRAMME_M2M_FIELDS:
        if name in data:
            getattr(programme, name).set(data[name] or [])


def programme_create(*, organisation: Organisation, data: dict[str, Any], by: User) -> Programme:
    """Create a draft programme led by ``organisation``, with a unique slug made from its title."""
    programme = Programme(lead_organisation=organisation, status=Programme.Status.DRAFT)
    _apply(programme, data, PROGRAMME_FIELDS)
    _programme_check_relations(programme=programme, data=data)
    for _attempt in range(3):
        programme.slug = _programme_slug(programme.title)
        programme.full_clean()
        try:
            with transaction.atomic():
                programme.save()
                _programme_set_relations(programme, data)
        except IntegrityError:
            # Another programme took the slug in the meantime: make another.
            programme.pk = None
            continue
        break
    else:
        raise ValidationError({"title": _("Could not save the programme just now; please try again.")})
    logger.info("User %s created programme %s for organisation %s", by.pk, programme.pk, organisation.pk)
    return programme


def programme_update(*, programme: Programme, data: dict[str, Any], by: User) -> Programme:
    """Change a programme's details. Its slug, lead organisation and status stay as they are."""
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        _apply(programme, data, PROGRAMME_FIELDS)
        _programme_check_relations(programme=programme, data=data)
        programme.full_clean()
        programme.save()
        _programme_set_relations(programme, data)
        # Its countries place remote needs in a region: the matcher's scores may change.
        recommendations_refresh_needs_later(need_ids=list(programme.needs.values_list("pk", flat=True)))
    logger.info("User %s updated programme %s", by.pk, programme.pk)
    return programme


# Services: needs


def _copy_title(title: str) -> str:
    return (_("Copy of %(title)s") % {"title": title})[: Need._meta.get_field("title").max_length]


def _need_check_host_site(*, need: Need, previous_host_site_id: int | None) -> None:
    site = need.host_site
    if site is None or site.pk == previous_host_site_id:
        return
    if site.organisation_id != need.programme.lead_organisation_id:
        raise ValidationError(
            {"host_site": _("Choose one of your organisation's sites; add yours on the Sites page if it is missing.")},
            code="foreign_site",
        )


def _need_set_relations(need: Need, data: dict[str, Any]) -> None:
    for name in NEED_M2M_FIELDS:
        if name in data:
            getattr(need, name).set(data[name] or [])


def need_create(*, programme: Programme, data: dict[str, Any], by: User) -> Need:
    """Post a new open need in ``programme`` with what the coordinator entered (status is always open)."""
    need = Need(programme=programme, status=Need.Status.OPEN)
    _apply(need, data, NEED_FIELDS)
    _need_check_host_site(need=need, previous_host_site_id=None)
    need.full_clean()
    with transaction.atomic():
        need.save()
        _need_set_relations(need, data)
        recommendations_refresh_need_later(need_id=need.pk)
    logger.info("User %s posted need %s in programme %s", by.pk, need.pk, programme.pk)
    return need


def need_update(*, need: Need, data: dict[str, Any], by: User, today: datetime.date | None = None) -> Need:
    """Change a need's details. Its status follows its places:

    - fewer places than volunteers who accepted (or offers still waiting) is refused;
    - an open need whose places are now all taken becomes filled;
    - a filled need with places free again reopens, if its window and deadline have not passed.

    The need's row is locked, as ``application_offer`` locks it, so places and offers cannot cross.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        need = Need.objects.select_for_update().select_related("programme").get(pk=need.pk)
        previous_host_site_id = need.host_site_id
        _apply(need, data, NEED_FIELDS)
        _need_check_host_site(need=need, previous_host_site_id=previous_host_site_id)
        counts = need.applications.aggregate(
            taken=Count("pk", filter=Q(status__in=TAKEN_STATUSES)),
            offered=Count("pk", filter=Q(status=Application.Status.OFFERED)),
        )
        if need.places is not None and need.places < counts["taken"]:
            raise ValidationError(
                {
                    "places": ngettext(
                        "%(taken)s volunteer has already accepted a place: the need cannot offer fewer places.",
                        "%(taken)s volunteers have already accepted a place: the need cannot offer fewer places.",
                        counts["taken"],
                    )
                    % counts
                },
                code="below_taken",
            )
        if need.places is not None and need.places < counts["taken"] + counts["offered"]:
            raise ValidationError(
                {
                    # Two counts in one sentence: as figures after a colon, no noun has to agree with them.
                    "places": _(
                        "Places taken: %(taken)s; offers waiting for an answer: %(offered)s. Decline an offer "
                        "in the pipeline before lowering the places."
                    )
                    % counts
                },
                code="below_offered",
            )
        if need.status == Need.Status.FILLED and need.places > counts["taken"]:
            still_running = need.window_end >= today and not (
                need.application_deadline and need.application_deadline < today
            )
            if still_running:
                need.status = Need.Status.OPEN
                need.filled_at = None
        need.full_clean()
        need.save()
        _need_set_relations(need, data)
        _need_fill_if_full(need)
        need.refresh_from_db()
        recommendations_refresh_need_later(need_id=need.pk)
    logger.info("User %s updated need %s (now %s)", by.pk, need.pk, need.status)
    return need


def need_duplicate(*, need: Need, by: User, today: datetime.date | None = None) -> Need:
    """Copy ``need`` as a new open need titled "Copy of …", with the same skills, languages and support.

    Refused (code ``dates_passed``) when the need's window has ended or its deadline has passed:
    the copy needs new dates first, and an open need cannot be saved with dates in the past.
    """
    today = today or timezone.localdate()
    if need_dates_passed(need=need, today=today):
        raise ValidationError(
            _("The dates of “%(need)s” have passed: give the copy new dates, then save it.") % {"need": need.title},
            code="dates_passed",
        )
    copy = Need(programme_id=need.programme_id, status=Need.Status.OPEN)
    for name in NEED_FIELDS:
        setattr(copy, name, getattr(need, name))
    copy.title = _copy_title(need.title)
    copy.full_clean()
    with transaction.atomic():
        copy.save()
        _need_set_relations(copy, {name: list(getattr(need, name).all()) for name in NEED_M2M_FIELDS})
        recommendations_refresh_need_later(need_id=copy.pk)
    logger.info("User %s duplicated need %s as %s", by.pk, need.pk, copy.pk)
    return copy


def need_reopen_check(*, need: Need) -> None:
    """Refuse to reopen a need whose places are all taken: more places must be offered first."""
    if need.status != Need.Status.FILLED:
        return
    taken = need.applications.filter(status__in=TAKEN_STATUSES).count()
    if taken >= need.places:
        raise ValidationError(
            _("Every place of “%(need)s” is taken: raise its number of places to reopen it.") % {"need": need.title},
            code="full",
        )


# Services: the deadline reminder


def needs_deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail each coordinator of the lead organisation of every listed open need whose application
    deadline is exactly DEADLINE_REMINDER_DAYS days away, with its applications so far and the
    link to its pipeline.

    Returns how many e-mails were recorded. The event key names the need, the deadline and the
    coordinator, so running it again the same day (or after a retry) sends nothing twice, while a
    deadline moved later gets its own reminder.
    """
    today = today or timezone.localdate()
    deadline = today + datetime.timedelta(days=DEADLINE_REMINDER_DAYS)
    needs = list(
        need_counts_queryset(
            Need.objects.listed()
            .filter(application_deadline=deadline)
            .select_related("programme__lead_organisation")
            .only(
                "title",
                "places",
                "application_deadline",
                "programme__title",
                "programme__lead_organisation__name",
                "programme__lead_organisation__acronym",
            )
        ).order_by("pk")
    )
    if not needs:
        return 0
    coordinators = organisation_coordinators(organisation_ids={need.programme.lead_organisation_id for need in needs})
    sent = 0
    with transaction.atomic():
        for need in needs:
            context = {
                "need_title": need.title,
                "programme_title": need.programme.title,
                "organisation_name": str(need.programme.lead_organisation),
                "deadline": date_format(deadline),
                "days_left": DEADLINE_REMINDER_DAYS,
                "places": need.places,
                "places_left": need.places_left,
                "interested": need.interested_count,
                "shortlisted": need.shortlisted_count,
                "offered": need.offered_count,
                "accepted": need.taken_count,
                "applications": need.interested_count + need.shortlisted_count + need.offered_count + need.taken_count,
                "pipeline_url": absolute_url(reverse("programmes:pipeline", kwargs={"pk": need.pk})),
                "edit_url": absolute_url(reverse("programmes:need-edit", kwargs={"pk": need.pk})),
            }
            for user in coordinators.get(need.programme.lead_organisation_id, []):
                notification = notify(
                    kind="deadline_soon",
                    event_key=f"deadline-soon:{need.pk}:{deadline.isoformat()}:{user.pk}",
                    recipient=user,
                    context=context,
                )
                if notification is not None:
                    sent += 1
    if sent:
        logger.info("Recorded %s deadline reminders for needs due on %s", sent, deadline)
    return sent
