"""Forms of the Speakers Bureau's invitations: sent by a coordinator, declined by the speaker."""

from django import forms
from django.utils.translation import gettext_lazy as _

from globalir.widgets import DateInput

from .talks import SpeakingInvitation, TalkFormat


class SpeakingInvitationForm(forms.ModelForm):
    class Meta:
        model = SpeakingInvitation
        fields = ["event", "topic", "date", "format", "location", "audience", "message"]
        widgets = {
            "date": DateInput(),
            "format": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {"message": _("The speaker sees it with the invitation.")}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("format") == TalkFormat.ONSITE and not cleaned.get("location"):
            self.add_error("location", _("Say where the talk is given."))
        return cleaned


class TalkDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you declining? (optional)"),
        max_length=500,
        required=False,
        help_text=_("The organisation sees what you write."),
    )
