# The volunteer and need columns lose their own indexes: the unique pair and the rank indexes start with them.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matcher', '0002_rename_tables'),
        ('programmes', '0006_move_applications_and_matcher'),
        ('volunteers', '0007_profile_name_title_consent_withdrawn'),
    ]

    operations = [
        migrations.AlterField(
            model_name='recommendation',
            name='need',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='recommendations', to='programmes.need', verbose_name='need'),
        ),
        migrations.AlterField(
            model_name='recommendation',
            name='volunteer',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='recommendations', to='volunteers.volunteerprofile', verbose_name='volunteer'),
        ),
    ]
