from django import forms

from .models import NotificationPreference
from .services import PREFERENCE_FIELDS


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = list(PREFERENCE_FIELDS)
