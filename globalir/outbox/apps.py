from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "globalir.outbox"
    label = "outbox"
    verbose_name = _("Task outbox")

    def ready(self):
        from globalir.celery import app

        # Every process knows every task by its name from the start, not only the worker: a web process
        # publishes tasks by name (an app never imports the tasks of an app above it) and runs them itself
        # under eager Celery. Celery's autodiscovery imports the tasks module of each installed app.
        app.autodiscover_tasks(force=True)
