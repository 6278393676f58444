from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "placements"
    verbose_name = _("Applications and placements")

    def ready(self):
        from globalir.accounts import hooks as account_hooks
        from programmes import hooks as programme_hooks
        from volunteers import hooks as volunteer_hooks

        from . import hooks, selectors

        programme_hooks.need_pipeline_counts.register(selectors.need_counts_queryset)
        programme_hooks.need_ids_applied_by.register(selectors.need_ids_applied_by)
        volunteer_hooks.consent_withdrawn.register(hooks.consent_withdrawn)
        account_hooks.landing_url.register(hooks.landing_url)
