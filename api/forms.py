from django import forms
from django.utils.translation import gettext_lazy as _

from .services import NAME_MAX_LENGTH


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("What will use it, e.g. “Our website”."),
    )
