"""Forms of a coordinator's team on rotations: the team need, a role, and rotations to add."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from globalir.forms import ModelMultipleChoiceField
from globalir.widgets import DateInput
from volunteers.models import Profession, Skill

from .models import Programme, Site
from .team_services import MAX_ROTATIONS
from .teams import rotation_dates


class TeamNeedForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150, help_text=_("For example: IR team, Dar es Salaam."))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    host_site = forms.ModelChoiceField(label=_("Host site"), queryset=Site.objects.none())

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_site"].queryset = Site.objects.filter(organisation=programme.lead_organisation_id)


class TeamRoleForm(forms.Form):
    profession = forms.ChoiceField(label=_("Profession"), choices=Profession.choices)
    places = forms.IntegerField(label=_("Places on each rotation"), min_value=1, max_value=20, initial=1)
    required_skills = ModelMultipleChoiceField(
        label=_("Required skills"),
        queryset=Skill.objects.filter(is_active=True).order_by("category", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requires_verified_credential = forms.BooleanField(label=_("A verified credential is required"), required=False)


class RotationScheduleForm(forms.Form):
    """Rotations every N weeks between two dates, or explicit start dates; all of the same length."""

    length_days = forms.IntegerField(label=_("Length of each rotation (days)"), min_value=1, max_value=180, initial=14)
    first_start = forms.DateField(label=_("First rotation starts"), required=False, widget=DateInput)
    last_start = forms.DateField(label=_("Last rotation starts no later than"), required=False, widget=DateInput)
    every_weeks = forms.IntegerField(label=_("Every (weeks)"), min_value=1, max_value=52, required=False, initial=8)
    explicit_dates = forms.CharField(
        label=_("Or explicit start dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date a line, as YYYY-MM-DD."),
    )

    def clean(self):
        cleaned = super().clean()
        length = cleaned.get("length_days")
        if not length:
            return cleaned
        explicit = (cleaned.get("explicit_dates") or "").split()
        starts: list[datetime.date] = []
        for text in explicit:
            try:
                starts.append(datetime.date.fromisoformat(text))
            except ValueError:
                self.add_error("explicit_dates", _("“%(text)s” is not a date as YYYY-MM-DD.") % {"text": text})
                return cleaned
        first, last, every = cleaned.get("first_start"), cleaned.get("last_start"), cleaned.get("every_weeks")
        if starts:
            dates = [(start, start + datetime.timedelta(days=length - 1)) for start in starts]
        elif first and last and every:
            if last < first:
                self.add_error("last_start", _("The last rotation cannot start before the first."))
                return cleaned
            dates = rotation_dates(first_start=first, last_start=last, every_weeks=every, length_days=length)
        else:
            raise forms.ValidationError(
                _("Give the first and last start dates and how often the team goes, or explicit start dates.")
            )
        if len(dates) > MAX_ROTATIONS:
            raise forms.ValidationError(
                _("At most %(count)s rotations can be added at once.") % {"count": MAX_ROTATIONS}
            )
        cleaned["dates"] = dates
        return cleaned
