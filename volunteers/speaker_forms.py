"""The volunteer's speaker profile form, and the coordinators' search of the Speakers Bureau."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from globalir.forms import ModelMultipleChoiceField
from globalir.regions import Region

from .models import CareerStage, Language, Skill
from .speakers import IDENTITY_LABELS, SpeakerProfile

KEYWORD_MAX_LENGTH = 100


class SpeakerProfileForm(forms.ModelForm):
    """Opting in, what to say, and, field by field, what to show."""

    topics = ModelMultipleChoiceField(
        label=_("Topics you can speak on"),
        queryset=Skill.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = ModelMultipleChoiceField(
        label=_("Languages you can speak in"),
        queryset=Language.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SpeakerProfile
        fields = [
            "is_listed",
            "topics",
            "show_topics",
            "languages",
            "show_languages",
            "region",
            "show_region",
            "show_career_stage",
            "bio",
            "show_bio",
            "woman_in_ir",
            "early_career",
            "outside_us",
            "self_description",
            "show_identity",
        ]
        labels = {"is_listed": _("List me in the Speakers Bureau")}
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("show_topics") and not cleaned.get("topics"):
            self.add_error("topics", _("Choose at least one topic, or do not show your topics."))
        return cleaned


class SpeakerFilter(django_filters.FilterSet):
    """The bureau's search, all in the query string. Each filter looks only at speakers who show that field:
    a hidden field is never searched, so that a search cannot reveal it."""

    q = django_filters.CharFilter(
        label=_("Name or bio"),
        method="filter_keywords",
        max_length=KEYWORD_MAX_LENGTH,
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        queryset=Skill.objects.active(),
        to_field_name="slug",
        method="filter_topic",
        empty_label=_("Any topic"),
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language"),
        queryset=Language.objects.all(),
        method="filter_language",
        empty_label=_("Any language"),
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=Region.choices, method="filter_region", empty_label=_("Any region")
    )
    career_stage = django_filters.ChoiceFilter(
        label=_("Career stage"),
        choices=CareerStage.choices,
        method="filter_career_stage",
        empty_label=_("Any career stage"),
    )
    identity = django_filters.MultipleChoiceFilter(
        label=_("Speakers who describe themselves as"),
        choices=list(IDENTITY_LABELS.items()),
        method="filter_identity",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SpeakerProfile
        fields: list[str] = []

    def filter_keywords(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split()[:8]:
            queryset = queryset.filter(Q(profile__name__icontains=word) | Q(show_bio=True, bio__icontains=word))
        return queryset

    def filter_topic(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(show_topics=True, topics=value)

    def filter_language(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(show_languages=True, languages=value)

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(show_region=True, region=value)

    def filter_career_stage(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(show_career_stage=True, profile__career_stage=value)

    def filter_identity(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # Each ticked box narrows the list: "women in IR" and "outside the US" means both.
        return queryset.filter(show_identity=True, **dict.fromkeys(value, True)) if value else queryset
