"""Forms of match rounds: the round's deadline, and the rank boxes of both sides."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker (<input type="datetime-local">, ISO in both directions)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class MatchRoundForm(forms.Form):
    """When volunteers must have ranked their choices; the round runs then."""

    ranking_deadline = forms.DateTimeField(
        label=_("Ranking deadline"),
        widget=DateTimeInput(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ranking_deadline"].help_text = _(
            "Volunteers rank their choices until then, and the round runs. Time zone: %(zone)s."
        ) % {"zone": timezone.get_current_timezone_name()}

    def clean_ranking_deadline(self):
        deadline = self.cleaned_data["ranking_deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("The ranking deadline must be in the future."))
        return deadline


class RankForm(forms.Form):
    """One rank box per choice (a need for a volunteer, an applicant for a coordinator): 1 is the first
    choice, an empty box means "not acceptable". Ranks must be distinct; boxes for choices that are not
    offered here are refused."""

    def __init__(self, *args, choices: list[tuple[int, str, int | None]], key: str, **kwargs):
        """`choices`: (id, label, current rank); `key`: the name prefix of the boxes, e.g. "need"."""
        super().__init__(*args, **kwargs)
        self.key = key
        self.ids = [pk for pk, _label, _rank in choices]
        for pk, label, rank in choices:
            self.fields[f"{key}-{pk}"] = forms.IntegerField(
                label=label,
                required=False,
                min_value=1,
                max_value=999,
                initial=rank,
                error_messages={
                    "min_value": _("Ranks start at 1 (first choice); leave the box empty instead of 0."),
                    "max_value": _("Use a rank between 1 and 999."),
                    "invalid": _("Enter a whole number, or leave the box empty."),
                },
                widget=forms.NumberInput(attrs={"class": "rank-input", "inputmode": "numeric"}),
            )

    def clean(self):
        cleaned = super().clean()
        prefix = f"{self.key}-"
        unknown = [
            name
            for name in self.data
            if name.startswith(prefix) and name not in self.fields and name[len(prefix) :].isdigit()
        ]
        if unknown:
            raise forms.ValidationError(_("Only the choices listed here can be ranked."), code="unknown")
        ranks = [rank for name, rank in cleaned.items() if name.startswith(prefix) and rank is not None]
        duplicates = sorted({rank for rank in ranks if ranks.count(rank) > 1})
        if duplicates:
            raise forms.ValidationError(
                _("Each rank can be used once; %(ranks)s is used more than once.")
                % {"ranks": ", ".join(str(rank) for rank in duplicates)},
                code="duplicate",
            )
        return cleaned

    def ranks(self) -> dict[int, int | None]:
        return {pk: self.cleaned_data.get(f"{self.key}-{pk}") for pk in self.ids}
