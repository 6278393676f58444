"""The language of what partners write: a need, a programme, an organisation's description.

What users write is shown as written, never translated. When its author says which language it is in, the
element holding it carries ``lang`` and ``dir``, so that a screen reader reads a French need in French on an
English page, browsers hyphenate and spell-check it correctly, and a reader's translation tool knows what it
is offered.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

NOT_SAID = ""


def content_language_choices() -> list[tuple[str, str]]:
    """The portal's languages, and "not said" first (a form's menu then shows it instead of dashes)."""
    return [(NOT_SAID, _("Not said")), *settings.LANGUAGES]


def content_language_field(*, help_text) -> models.CharField:
    """The model field holding the language something is written in; blank when nobody said."""
    return models.CharField(
        _("written in"),
        max_length=7,
        choices=content_language_choices(),
        blank=True,
        default=NOT_SAID,
        # Also in the database, for rows written without the field (raw SQL, an older migration's state).
        db_default=NOT_SAID,
        help_text=help_text,
    )


def content_language_attributes(code: str | None) -> dict[str, str]:
    """``lang`` and ``dir`` for an element holding text written in ``code``; nothing for an unknown language."""
    if not code or code not in dict(settings.LANGUAGES):
        return {}
    return {"lang": code, "dir": "rtl" if get_language_info(code)["bidi"] else "ltr"}
