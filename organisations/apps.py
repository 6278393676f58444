from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from globalir import hooks as portal_hooks
        from globalir.accounts import hooks as account_hooks

        from . import hooks

        portal_hooks.review_queue.register(hooks.organisation_requests_to_review)
        account_hooks.role_requiring_mfa.register(hooks.member_of_an_organisation)
