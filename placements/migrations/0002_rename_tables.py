# The tables taken over from programmes get this app's names, with their rows (ALTER TABLE … RENAME), and
# their content types follow them.

from functools import partial

from django.db import migrations

from globalir.model_moves import content_types_move

MODELS = ("application", "historicalapplication", "placement", "feedback")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("placements", "0001_initial"),
        ("programmes", "0006_move_applications_and_matcher"),
    ]

    operations = [
        migrations.AlterModelTable(name="application", table=None),
        migrations.AlterModelTable(name="historicalapplication", table=None),
        migrations.AlterModelTable(name="placement", table=None),
        migrations.AlterModelTable(name="feedback", table=None),
        migrations.RunPython(
            partial(content_types_move, models=MODELS, from_app="programmes", to_app="placements"),
            partial(content_types_move, models=MODELS, from_app="placements", to_app="programmes"),
        ),
    ]
