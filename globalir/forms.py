"""Form helpers shared by every app."""

from django import forms
from django.db import connection, models


def https_by_default(db_field: models.Field, **kwargs) -> forms.Field | None:
    """A ModelForm's ``formfield_callback``: form fields as the model makes them, except that "example.org"
    means https://example.org."""
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, except that an id too large for the database is refused like any unknown id.

    Django checks each submitted id with an exact lookup, which copes with a number out of the
    column's range, but then fetches them all with ``id IN (…)``, which does not: SQLite raises
    OverflowError and PostgreSQL an out-of-range error, a server error for a hand-made request.
    """

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        model_field = self.queryset.model._meta.get_field(key) if key != "pk" else self.queryset.model._meta.pk
        if isinstance(model_field, models.IntegerField):
            low, high = connection.ops.integer_field_range(model_field.get_internal_type())
            for pk in value:
                try:
                    number = int(pk)
                except (TypeError, ValueError):
                    continue  # Django's own check refuses it with the same message
                if (low is not None and number < low) or (high is not None and number > high):
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)


def submitted_data(request):
    """The data of a POST, even an empty one, for binding a form; None for any other request.

    Not ``request.POST or None``: an empty submission would leave the form unbound and come back as a
    blank form with no word about what is missing.
    """
    return request.POST if request.method == "POST" else None
