import secrets

from django.db import migrations, models

import volunteers.models


def give_every_profile_a_token(apps, schema_editor):
    VolunteerProfile = apps.get_model("volunteers", "VolunteerProfile")
    for profile in VolunteerProfile.objects.filter(calendar_token__isnull=True).only("pk"):
        profile.calendar_token = secrets.token_urlsafe(32)
        profile.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0003_credential_credential_rejection_has_reason")]

    operations = [
        migrations.AddField(
            model_name="volunteerprofile",
            name="calendar_token",
            field=models.CharField(max_length=64, null=True, editable=False, verbose_name="calendar feed token"),
        ),
        migrations.RunPython(give_every_profile_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="volunteerprofile",
            name="calendar_token",
            field=models.CharField(
                default=volunteers.models.new_calendar_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="calendar feed token",
            ),
        ),
    ]
