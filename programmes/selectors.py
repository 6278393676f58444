"""Reads for programmes: the public list of opportunities and each need's page."""

import datetime
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import caches
from django.core.files import File
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import CountryField

from globalir.accounts.models import AuditEvent, User
from globalir.regions import Region
from notifications.models import Notification, NotificationPreference
from organisations.models import Membership, Organisation
from volunteers.models import AvailabilityWindow, Credential, Language, Skill, VolunteerLanguage, VolunteerProfile
from volunteers.validators import document_type_of

from . import calendar, fit
from .filters import SORT_FIT, SORT_NEWEST, LazyChoices, OpportunityFilter
from .models import Application, Feedback, Need, Placement, Programme, Recommendation

OPPORTUNITY_PAGE_SIZE = 20

ORDERINGS = {
    # Soonest deadline first; needs without a deadline ("open until filled") last.
    "deadline": (F("application_deadline").asc(nulls_last=True), "window_start", "pk"),
    SORT_NEWEST: ("-created_at", "-pk"),
}
DEFAULT_ORDERING = ORDERINGS["deadline"]


def need_listed_queryset(*, today: datetime.date | None = None) -> QuerySet[Need]:
    """Needs anyone may browse: listed (open, in a published programme led by a verified organisation)
    and still taking applications (deadline and window not passed)."""
    today = today or timezone.localdate()
    return Need.objects.listed().filter(
        Q(application_deadline__isnull=True) | Q(application_deadline__gte=today), window_end__gte=today
    )


def need_is_listed(need: Need) -> bool:
    """`Need.objects.listed()` for one need loaded with its programme and lead organisation."""
    return (
        need.status == Need.Status.OPEN
        and need.programme.status == Programme.Status.PUBLISHED
        and need.programme.lead_organisation.status == Organisation.Status.VERIFIED
    )


