"""The filters of /opportunities/, all in the query string so that a filtered list is a shareable link.

A value the form rejects (an unknown country, "abc" as a date, an end before the start) is reported
next to its field and in the results, and only that filter is ignored: the others still apply.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from globalir.regions import Region
from globalir.widgets import DateInput
from volunteers.models import Profession

from .models import Mode, Need, Programme

KEYWORD_MAX_LENGTH = 100
KEYWORD_MAX_WORDS = 8
MAX_DURATION_DAYS = 730

SORT_DEADLINE = "deadline"
SORT_NEWEST = "newest"
SORT_FIT = "fit"
SORT_CHOICES = [(SORT_DEADLINE, _("Deadline, soonest first")), (SORT_NEWEST, _("Newest first"))]
SORT_FIT_CHOICE = (SORT_FIT, _("Best fit for me"))

# Query-string parameters that narrow the list (sorting and paging do not).
FILTER_PARAMETERS = (
    "q",
    "organisation",
    "kind",
    "country",
    "region",
    "mode",
    "profession",
    "skill",
    "language",
    "written_in",
    "available_from",
    "available_until",
    "duration_min",
    "duration_max",
    "elective",
)

# The filters shown at once; the others fold away under "More filters" (all of them fill two screens of a phone).
MAIN_FILTERS = ("q", "profession", "country", "mode")

# What to change when nothing matches: the filters to drop, and the suggestion. Each entry is one filter as the
# form shows it: the two dates are "Available between", the two lengths "Length of stay".
RELAXATIONS = (
    (("q",), _("Use fewer or different keywords")),
    (("organisation",), _("Look at every organisation")),
    (("kind",), _("Include every kind of programme")),
    (("country",), _("Remove the country")),
    (("region",), _("Remove the region")),
    (("mode",), _("Include on-site, remote and hybrid needs")),
    (("profession",), _("Include every profession")),
    (("skill",), _("Remove the skill")),
    (("language",), _("Remove the language")),
    (("written_in",), _("Include needs written in any language")),
    (("available_from", "available_until"), _("Widen or remove the dates")),
    (("duration_min", "duration_max"), _("Widen or remove the length of stay")),
    (("elective",), _("Include needs that are not electives")),
)
ELECTIVES_ONLY = "yes"


class LazyChoices(Sequence):
    """Choices read from the database the first time they are needed, then kept.

    A select is only iterated when it is rendered or when a submitted value is checked, so an htmx
    request that re-renders only the results, without that filter, never runs the query.
    """

    def __init__(self, load: Callable[[], Iterable[tuple[str, str]]]):
        self._load = load
        self._choices: list[tuple[str, str]] | None = None

    def _get(self) -> list[tuple[str, str]]:
        if self._choices is None:
            self._choices = list(self._load())
        return self._choices

    def __getitem__(self, index):
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._get())

    def __deepcopy__(self, memo):
        # A form deep-copies its fields, and a select's field and widget each copy their choices: without
        # sharing, checking a submitted value and rendering the select would each run the query.
        return self


class FastSelect(forms.Select):
    """A <select> written out in Python.

    Django renders each <option> through a template of its own, and the filters of /opportunities/ have
    some 130 options: that was most of the time spent rendering the filter form (see bench/pages.py).
    Same markup, option groups included; attributes (id, aria-describedby, aria-invalid) come from the
    bound field.
    """

    def render(self, name, value, attrs=None, renderer=None):
        wanted = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))]
        found = False

        def option(option_value, label) -> str:
            nonlocal found
            option_value = "" if option_value is None else str(option_value)
            selected = not found and option_value in wanted
            found = found or selected
            # " selected" has nothing to escape, so format_html keeps it as it is.
            return format_html('<option value="{}"{}>{}</option>', option_value, " selected" if selected else "", label)

        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', option_value))
                parts.extend(option(sub_value, sub_label) for sub_value, sub_label in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("</select>")
        # Every part was built by format_html, which escapes the values.
        return mark_safe("\n".join(parts))  # noqa: S308  # nosec B308 B703


class DaysFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class SortField(django_filters.fields.ChoiceField):
    """The sort order; asking for "best fit" without a volunteer profile gets its own explanation."""

    default_error_messages = {"fit_unavailable": _("Log in with a volunteer profile to sort by best fit.")}

    def validate(self, value):
        if value == SORT_FIT and not self.valid_value(value):
            raise forms.ValidationError(self.error_messages["fit_unavailable"], code="fit_unavailable")
        super().validate(value)


class ChoiceFilter(django_filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)


class SortFilter(ChoiceFilter):
    field_class = SortField


class OpportunityFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("available_from"), cleaned.get("available_until")
        if start and end and end < start:
            self.add_error("available_until", _("The end of the dates you are available is before their start."))
        shortest, longest = cleaned.get("duration_min"), cleaned.get("duration_max")
        if shortest and longest and longest < shortest:
            self.add_error("duration_max", _("The longest duration is shorter than the shortest one."))
        return cleaned


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Keywords"),
        method="filter_keywords",
        max_length=KEYWORD_MAX_LENGTH,
        widget=forms.SearchInput,
        help_text=_("Searches titles, descriptions, programmes and hospitals."),
    )
    organisation = ChoiceFilter(
        label=_("Organisation"),
        choices=[],  # set in __init__: verified organisations with listed needs
        method="filter_organisation",
        empty_label=_("All organisations"),
        help_text=_("Leading or partnering in the programme."),
        error_messages={"invalid_choice": _("This organisation has no open opportunities at the moment.")},
    )
    kind = ChoiceFilter(
        label=_("Kind of programme"),
        field_name="programme__kind",
        choices=Programme.Kind.choices,
        empty_label=_("All kinds"),
    )
    country = ChoiceFilter(
        label=_("Country"),
        choices=[],  # set in __init__: countries with listed needs
        method="filter_country",
        empty_label=_("All countries"),
        help_text=_("Where the host hospital is; remote needs count for their programme's countries."),
        error_messages={"invalid_choice": _("There are no open opportunities in this country at the moment.")},
    )
    region = ChoiceFilter(
        label=_("Region"), choices=Region.choices, method="filter_region", empty_label=_("All regions")
    )
    mode = ChoiceFilter(label=_("Mode"), choices=Mode.choices, empty_label=_("Any mode"))
    profession = ChoiceFilter(label=_("Profession"), choices=Profession.choices, empty_label=_("Any profession"))
    skill = ChoiceFilter(
        label=_("Skill"),
        choices=[],  # set in __init__: the active skills, by category
        method="filter_skill",
        empty_label=_("Any skill"),
        help_text=_("Required or preferred."),
    )
    language = ChoiceFilter(
        label=_("Language"),
        choices=[],  # set in __init__
        method="filter_language",
        empty_label=_("Any language"),
        help_text=_("Needs that ask for this language."),
    )
    written_in = ChoiceFilter(
        label=_("Written in"),
        choices=settings.LANGUAGES,
        method="filter_written_in",
        empty_label=_("Any language"),
        help_text=_("The language the partner wrote the need in. It is shown as written, never translated."),
    )
    available_from = django_filters.DateFilter(
        label=_("Available from"), method="filter_available_from", widget=DateInput
    )
    available_until = django_filters.DateFilter(
        label=_("Available until"), method="filter_available_until", widget=DateInput
    )
    duration_min = DaysFilter(
        label=_("Shortest stay (days)"),
        field_name="min_duration_days",
        lookup_expr="gte",
        min_value=1,
        max_value=MAX_DURATION_DAYS,
        help_text=_("Needs asking for at least this many days."),
    )
    duration_max = DaysFilter(
        label=_("Longest stay (days)"),
        field_name="min_duration_days",
        lookup_expr="lte",
        min_value=1,
        max_value=MAX_DURATION_DAYS,
        help_text=_("Needs you can do in this many days or fewer."),
    )
    elective = ChoiceFilter(
        label=_("Electives"),
        choices=[(ELECTIVES_ONLY, _("Electives only"))],
        method="filter_elective",
        empty_label=_("Electives and other needs"),
        help_text=_("Placements for medical students and trainees, with a supervisor on site."),
    )
    sort = SortFilter(
        label=_("Sort by"),
        choices=SORT_CHOICES,  # "best fit" is added in __init__ for volunteers with a profile
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Need
        fields = [*FILTER_PARAMETERS, "sort"]
        form = OpportunityFilterForm

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        organisation_choices: Sequence[tuple[str, str]],
        country_choices: Sequence[tuple[str, str]],
        skill_choices: Sequence,
        language_choices: Sequence[tuple[str, str]],
        can_sort_by_fit: bool = False,
        electives_first: bool = False,
        **kwargs,
    ):
        super().__init__(data, queryset, **kwargs)
        # Students and trainees find the electives filter beside the main ones; others under "More filters".
        self.electives_first = electives_first
        self.filters["organisation"].extra["choices"] = organisation_choices
        self.filters["country"].extra["choices"] = country_choices
        self.filters["skill"].extra["choices"] = skill_choices
        self.filters["language"].extra["choices"] = language_choices
        self.can_sort_by_fit = can_sort_by_fit
        if can_sort_by_fit:
            self.filters["sort"].extra["choices"] = [*SORT_CHOICES, SORT_FIT_CHOICE]
        for name in ("organisation", "country", "skill", "language", "sort"):
            # A form field built from the class's filters before (the API's schema reads them) would be copied
            # with its old choices: built again from the ones set above. (The API's filters have no "sort".)
            if name in self.filters:
                self.filters[name].__dict__.pop("_field", None)

    # Filters

    def filter_keywords(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Every word must appear somewhere: "embolisation tanzania" finds a need in a Tanzanian programme.
        for word in value.split()[:KEYWORD_MAX_WORDS]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(programme__title__icontains=word)
                | Q(host_site__name__icontains=word)
            )
        return queryset

    def filter_organisation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        partnered = Programme.partners.through.objects.filter(organisation__slug=value).values("programme_id")
        return queryset.filter(Q(programme__lead_organisation__slug=value) | Q(programme__in=partnered))

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.in_country(value)

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.in_region(value)

    def filter_skill(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Subqueries rather than joins: a need asking for the skill twice is still listed once.
        required = Need.required_skills.through.objects.filter(skill__slug=value).values("need_id")
        preferred = Need.preferred_skills.through.objects.filter(skill__slug=value).values("need_id")
        return queryset.filter(Q(pk__in=required) | Q(pk__in=preferred))

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        asking = Need.required_languages.through.objects.filter(language_id=value).values("need_id")
        return queryset.filter(pk__in=asking)

    def filter_written_in(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A need whose coordinator did not say is written like its programme (Need.written_in).
        return queryset.filter(Q(content_language=value) | Q(content_language="", programme__content_language=value))

    def filter_available_from(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # The need's window overlaps the visitor's dates: it ends on or after their first day…
        return queryset.filter(window_end__gte=value)

    def filter_available_until(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # … and starts on or before their last day.
        return queryset.filter(window_start__lte=value)

    def filter_elective(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(elective__isnull=False) if value == ELECTIVES_ONLY else queryset

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Ordering is applied by programmes.opportunities.opportunity_search, which can also rank by fit.
        return queryset

    # State

    @property
    def sort_order(self) -> str:
        """The chosen sort order when valid, otherwise soonest deadline first."""
        # Read from the query string as the form's field would clean it, without building the form: a page whose
        # form and results are kept rendered (programmes.listing_cache) needs nothing else of it.
        value = self.data.get("sort", "") if self.is_bound else ""
        offered = {key for key, _label in self.filters["sort"].extra["choices"]}
        return value if value and value in offered else SORT_DEADLINE

    @property
    def is_filtered(self) -> bool:
        """True when the visitor narrowed the list (even with a value the form rejected)."""
        return self.is_bound and any(self.data.get(name) for name in FILTER_PARAMETERS)

    def _in_use(self, *, folded: bool) -> int:
        if not self.is_bound:
            return 0
        main = (*MAIN_FILTERS, "elective") if self.electives_first else MAIN_FILTERS
        return sum(
            1
            for names, _text in RELAXATIONS
            if any(self.data.get(name) for name in names if not (folded and name in main))
        )

    @property
    def filters_in_use(self) -> int:
        """How many filters narrow the list, counted as the form shows them (a rejected value too: it is
        reported next to its field)."""
        return self._in_use(folded=False)

    @property
    def more_filters_in_use(self) -> int:
        """How many of those are under "More filters"."""
        return self._in_use(folded=True)

    @property
    def more_filters_open(self) -> bool:
        """ "More filters" starts open when one of its filters is in use, or when the order is not the default."""
        return self.more_filters_in_use > 0 or (self.is_bound and self.data.get("sort", "") not in ("", SORT_DEADLINE))

    def relaxations(self) -> list[dict[str, str]]:
        """For each filter in use, a suggestion to drop it and the query string without it."""
        if not self.is_bound:
            return []
        suggestions = []
        for names, text in RELAXATIONS:
            if any(self.data.get(name) for name in names):
                query = self.data.copy()
                for name in (*names, "page"):
                    query.pop(name, None)
                suggestions.append({"text": str(text), "query": query.urlencode()})
        return suggestions
