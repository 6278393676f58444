"""The public list of opportunities (/opportunities/): its filter menus, and the search, sorted and paginated."""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from organisations.models import Organisation
from volunteers.models import Language, Skill, VolunteerProfile

from . import hooks
from .electives import ELECTIVE_PROFESSIONS
from .filters import SORT_FIT, SORT_NEWEST, LazyChoices, OpportunityFilter
from .models import Need, Programme
from .selectors import need_card_queryset, need_listed_queryset

OPPORTUNITY_PAGE_SIZE = 20

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
        electives_first=profile is not None and profile.profession in ELECTIVE_PROFESSIONS,
    )
    needs = search.qs
    sort = search.sort_order

    if sort == SORT_FIT and profile is not None:
        # The matcher's scores of the volunteer's fit to each need (its stored ones, or scored live).
        ordered, scores = hooks.opportunity_fit_scores(profile=profile, needs=needs.order_by(*DEFAULT_ORDERING))
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
