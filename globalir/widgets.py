"""Form widgets shared by every app."""

from django import forms
from django.utils.html import format_html, format_html_join


class DateInput(forms.DateInput):
    """The browser's own date picker."""

    input_type = "date"

    def __init__(self, attrs=None):
        # <input type="date"> always exchanges ISO dates, whatever the visitor's language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SuggestionsInput(forms.TextInput):
    """A text box that offers a few common answers as the visitor types (an HTML <datalist>, no
    JavaScript), while any other text is accepted too."""

    def __init__(self, suggestions, attrs=None):
        super().__init__(attrs=attrs)
        self.suggestions = suggestions

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or name}-suggestions"
        attrs["list"] = list_id
        # A language may say two suggestions alike (Mrs and Ms are both "Sra." in Spanish): each is offered once.
        suggestions = dict.fromkeys(str(item) for item in self.suggestions)
        options = format_html_join("", '<option value="{}"></option>', ((item,) for item in suggestions))
        return super().render(name, value, attrs, renderer) + format_html(
            '<datalist id="{}">{}</datalist>', list_id, options
        )
