"""Forms of the visiting-professor pages: a host request, a candidacy."""

from django import forms
from django.utils.translation import gettext_lazy as _

from globalir.forms import ModelMultipleChoiceField
from globalir.widgets import DateInput
from organisations.models import Organisation
from programmes.host_services import visiting_programmes
from programmes.models import HostRequest, Site
from volunteers.models import Skill


class HostRequestForm(forms.ModelForm):
    topics = ModelMultipleChoiceField(
        label=_("Topics wanted"),
        queryset=Skill.objects.active().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = HostRequest
        fields = [
            "programme",
            "title",
            "kind",
            "topics",
            "language",
            "host_site",
            "city",
            "country",
            "preferred_start",
            "preferred_end",
            "covers_accommodation",
            "covers_local_travel",
            "description",
        ]
        widgets = {"preferred_start": DateInput(), "preferred_end": DateInput()}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.host_organisation = organisation
        self.fields["programme"].queryset = visiting_programmes().order_by("title")
        self.fields["host_site"].queryset = Site.objects.filter(organisation=organisation)
        self.fields["host_site"].help_text = _("For a hospital teaching week: one of your organisation's sites.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("preferred_start"), cleaned.get("preferred_end")
        if start and end and end < start:
            self.add_error("preferred_end", _("The end must not be before the start."))
        return cleaned


class CandidacyForm(forms.Form):
    topics = ModelMultipleChoiceField(
        label=_("Topics you can teach"),
        queryset=Skill.objects.active().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    statement = forms.CharField(
        label=_("What you would bring"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Your teaching experience, the lectures and hands-on sessions you could give, and when you are free."
        ),
    )
