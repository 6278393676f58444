from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from volunteers.validators import ACCEPT_ATTRIBUTE, MAX_DOCUMENT_SIZE, validate_credential_document

from .models import BODY_MAX_LENGTH


def _attachment_help_text() -> str:
    return gettext("A scan or photo: PDF, JPEG or PNG, at most %(size)s MB.") % {"size": MAX_DOCUMENT_SIZE // 2**20}


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=BODY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Plain text; web addresses become links."),
    )
    attachment = forms.FileField(
        label=gettext_lazy("Attach a document (optional)"),
        required=False,
        help_text=lazy(_attachment_help_text, str)(),
        validators=[validate_credential_document],
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("body") or "").strip() and not cleaned.get("attachment"):
            raise forms.ValidationError(gettext_lazy("Write a message or attach a document."), code="empty")
        return cleaned
