"""Links that leave the site: e-mails, the calendar feed and allauth's messages link to SITE_URL."""

from django.conf import settings


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
