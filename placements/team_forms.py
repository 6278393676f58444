"""The form with which a volunteer applies to a team role in the rotations they choose, ranked."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from programmes.teams import Rotation, TeamRole


class TeamApplyForm(forms.Form):
    """One role, and a preference (1 = first choice) for each rotation the volunteer wants; blank = not this one."""

    role = forms.ModelChoiceField(label=_("Role"), queryset=TeamRole.objects.none())
    message = forms.CharField(
        label=_("Message to the coordinators"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, roles, rotations: list[Rotation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles
        self.fields["role"].empty_label = None
        self.fields["role"].label_from_instance = lambda role: role.get_profession_display()
        self.rotations = rotations
        choices = [("", _("Not this one"))] + [(str(rank), str(rank)) for rank in range(1, len(rotations) + 1)]
        for rotation in rotations:
            self.fields[self.rank_name(rotation)] = forms.TypedChoiceField(
                label=_("From %(start)s to %(end)s")
                % {"start": date_format(rotation.start_date), "end": date_format(rotation.end_date)},
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )

    @staticmethod
    def rank_name(rotation: Rotation) -> str:
        return f"rank_{rotation.pk}"

    def rank_fields(self):
        return [self[self.rank_name(rotation)] for rotation in self.rotations]

    def clean(self):
        cleaned = super().clean()
        ranked = [
            (cleaned[self.rank_name(rotation)], rotation)
            for rotation in self.rotations
            if cleaned.get(self.rank_name(rotation))
        ]
        if not ranked:
            raise forms.ValidationError(_("Choose at least one rotation: give it the preference 1."))
        ranks = [rank for rank, _rotation in ranked]
        if len(set(ranks)) != len(ranks):
            raise forms.ValidationError(_("Give each rotation you choose a different preference."))
        cleaned["rotations"] = [rotation for _rank, rotation in sorted(ranked, key=lambda pair: pair[0])]
        return cleaned
