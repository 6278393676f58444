from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self):
        from organisations import hooks as organisation_hooks

        from .listing_cache import opportunity_listing_version
        from .listing_triggers import listing_triggers_restore

        post_migrate.connect(listing_triggers_restore, sender=self)
        # The listing's triggers also watch the organisations table, and the home page's map is drawn from it.
        organisation_hooks.public_data_version.register(opportunity_listing_version)
