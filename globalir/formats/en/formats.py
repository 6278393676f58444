"""British formats for the portal's English (the language code is "en", whose Django formats are American)."""

from django.conf.locale.en_GB.formats import *  # noqa: F403 - Django's British formats, overridden below

DATE_FORMAT = "j F Y"  # 7 December 2026
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 7 December 2026, 14:30
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 07/12/2026 14:30
