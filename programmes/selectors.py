"""Reads for programmes: the public list of opportunities and each need's page."""

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django_countries import countries

from organisations.models import Organisation
from volunteers.models import Language, Skill, VolunteerProfile

from . import fit
from .filters import SORT_FIT, SORT_NEWEST, LazyChoices, OpportunityFilter
from .models import Application, Need, Programme

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
    """Active skills by category, as option groups of (slug, name)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for slug, name, category in (
        Skill.objects.active().order_by("category", "name").values_list("slug", "name", "category")
    ):
        groups.setdefault(category, []).append((slug, name))
    return [(str(Skill.Category(category).label), options) for category, options in groups.items()]


def language_choices() -> list[tuple[str, str]]:
    return list(Language.objects.order_by("name").values_list("code", "name"))


# The list


@dataclass
class OpportunitySearch:
    filter: OpportunityFilter
    page: Page  # its object_list holds the page's needs, ready for the cards
    page_range: list
    sort: str
    fit_scores: dict[int, float] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.page.paginator.count


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
    only) the candidate ids, the volunteer (three) and the candidates that can fit (two) instead of
    the count. Invalid values are reported by the form and ignored; the other filters still apply.
    """
    listed = need_listed_queryset()
    search = OpportunityFilter(
        data,
        queryset=listed,
        organisation_choices=LazyChoices(lambda: opportunity_organisation_choices(needs=listed)),
        country_choices=LazyChoices(lambda: opportunity_country_choices(needs=listed)),
        skill_choices=LazyChoices(skill_choices),
        language_choices=LazyChoices(language_choices),
        can_sort_by_fit=profile is not None,
    )
    needs = search.qs
    sort = search.sort_order

    if sort == SORT_FIT and profile is not None:
        ordered = list(needs.order_by(*DEFAULT_ORDERING).values_list("pk", flat=True))
        scores = fit.need_fit_scores(volunteer=fit.volunteer_data(profile), needs=needs)
        position = {pk: index for index, pk in enumerate(ordered)}
        # Eligible needs by score, best first; then the others; ties keep the deadline order.
        ordered.sort(key=lambda pk: (0, -scores[pk], position[pk]) if pk in scores else (1, 0, position[pk]))
        paginator = Paginator(ordered, per_page)
        page = paginator.get_page(page_number)
        cards = need_card_queryset(Need.objects.all()).in_bulk(list(page.object_list))
        page.object_list = [cards[pk] for pk in page.object_list]
        for need in page.object_list:
            need.fit_score = round(scores[need.pk]) if need.pk in scores else None
    else:
        paginator = Paginator(need_card_queryset(needs).order_by(*ORDERINGS.get(sort, DEFAULT_ORDERING)), per_page)
        # get_page() turns "abc" into the first page and a page past the end into the last one.
        page = paginator.get_page(page_number)
        scores = {}

    return OpportunitySearch(
        filter=search,
        page=page,
        page_range=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        sort=sort,
        fit_scores=scores,
    )


# One need


def need_listed_detail_queryset() -> QuerySet[Need]:
    """Listed needs with everything their page shows: programme, lead organisation, listed partners,
    host site, skills and languages. Needs past their deadline still have a page (applicants follow
    links to it) but take no more applications."""
    return (
        Need.objects.listed()
        .select_related("programme__lead_organisation", "host_site")
        .prefetch_related(
            "required_skills",
            "preferred_skills",
            "required_languages",
            Prefetch(
                "programme__partners",
                queryset=Organisation.objects.listed().order_by("name"),
                to_attr="listed_partners",
            ),
        )
    )


def application_active_for(*, profile: VolunteerProfile, need: Need) -> Application | None:
    """The volunteer's application to `need` that is still going (interested to accepted), if any."""
    return Application.objects.active().for_volunteer(profile).filter(need=need).first()
