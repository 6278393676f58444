"""{% field_group field key %}: a form field's label, widget, help and errors (field.as_field_group), kept rendered.

Search forms (the opportunity filters, the directory's) are rendered on every list, and rendering their menus
field by field is most of such a page's work, while each field shows one of few values. So a field's rendered
group is kept in each process's own memory (``caches["local"]``), filed under:

- `key`, from the caller: whatever else changes the field's rendering (the data version its menus were read
  under, flags that change them);
- the release (globalir.release), the language, the form's class, the field's name, whether the form is bound
  and the value it shows;
- the field's choices, unless they come from a queryset (a list of choices may be read from the database each
  time, such as the directory's countries): a changed menu is a new entry at once.

A field showing an error is rendered each time, and so is a field whose choices come from a queryset while the
caller gives no key: neither is told apart cheaply. Nothing here needs invalidating: a change is a new key.
"""

import hashlib

from django import template
from django.core.cache import caches
from django.forms import BoundField
from django.forms.models import ModelChoiceIterator
from django.utils.translation import get_language

from globalir.release import release

register = template.Library()

# An entry of an old data version is never asked for again; it leaves this process's memory after this long.
FIELD_GROUP_SECONDS = 3600


def _choices_fingerprint(field: BoundField) -> str | None:
    """The field's choices as text ("" without choices); None when they come from a queryset."""
    choices = getattr(field.field, "choices", None)
    if choices is None:
        return ""
    if isinstance(choices, ModelChoiceIterator):
        return None

    def text(entries) -> list:
        # A group of options is (label, [(value, label), ...]); labels may be lazy translations.
        return [
            (str(value), text(label) if isinstance(label, list | tuple) else str(label)) for value, label in entries
        ]

    return repr(text(choices))


@register.simple_tag
def field_group(field: BoundField, key: str = ""):
    choices = _choices_fingerprint(field)
    if field.errors or (choices is None and not key):
        return field.as_field_group()
    form = field.form
    shown = (type(form).__qualname__, field.html_name, form.is_bound, field.value(), choices)
    identity = repr((key, release(), get_language(), shown))
    cache_key = "field-group:" + hashlib.sha256(identity.encode()).hexdigest()
    return caches["local"].get_or_set(cache_key, field.as_field_group, FIELD_GROUP_SECONDS)
