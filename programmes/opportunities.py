"""The public list of opportunities (/opportunities/): its filter menus, and the search, sorted and paginated."""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _
from django_countries import countries

from organisations.models import Organisation
from volunteers.models import Language, Skill, VolunteerProfile

from . import hooks
from .electives import ELECTIVE_PROFESSIONS
from .filters import SORT_FIT, SORT_NEWEST, LazyChoices, OpportunityFilter
from .listing_cache import opportunity_listing_version
from .models import Need, Programme
from .selectors import need_card_queryset, need_listed_queryset

OPPORTUNITY_PAGE_SIZE = 20
# Menus of old data versions leave this process's memory after this long.
MENU_SECONDS = 3600

ORDERINGS = {
    # Soonest deadline first; needs without a deadline ("open until filled") last.
    "deadline": (F("application_deadline").asc(nulls_last=True), "window_start", "pk"),
    SORT_NEWEST: ("-created_at", "-pk"),
}
DEFAULT_ORDERING = ORDERINGS["deadline"]


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


def skill_and_language_choices() -> tuple[list[tuple[str, list[tuple[str, str]]]], list[tuple[str, str]]]:
    """The skill menu (active skills by category, as option groups of (slug, name)) and the language menu
    ((code, name)), in the reader's language (filter_menu keeps them per language); one query for both."""
    skills = Skill.objects.active().order_by().values_list("category", "slug", "name")
    languages = Language.objects.order_by().values_list(Value(""), "code", "name")
    groups: dict[str, list[tuple[str, str]]] = {}
    spoken = []
    for category, key, name in skills.union(languages, all=True):
        if category:
            groups.setdefault(category, []).append((key, gettext(name)))
        else:
            spoken.append((key, gettext(name)))
    skill_menu = [
        (str(Skill.Category(category).label), sorted(groups[category], key=lambda option: _sort_key(option[1])))
        for category in sorted(groups)
    ]
    return skill_menu, sorted(spoken, key=lambda option: _sort_key(option[1]))


def filter_menu(name: str, load: Callable[[], list], *, version: int) -> list:
    """The options of one filter menu of /opportunities/, kept in this process until the listing's data
    version or the date moves on (programmes.listing_cache): working them out takes more time than the rest
    of the page's queries together, and any change to needs, programmes, organisations, sites, skills or
    languages (or a need's deadline passing) shows in them on the next request."""
    key = f"opportunity-menu:{name}:{get_language()}:{version}:{timezone.localdate().isoformat()}"
    return caches["local"].get_or_set(key, load, MENU_SECONDS)


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


class KnownCountPaginator(Paginator):
    """A paginator whose count was read already (with the "best fit" order, in the same query as another figure)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def _ordered_by_scores(needs: QuerySet[Need], scores: dict[int, float]) -> QuerySet[Need]:
    """`needs` with `fit` from `scores` (None for the others), best first; ties and the others keep their order."""
    if not scores:
        # Nothing to sort by; PostgreSQL also refuses a constant in ORDER BY.
        return needs.annotate(fit=Value(None, output_field=FloatField()))
    fit = Case(*(When(pk=pk, then=Value(score)) for pk, score in scores.items()), output_field=FloatField())
    return needs.annotate(fit=fit).order_by(F("fit").desc(nulls_last=True), *needs.query.order_by)


def opportunity_filter(
    *,
    data: QueryDict | None,
    profile: VolunteerProfile | None = None,
    version: int,
    filterset_class: type[OpportunityFilter] = OpportunityFilter,
) -> OpportunityFilter:
    """The filters of /opportunities/ bound to `data`, over the listed needs, with their menus: the one
    definition the page and the public API (`filterset_class`, a subclass) both use. `version`: the listing's
    data version (programmes.listing_cache), which the menus are kept under."""
    listed = need_listed_queryset()
    return filterset_class(
        data,
        queryset=listed,
        organisation_choices=LazyChoices(
            lambda: filter_menu(
                "organisations", lambda: opportunity_organisation_choices(needs=listed), version=version
            )
        ),
        country_choices=LazyChoices(
            lambda: filter_menu("countries", lambda: opportunity_country_choices(needs=listed), version=version)
        ),
        skill_choices=LazyChoices(
            lambda: filter_menu("skills-languages", skill_and_language_choices, version=version)[0]
        ),
        language_choices=LazyChoices(
            lambda: filter_menu("skills-languages", skill_and_language_choices, version=version)[1]
        ),
        can_sort_by_fit=profile is not None,
        electives_first=profile is not None and profile.profession in ELECTIVE_PROFESSIONS,
    )


def opportunity_search(
    *,
    data: QueryDict,
    profile: VolunteerProfile | None,
    page_number: str | None,
    per_page: int = OPPORTUNITY_PAGE_SIZE,
    version: int | None = None,
    search_filter: OpportunityFilter | None = None,
) -> OpportunitySearch:
    """The listed needs matching the query string, sorted and paginated.

    A constant number of queries whatever the number of needs: one per filter choice list that is
    needed (none when this process has them for the data version), a count and a page. For "best fit"
    (volunteers with a profile only) the count also says whether the matcher stored scores for the
    volunteer, and the page is sorted by them in the database; until it has stored any, the volunteer
    (three queries) and the needs that can fit them (two) are scored live first.
    Invalid values are reported by the form and ignored; the other filters still apply. `version`: the
    listing's data version (programmes.listing_cache), when the caller has read it already; `search_filter`:
    the filters `opportunity_filter` made of `data`, when the caller has them already.
    """
    if version is None:
        version = opportunity_listing_version()
    search = search_filter or opportunity_filter(data=data, profile=profile, version=version)
    needs = search.qs
    sort = search.sort_order

    if sort == SORT_FIT and profile is not None:
        # Sorted in the database (the matcher's stored scores, or until it has stored any for the volunteer,
        # those scored live): a page reads its own rows only.
        by_deadline = needs.order_by(*DEFAULT_ORDERING)
        total, by_fit = hooks.opportunity_fit_ordered(profile=profile, needs=by_deadline)
        if by_fit is None:
            by_fit = _ordered_by_scores(by_deadline, hooks.opportunity_fit_scores(profile=profile, needs=by_deadline))
        paginator = KnownCountPaginator(by_fit, per_page, count=total)
        page, page_message = _page_or_nearest(paginator, page_number)
        # The needs are sorted on their own columns, and only the page's are joined with what their cards show:
        # one query, whose sort handles narrow rows.
        page.object_list = need_card_queryset(by_fit.filter(pk__in=page.object_list.values("pk")))
        scores = {need.pk: need.fit for need in page.object_list if need.fit is not None}
        for need in page.object_list:
            need.fit_score = round(need.fit) if need.fit is not None else None
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
