"""The public directory's filters: keyword, kind and country, all in the query string."""

import re

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Organisation

KEYWORD_MAX_LENGTH = 100


def country_q(code: str) -> Q:
    """Organisations headquartered in, or working in, the country with this ISO code.

    ``countries`` is stored as comma-separated codes ("GB,KE,TZ"); the anchored regular
    expression matches one whole code on both SQLite and PostgreSQL.
    """
    return Q(headquarters_country=code) | Q(countries__regex=rf"(^|,){re.escape(code)}(,|$)")


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Keywords"),
        method="filter_keywords",
        max_length=KEYWORD_MAX_LENGTH,
        widget=forms.SearchInput,
        help_text=_("Searches names, acronyms and descriptions."),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of organisation"), choices=Organisation.Kind.choices, empty_label=_("All kinds")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        # Replaced in __init__ by the countries of listed organisations only.
        choices=[],
        method="filter_country",
        empty_label=_("All countries"),
        help_text=_("Where it is based or where it works."),
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "country"]

    def __init__(self, data=None, queryset=None, *, country_choices: list[tuple[str, str]], **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["country"].extra["choices"] = country_choices

    def filter_keywords(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Every word must appear somewhere: "road ir" finds "Road to IR".
        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(acronym__icontains=word) | Q(description__icontains=word)
            )
        return queryset

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(country_q(value))

    @property
    def is_filtered(self) -> bool:
        """True when the visitor narrowed the list (even with a value the form rejected)."""
        return self.is_bound and any(self.data.get(field) for field in self.Meta.fields)
