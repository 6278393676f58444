from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consults"
    verbose_name = _("Case consults")

    def ready(self):
        from placements import hooks as placement_hooks

        from . import selectors

        placement_hooks.consult_remote_hours.register(selectors.consult_hours_for_profile)
