"""Form widgets shared by every app."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's own date picker."""

    input_type = "date"

    def __init__(self, attrs=None):
        # <input type="date"> always exchanges ISO dates, whatever the visitor's language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")