def need_accepts_applications(*, need: Need, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    deadline_open = need.application_deadline is None or need.application_deadline >= today
    return need.status == Need.Status.OPEN and deadline_open and need.window_end >= today


def need_card_queryset(needs: QuerySet[Need]) -> QuerySet[Need]:
    """`needs` with everything a result card shows, in the same query."""
    return needs.select_related("programme__lead_organisation", "host_site").defer(
        "description",
        "support_notes",
        "programme__description",
        "programme__lead_organisation__description",
        "host_site__description",
    )


# Choices of the filters


def _sort_key(name: str) -> str:
    """Sort "Égypte" with the E's: accents are dropped, case is ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def opportunity_organisation_choices(*, needs: QuerySet[Need]) -> list[tuple[str, str]]:
    """(slug, name) of the verified organisations leading or partnering in a programme with one of `needs`."""
    programmes = needs.order_by().values("programme_id")
    leading = Programme.objects.filter(pk__in=programmes).values("lead_organisation_id")
    partnering = Programme.partners.through.objects.filter(programme_id__in=programmes).values("organisation_id")
    organisations = (
        Organisation.objects.verified()
        .filter(Q(pk__in=leading) | Q(pk__in=partnering))
        .only("slug", "name", "acronym")
        .order_by("name")
    )
    return [(organisation.slug, str(organisation)) for organisation in organisations]


def opportunity_country_choices(*, needs: QuerySet[Need]) -> list[tuple[str, str]]:
    """(code, name) of the countries of `needs`: their host site's, or their programme's for remote needs."""
    codes: set[str] = set()
    for host_country, programme_countries in (
        needs.order_by().values_list("host_site__country", "programme__countries").distinct()
    ):
        if host_country:
            codes.add(host_country)
        else:
            # values_list() gives a multiple CountryField in its stored form, "KE,TZ".
            codes.update(code for code in (programme_countries or "").split(",") if code)
    choices = [(code, str(countries.name(code))) for code in codes if countries.name(code)]
    return sorted(choices, key=lambda choice: _sort_key(choice[1]))


def skill_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active skills by category, as option groups of (slug, name) in the reader's language (filter_menu keeps
    one menu per language)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for skill in Skill.objects.active().order_by("category", "name"):
        groups.setdefault(skill.category, []).append((skill.slug, str(skill)))
    return [
        (str(Skill.Category(category).label), sorted(options, key=lambda option: _sort_key(option[1])))
        for category, options in groups.items()
    ]


def language_choices() -> list[tuple[str, str]]:
    names = [(language.code, str(language)) for language in Language.objects.all()]
    return sorted(names, key=lambda option: _sort_key(option[1]))


def filter_menu(name: str, load: Callable[[], list]) -> list:
    """The options of one filter menu of /opportunities/, kept OPPORTUNITY_CHOICES_SECONDS in this process.

    Working them out takes more time than the rest of the page's queries together, and a menu a minute
    behind is harmless: an option whose needs have just gone finds nothing and says which filter to
    relax, and a new country or organisation is offered (and accepted in a link) within the minute.
    """
    key = f"opportunity-menu:{name}:{get_language()}"
    return caches["local"].get_or_set(key, load, settings.OPPORTUNITY_CHOICES_SECONDS)


# The list


@dataclass
class OpportunitySearch:
    filter: OpportunityFilter
    page: Page  # its object_list holds the page's needs, ready for the cards
    page_range: list
    sort: str
    fit_scores: dict[int, float] = field(default_factory=dict)
    page_message: str = ""  # why the page shown is not the one asked for

    @property
    def count(self) -> int:
        return self.page.paginator.count


def _page_or_nearest(paginator: Paginator, number: str | None) -> tuple[Page, str]:
    """The page asked for; or, for a link that was edited or has gone stale (the list shrank), the nearest
    page and a message saying so rather than an error."""
    if not number:
        return paginator.page(1), ""
    try:
        return paginator.page(number), ""
    except PageNotAnInteger:
        # Not echoed in full: the message is no place for a long made-up string.
        return paginator.page(1), _("“%(page)s” is not a page number; showing the first page.") % {"page": number[:20]}
    except EmptyPage:
        if int(number) < 1:
            return paginator.page(1), _("There is no page %(page)s; showing the first page.") % {"page": number}
        last = paginator.num_pages
        if last == 1:
            return paginator.page(1), _("There is no page %(page)s; showing the first page.") % {"page": number}
        return paginator.page(last), _("There is no page %(page)s; showing page %(last)s, the last one.") % {
            "page": number,
            "last": last,
        }


def opportunity_search(
    *,
    data: QueryDict,
    profile: VolunteerProfile | None,
    page_number: str | None,
    per_page: int = OPPORTUNITY_PAGE_SIZE,
) -> OpportunitySearch:
    """The listed needs matching the query string, sorted and paginated.

    A constant number of queries whatever the number of needs: one per filter choice list that is
    needed, a count and a page for deadline and newest; for "best fit" (volunteers with a profile
    only) the candidate ids with the matcher's stored scores instead of the count, or, until the matcher
    has stored any for the volunteer, also the volunteer (three) and the candidates that can fit (two).
    Invalid values are reported by the form and ignored; the other filters still apply.
    """
    listed = need_listed_queryset()
    search = OpportunityFilter(
        data,
        queryset=listed,
        organisation_choices=LazyChoices(
            lambda: filter_menu("organisations", lambda: opportunity_organisation_choices(needs=listed))
        ),
        country_choices=LazyChoices(
            lambda: filter_menu("countries", lambda: opportunity_country_choices(needs=listed))
        ),
        skill_choices=LazyChoices(lambda: filter_menu("skills", skill_choices)),
        language_choices=LazyChoices(lambda: filter_menu("languages", language_choices)),
        can_sort_by_fit=profile is not None,
    )
    needs = search.qs
    sort = search.sort_order

    if sort == SORT_FIT and profile is not None:
        # The ids with the matcher's stored scores, in one query; scored live until it has stored any
        # for the volunteer.
        ordered, scores = recommendation_scores(profile=profile, needs=needs.order_by(*DEFAULT_ORDERING))
        if scores is None:
            scores = fit.need_fit_scores(volunteer=fit.volunteer_data(profile), needs=needs)
        position = {pk: index for index, pk in enumerate(ordered)}
        # Eligible needs by score, best first; then the others; ties keep the deadline order.
        ordered.sort(key=lambda pk: (0, -scores[pk], position[pk]) if pk in scores else (1, 0, position[pk]))
        paginator = Paginator(ordered, per_page)
        page, page_message = _page_or_nearest(paginator, page_number)
        cards = need_card_queryset(Need.objects.all()).in_bulk(list(page.object_list))
        page.object_list = [cards[pk] for pk in page.object_list]
        for need in page.object_list:
            need.fit_score = round(scores[need.pk]) if need.pk in scores else None
    else:
        paginator = Paginator(need_card_queryset(needs).order_by(*ORDERINGS.get(sort, DEFAULT_ORDERING)), per_page)
        page, page_message = _page_or_nearest(paginator, page_number)
        scores = {}

    return OpportunitySearch(
        filter=search,
        page=page,
        page_range=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        sort=sort,
        fit_scores=scores,
        page_message=page_message,
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


def application_active_for(*, profile: VolunteerProfile, need: Need) -> Application | None:
    """The volunteer's application to `need` that is still going (interested to accepted), if any."""
    return Application.objects.active().for_volunteer(profile).filter(need=need).first()


# The volunteer's dashboard

DASHBOARD_SUGGESTIONS = 5


@dataclass
class VolunteerDashboard:
    offers: list[Application]  # waiting for the volunteer's answer
    in_progress: list[Application]  # interested or shortlisted
    upcoming: list[Placement]  # accepted, not over yet
    past: list[Placement]  # completed, or over
    closed: list[Application]  # declined or withdrawn
    suggestions: list[Need]  # each with .fit_score


def volunteer_dashboard(*, profile: VolunteerProfile, today: datetime.date | None = None) -> VolunteerDashboard:
    """Everything /me/ shows, in a constant number of queries: the volunteer's applications (one
    query, with their needs and placements), and the best-fitting listed needs they have not applied
    to yet (the matcher's stored recommendations with their cards; until it has stored any for the
    volunteer, the fit scorer's queries and one for the cards)."""
    today = today or timezone.localdate()
    own_feedback = Feedback.objects.filter(placement__application=OuterRef("pk"), side=Feedback.Side.VOLUNTEER)
    applications = list(
        Application.objects.for_volunteer(profile)
        .select_related("need__programme__lead_organisation", "need__host_site", "placement")
        .annotate(feedback_given=Exists(own_feedback))
        .order_by("-updated_at", "-pk")
    )
    dashboard = VolunteerDashboard(offers=[], in_progress=[], upcoming=[], past=[], closed=[], suggestions=[])
    for application in applications:
        status = application.status
        if status == Application.Status.OFFERED:
            dashboard.offers.append(application)
        elif status in (Application.Status.INTERESTED, Application.Status.SHORTLISTED):
            dashboard.in_progress.append(application)
        elif status in (Application.Status.ACCEPTED, Application.Status.COMPLETED):
            placement = getattr(application, "placement", None)
            if placement is None:
                continue
            placement.need = application.need  # the same row, already loaded with its programme and site
            if status == Application.Status.ACCEPTED and placement.end_date >= today:
                dashboard.upcoming.append(placement)
            else:
                placement.feedback_due = not application.feedback_given  # over: the volunteer may give feedback
                dashboard.past.append(placement)
        else:
            dashboard.closed.append(application)
    dashboard.upcoming.sort(key=lambda placement: placement.start_date)

    applied = [application.need_id for application in applications if application.is_active]
    candidates = need_listed_queryset(today=today).exclude(pk__in=applied)
    # The matcher's stored recommendations, with their needs (one query; two when there are none); scored
    # live until it has stored any for the volunteer.
    suggestions = recommended_needs(profile=profile, needs=candidates, limit=DASHBOARD_SUGGESTIONS)
    if suggestions is not None:
        dashboard.suggestions = suggestions
        return dashboard
    scores = fit.need_fit_scores(volunteer=fit.volunteer_data(profile), needs=candidates)
    best = sorted(scores, key=lambda pk: (-scores[pk], pk))[:DASHBOARD_SUGGESTIONS]
    cards = need_card_queryset(Need.objects.all()).in_bulk(best) if best else {}
    for pk in best:
        cards[pk].fit_score = round(scores[pk])
        dashboard.suggestions.append(cards[pk])
    return dashboard


# The volunteer's own data: export, erasure, calendar feed and credential documents (views.privacy)

EXPORT_FORMAT = "globalir-personal-data"
EXPORT_FORMAT_VERSION = 1

# The fields of each model that the export carries. tests/programmes/test_privacy.py walks the models
# and fails when a field is neither exported nor deliberately left out, so a new personal field
# cannot be forgotten.
EXPORT_USER_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "language",
    "date_joined",
    "last_login",
    "is_active",
    "is_staff",
    "is_superuser",
)
EXPORT_PROFILE_FIELDS = (
    "name",
    "title",
    "profession",
    "career_stage",
    "years_experience",
    "home_country",
    "institution",
    "offers_onsite",
    "offers_remote",
    "preferred_regions",
    "bio",
    "consent_to_share",
    "consent_given_at",
    "consent_withdrawn_at",
    "onboarding_step",
    "onboarding_completed_at",
    "created_at",
    "updated_at",
)
EXPORT_LANGUAGE_FIELDS = ("proficiency",)
EXPORT_AVAILABILITY_FIELDS = ("start_date", "end_date", "hours_per_week")
EXPORT_CREDENTIAL_FIELDS = (
    "id",
    "kind",
    "title",
    "issuing_body",
    "issuing_country",
    "number",
    "issued_on",
    "expires_on",
    "status",
    "verified_at",
    "rejection_reason",
    "created_at",
)
EXPORT_APPLICATION_FIELDS = (
    "id",
    "message",
    "proposed_start",
    "proposed_end",
    "status",
    "decline_reason",
    "created_at",
    "shortlisted_at",
    "offered_at",
    "accepted_at",
    "declined_at",
    "withdrawn_at",
    "completed_at",
    "updated_at",
)
EXPORT_PLACEMENT_FIELDS = ("id", "mode", "start_date", "end_date", "hours_per_week", "completed_at", "created_at")
EXPORT_FEEDBACK_FIELDS = ("id", "side", "rating", "comments", "created_at")
EXPORT_NOTIFICATION_PREFERENCE_FIELDS = (
    "application_updates",
    "deadline_reminders",
    "feedback_requests",
    "weekly_digest",
    "updated_at",
)
EXPORT_NOTIFICATION_FIELDS = ("kind", "email", "status", "created_at", "sent_at")
EXPORT_SECURITY_EVENT_FIELDS = ("kind", "email", "ip_address", "path", "status_code", "what", "created_at")
EXPORT_RECOMMENDATION_FIELDS = ("score", "rank_for_volunteer", "rank_for_need", "factors", "computed_at")


