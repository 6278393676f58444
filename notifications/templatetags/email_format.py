"""Dates in an e-mail, written in its reader's language.

An e-mail is rendered when it is sent, in its recipient's language (notifications.services), from the
JSON context recorded with the event. A date recorded as ISO 8601 text ("2027-03-01", or a date and time
with its offset) is written here the reader's way ("1 de março de 2027"); a date a caller recorded as
text already formatted is shown as it is.
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter
def local_date(value):
    if isinstance(value, str):
        value = _parse_iso(value) or value
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return value


def _parse_iso(text: str) -> datetime.date | datetime.datetime | None:
    # Only the extended forms (with "-"): Python also reads "20270301" as a date, which a title could be.
    if len(text) < 10 or text[4:5] != "-":
        return None
    try:
        return datetime.date.fromisoformat(text) if len(text) == 10 else datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
