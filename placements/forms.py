"""Forms of the volunteer's pages: an application to a need, and declining an offer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from globalir.widgets import DateInput
from programmes.models import Need

from .services import OfferDeclineReason


class ApplicationForm(forms.Form):
    """A short message and the dates the volunteer proposes; the service checks them against the need."""

    message = forms.CharField(
        label=_("Your message to the coordinators"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        required=False,
        help_text=_("Why this need, what you would bring, anything they should know."),
    )
    proposed_start = forms.DateField(label=_("You could start on"), widget=DateInput())
    proposed_end = forms.DateField(label=_("You could finish on"), widget=DateInput())

    def __init__(self, *args, need: Need, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("proposed_start", "proposed_end"):
            self.fields[name].widget.attrs.update(
                {"min": need.window_start.isoformat(), "max": need.window_end.isoformat()}
            )
        if not self.is_bound:
            self.initial.update({"proposed_start": need.window_start, "proposed_end": need.window_end})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("proposed_start"), cleaned.get("proposed_end")
        if start and end and end < start:
            self.add_error("proposed_end", _("The proposed end cannot be before the proposed start."))
        return cleaned


class OfferDeclineForm(forms.Form):
    """Declining an offer: an optional reason from a short list, which the coordinators see."""

    reason = forms.ChoiceField(
        label=_("Why are you declining? (optional)"),
        choices=[("", _("I would rather not say")), *OfferDeclineReason.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text=_("The coordinators see the reason you choose."),
    )