def _export_record(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of `instance`; choices also with their label, countries with their name."""
    record: dict[str, Any] = {}
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if isinstance(field, CountryField):
            record[name] = value.code or ""
            record[f"{name}_name"] = str(value.name) if value.code else ""
            continue
        record[name] = value
        if field.choices:
            record[f"{name}_display"] = str(getattr(instance, f"get_{name}_display")())
    return record


def _export_need(need: Need) -> dict[str, Any]:
    programme = need.programme
    return {
        "id": need.pk,
        "title": need.title,
        "programme": programme.title,
        "organisation": programme.lead_organisation.name,
    }


def volunteer_data_export(*, user: User) -> dict[str, Any]:
    """Everything GlobalIR holds about `user`, for them to download (the right of access and portability).

    The account with its e-mail addresses and memberships; for a volunteer their profile, languages,
    skills, availability, credentials (metadata and status; the documents themselves are downloaded
    one by one), applications, placements, the feedback on those placements (what they gave and
    what the organisation gave them) and the matcher's recommendations; for everyone their e-mail
    preferences, the e-mails sent to them and their security events (sign-ins). Values are dates,
    numbers and strings ready for DjangoJSONEncoder. A fixed number of queries (fourteen), whatever
    the amount of data.
    """
    email_addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
    export: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        "account": {
            **_export_record(user, EXPORT_USER_FIELDS),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in email_addresses
            ],
        },
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "role": membership.role,
                "role_display": membership.get_role_display(),
                "created_at": membership.created_at,
            }
            for membership in memberships
        ],
        "notification_preferences": next(
            (
                _export_record(preference, EXPORT_NOTIFICATION_PREFERENCE_FIELDS)
                for preference in NotificationPreference.objects.filter(user=user)
            ),
            None,
        ),
        # The e-mails GlobalIR sent or will send them (not their content, which may hold sign-in links).
        "emails": [
            _export_record(notification, EXPORT_NOTIFICATION_FIELDS)
            for notification in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
        ],
        # Their sign-ins, failed sign-ins and refused accesses, as the security log keeps them.
        "security_events": [
            _export_record(event, EXPORT_SECURITY_EVENT_FIELDS)
            for event in AuditEvent.objects.filter(Q(actor=user) | Q(subject=user)).order_by("created_at", "pk")
        ],
        "volunteer_profile": None,
        "languages": [],
        "skills": [],
        "availability": [],
        "credentials": [],
        "applications": [],
        "placements": [],
        "feedback": [],
        "recommendations": [],
    }
    profile = (
        VolunteerProfile.objects.filter(user=user)
        .prefetch_related(
            Prefetch("languages", queryset=VolunteerLanguage.objects.select_related("language")),
            Prefetch("skills", queryset=Skill.objects.order_by("category", "name")),
            Prefetch("availability", queryset=AvailabilityWindow.objects.order_by("start_date", "pk")),
            Prefetch("credentials", queryset=Credential.objects.order_by("created_at", "pk")),
        )
        .first()
    )
    if profile is None:
        return export

    export["volunteer_profile"] = {
        **_export_record(profile, EXPORT_PROFILE_FIELDS),
        "preferred_regions_display": [
            str(Region(code).label) for code in profile.preferred_regions or [] if code in Region.values
        ],
    }
    export["languages"] = [
        {"code": row.language.code, "language": row.language.name, **_export_record(row, EXPORT_LANGUAGE_FIELDS)}
        for row in profile.languages.all()
    ]
    export["skills"] = [
        {"slug": skill.slug, "name": skill.name, "category": skill.get_category_display()}
        for skill in profile.skills.all()
    ]
    export["availability"] = [
        _export_record(window, EXPORT_AVAILABILITY_FIELDS) for window in profile.availability.all()
    ]
    export["credentials"] = [
        {**_export_record(credential, EXPORT_CREDENTIAL_FIELDS), "has_document": bool(credential.document)}
        for credential in profile.credentials.all()
    ]
    applications = (
        Application.objects.filter(volunteer=profile)
        .select_related("need__programme__lead_organisation")
        .order_by("created_at", "pk")
    )
    export["applications"] = [
        {**_export_record(application, EXPORT_APPLICATION_FIELDS), "need": _export_need(application.need)}
        for application in applications
    ]
    placements = (
        Placement.objects.filter(volunteer=profile)
        .select_related("need__programme__lead_organisation", "need__host_site")
        .order_by("start_date", "pk")
    )
    export["placements"] = [
        {
            **_export_record(placement, EXPORT_PLACEMENT_FIELDS),
            "application": placement.application_id,
            "need": _export_need(placement.need),
            "location": calendar.placement_location(placement),
        }
        for placement in placements
    ]
    # Both sides' feedback on the volunteer's placements; the author's identity is not the volunteer's data.
    feedback = (
        Feedback.objects.filter(placement__volunteer=profile)
        .select_related("placement__need__programme__lead_organisation")
        .order_by("created_at", "pk")
    )
    export["feedback"] = [
        {
            **_export_record(row, EXPORT_FEEDBACK_FIELDS),
            "placement": row.placement_id,
            "need": _export_need(row.placement.need),
        }
        for row in feedback
    ]
    # What the matcher computed about them: how well they fit each need it stored, and why.
    recommendations = (
        Recommendation.objects.filter(volunteer=profile)
        .select_related("need__programme__lead_organisation")
        .order_by("rank_for_volunteer", "pk")
    )
    export["recommendations"] = [
        {**_export_record(row, EXPORT_RECOMMENDATION_FIELDS), "need": _export_need(row.need)} for row in recommendations
    ]
    return export


@dataclass(frozen=True)
class AccountErasePreview:
    """What erasing the account would do, for the confirmation page."""

    blockers: list[str]  # why the account cannot be erased yet; empty when it can
    has_profile: bool
    credential_count: int
    withdrawing: list[Application]  # applications still going, withdrawn on erasure
    upcoming_placements: list[Placement]  # accepted placements not over yet


ERASE_WITHDRAWS = (Application.Status.INTERESTED, Application.Status.SHORTLISTED, Application.Status.OFFERED)


def account_erase_blockers(*, user: User) -> list[str]:
    """Reasons, in words for the user, why their account cannot be erased right now."""
    blockers = []
    if user.is_staff:
        blockers.append(
            _(
                "Site admin accounts are closed by another site admin in the admin, "
                "so that GlobalIR is never left without one."
            )
        )
    admin_of = Membership.objects.admins().filter(user=user).values("organisation_id")
    sole = (
        Organisation.objects.filter(pk__in=admin_of)
        .annotate(admin_count=Count("memberships", filter=Q(memberships__role=Membership.Role.ADMIN)))
        .filter(admin_count=1)
        .order_by("name")
    )
    for organisation in sole:
        blockers.append(
            _(
                "You are the only admin of %(organisation)s. Make another member its admin first, "
                "so that the organisation is not left without one."
            )
            % {"organisation": organisation.name}
        )
    return blockers


def account_erase_preview(*, user: User, today: datetime.date | None = None) -> AccountErasePreview:
    today = today or timezone.localdate()
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        return AccountErasePreview(
            blockers=account_erase_blockers(user=user),
            has_profile=False,
            credential_count=0,
            withdrawing=[],
            upcoming_placements=[],
        )
    return AccountErasePreview(
        blockers=account_erase_blockers(user=user),
        has_profile=True,
        credential_count=Credential.objects.filter(profile=profile).count(),
        withdrawing=list(
            Application.objects.filter(volunteer=profile, status__in=ERASE_WITHDRAWS)
            .select_related("need")
            .order_by("created_at")
        ),
        upcoming_placements=[
            placement for placement in placement_calendar_list(profile=profile) if placement.end_date >= today
        ],
    )


CALENDAR_STATUSES = (Application.Status.ACCEPTED, Application.Status.COMPLETED)


def placement_calendar_list(*, profile: VolunteerProfile) -> list[Placement]:
    """The volunteer's accepted and completed placements with all their feed shows, in one query."""
    return list(
        Placement.objects.filter(volunteer=profile, application__status__in=CALENDAR_STATUSES)
        .select_related("application", "need__programme__lead_organisation", "need__host_site")
        .order_by("start_date", "pk")
    )


def credential_for_download(*, user: User, pk: int) -> Credential | None:
    """The credential `pk` if `user` may open its document, otherwise None (whether or not it exists).

    Allowed: its owner; site admins; coordinators and admins of the verified organisation that leads
    the programme of a need the volunteer applied to (whatever became of the application), when the
    volunteer consented to be shown to coordinators. Partner organisations are not enough: a lead
    organisation names its partners on its own.
    """
    if not user.is_authenticated:
        return None
    credentials = Credential.objects.exclude(document="").select_related("profile")
    if not user.is_staff:
        their_organisations = (
            Membership.objects.coordinators()
            .filter(user=user, organisation__status=Organisation.Status.VERIFIED)
            .values("organisation_id")
        )
        applied_to_them = Application.objects.filter(
            volunteer=OuterRef("profile_id"), need__programme__lead_organisation__in=their_organisations
        )
        credentials = credentials.filter(
            Q(profile__user=user) | (Q(profile__consent_to_share=True) & Exists(applied_to_them))
        )
    return credentials.filter(pk=pk).first()


@dataclass(frozen=True)
class CredentialDocument:
    file: File
    content_type: str
    filename: str  # what the browser saves it as; never the uploader's name


def credential_document_open(*, credential: Credential) -> CredentialDocument | None:
    """The credential's document opened for reading, typed from its content; None when the file is missing."""
    storage, name = credential.document.storage, credential.document.name
    try:
        file = storage.open(name, "rb")
    except OSError:
        return None
    kind = document_type_of(file)
    if kind is None:
        # Uploads are checked, so only a file changed behind our back gets here: never let a browser render it.
        return CredentialDocument(
            file=file, content_type="application/octet-stream", filename=f"credential-{credential.pk}"
        )
    return CredentialDocument(
        file=file, content_type=kind.content_type, filename=f"credential-{credential.pk}{kind.extensions[0]}"
    )


# The matcher's stored recommendations (written by programmes.matching.service)

# What each factor of a fit score stands for, for coordinators (programmes.matching.engine.FACTORS).
FACTOR_LABELS = {
    "required_skills": gettext_lazy("Required skills"),
    "preferred_skills": gettext_lazy("Preferred skills"),
    "languages": gettext_lazy("Languages"),
    "experience": gettext_lazy("Experience beyond the minimum"),
    "region": gettext_lazy("Preferred region"),
    "availability": gettext_lazy("Availability across the window"),
    "engagement": gettext_lazy("Has volunteered with your organisation"),
}


def recommendation_scores(
    *, profile: VolunteerProfile, needs: QuerySet[Need]
) -> tuple[list[int], dict[int, float] | None]:
    """The ids of `needs` in their order, and the volunteer's stored fit scores of those the matcher
    recommends to them (its top K, and the needs whose top K they are in); None instead of the scores
    when the matcher has stored nothing for the volunteer yet. One query."""
    rows = list(
        needs.annotate(
            stored_score=Subquery(
                Recommendation.objects.filter(volunteer=profile, need=OuterRef("pk")).values("score")[:1]
            ),
            matcher_ran=Exists(Recommendation.objects.filter(volunteer=profile)),
        ).values_list("pk", "stored_score", "matcher_ran")
    )
    ids = [pk for pk, _score, _ran in rows]
    if not rows or not rows[0][2]:
        return ids, None
    return ids, {pk: score for pk, score, _ran in rows if score is not None}


def recommended_needs(*, profile: VolunteerProfile, needs: QuerySet[Need], limit: int) -> list[Need] | None:
    """The best `limit` of `needs` the matcher recommends to the volunteer, best first, each with
    `.fit_score` and loaded for a result card; None when it has stored nothing for the volunteer yet."""
    recommendations = list(
        Recommendation.objects.filter(volunteer=profile, need__in=needs.order_by().values("pk"))
        .select_related("need__programme__lead_organisation", "need__host_site")
        .defer(
            "factors",
            "need__description",
            "need__support_notes",
            "need__programme__description",
            "need__programme__lead_organisation__description",
            "need__host_site__description",
        )
        .order_by("-score", "need_id")[:limit]
    )
    if not recommendations and not Recommendation.objects.filter(volunteer=profile).exists():
        return None
    for recommendation in recommendations:
        recommendation.need.fit_score = round(recommendation.score)
    return [recommendation.need for recommendation in recommendations]


@dataclass(frozen=True)
class SuggestionReason:
    code: str  # a factor of programmes.matching.engine.FACTORS
    label: str
    points: int  # what the factor added to the score
    full_marks: int  # what it adds at most


@dataclass
class SuggestedVolunteer:
    volunteer: VolunteerProfile  # with .user
    score: int  # 0–100
    rank: int  # among the volunteers the matcher suggests for the need, 1 = best
    reasons: list[SuggestionReason]  # the factors that added points, most first
    invited: bool  # a coordinator already invited them to apply


def need_suggested_volunteers(*, need: Need, limit: int = 10) -> list[SuggestedVolunteer]:
    """The volunteers the matcher suggests for `need`, best first, with their score and its reasons:
    its stored top K, leaving out volunteers who applied to it (whatever became of the application) or
    who no longer agree to be shown to coordinators. Two queries."""
    from notifications.models import Notification

    from .matching.engine import FACTORS, Weights

    applied = Application.objects.filter(need=need, volunteer=OuterRef("volunteer"))
    recommendations = list(
        Recommendation.objects.filter(
            need=need,
            rank_for_need__isnull=False,
            volunteer__consent_to_share=True,
            volunteer__user__is_active=True,
        )
        .exclude(Exists(applied))
        .select_related("volunteer__user")
        .order_by("rank_for_need")[:limit]
    )
    if not recommendations:
        return []
    keys = {f"apply-invitation:{need.pk}:{r.volunteer_id}": r.volunteer_id for r in recommendations}
    invited = {keys[key] for key in Notification.objects.filter(event_key__in=keys).values_list("event_key", flat=True)}
    full_marks = Weights.from_mapping(settings.MATCHING_WEIGHTS).points()
    suggestions = []
    for recommendation in recommendations:
        factors = recommendation.factors if isinstance(recommendation.factors, dict) else {}
        reasons = [
            SuggestionReason(
                code=code,
                label=str(FACTOR_LABELS[code]),
                points=round(factors[code]),
                full_marks=round(full_marks[code]),
            )
            for code in sorted(FACTORS, key=lambda code: -float(factors.get(code, 0)))
            if round(float(factors.get(code, 0))) > 0
        ]
        suggestions.append(
            SuggestedVolunteer(
                volunteer=recommendation.volunteer,
                score=round(recommendation.score),
                rank=recommendation.rank_for_need,
                reasons=reasons,
                invited=recommendation.volunteer_id in invited,
            )
        )
    return suggestions
