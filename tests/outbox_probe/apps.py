from django.apps import AppConfig


class OutboxProbeConfig(AppConfig):
    """A task of the tests' own that writes one row, installed only by tests/settings.py: the outbox tests
    follow it through the broker and a real worker."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tests.outbox_probe"
    label = "outbox_probe"
