"""The form that ticks a step of a placement's checklist, with its document when it needs one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from volunteers.validators import ACCEPT_ATTRIBUTE, validate_credential_document


class ChecklistTickForm(forms.Form):
    document = forms.FileField(
        label=_("Document (PDF, JPEG or PNG, at most 5 MB)"),
        required=False,
        validators=[validate_credential_document],
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
