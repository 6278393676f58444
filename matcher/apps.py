from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatcherConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matcher"
    verbose_name = _("Matcher")

    def ready(self):
        from placements import hooks as placement_hooks
        from programmes import hooks as programme_hooks

        from . import fit, hooks, suggestions

        programme_hooks.needs_held_open.register(hooks.needs_held_open)
        programme_hooks.opportunity_fit_scores.register(suggestions.opportunity_fit_scores)
        placement_hooks.need_volunteer_fit_scores.register(fit.need_volunteer_fit_scores)
        programme_hooks.opportunity_fit_ordered.register(suggestions.opportunity_fit_ordered)
        programme_hooks.opportunity_fit_version.register(suggestions.opportunity_fit_version)
        programme_hooks.opportunity_fit_version_annotations.register(suggestions.opportunity_fit_version_annotations)
