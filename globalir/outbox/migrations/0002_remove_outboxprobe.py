from django.db import migrations


class Migration(migrations.Migration):
    """The probe the process tests use is theirs now (tests/outbox_probe): its table leaves the production
    schema. Its rows only ever recorded test runs and deployment checks."""

    dependencies = [
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="OutboxProbe"),
    ]
