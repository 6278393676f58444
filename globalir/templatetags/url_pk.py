"""{% url_pk "app:name" pk %}: the address of a page taking one whole number (an object's id), as {% url %} gives it,
but reversed once per URL pattern and process: a page listing many rows with a few links each (the workspace)
otherwise spends a third of its rendering reversing addresses."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

register = template.Library()

# Stands for the id in the reversed address; an id is a whole number, so these digits cannot be part of the pattern.
_PLACEHOLDER = "918273645"


@lru_cache(maxsize=512)
def _halves(urlconf: str, prefix: str, name: str) -> tuple[str, str] | None:
    """The address of `name` before and after its id, or None when it does not hold the id exactly once."""
    try:
        parts = reverse(name, args=[int(_PLACEHOLDER)], urlconf=urlconf).split(_PLACEHOLDER)
    except NoReverseMatch:  # a pattern narrower than any whole number: reversed each time, as {% url %} would
        return None
    return (parts[0], parts[1]) if len(parts) == 2 else None


@register.simple_tag
def url_pk(name: str, pk) -> str:
    pk = int(pk)
    # The URLconf and script prefix are part of the key: a request or a test may change either.
    halves = _halves(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
    if halves is None:
        return reverse(name, args=[pk])
    return f"{halves[0]}{pk}{halves[1]}"
