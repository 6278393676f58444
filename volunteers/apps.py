from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self):
        from globalir import hooks as portal_hooks

        from .selectors import credentials_to_review

        portal_hooks.review_queue.register(credentials_to_review)
