"""``{% lang_attrs code %}``: the ``lang`` and ``dir`` attributes of an element holding text users wrote.

    <p{% lang_attrs need.written_in %}>{{ need.description|linebreaksbr }}</p>

renders ``<p lang="fr" dir="ltr">`` for a need written in French, and a bare ``<p>`` when its language is not
known (the page's own language then applies). Registered in settings.TEMPLATES.
"""

from django import template
from django.utils.html import format_html

from globalir.content_language import content_language_attributes

register = template.Library()


@register.simple_tag
def lang_attrs(code: str | None) -> str:
    attributes = content_language_attributes(code)
    if not attributes:
        return ""
    return format_html(' lang="{}" dir="{}"', attributes["lang"], attributes["dir"])
