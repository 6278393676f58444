from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatcherConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matcher"
    verbose_name = _("Matcher")
