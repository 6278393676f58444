# Applications, placements and feedback now belong to placements, the matcher's rows to matcher (their
# 0001 migrations take them over): programmes forgets them in Django's state only; the tables and their rows
# stay where they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0005_programme_history"),
        ("placements", "0001_initial"),
        ("matcher", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="RoundRanking"),
                migrations.DeleteModel(name="MatchRound"),
                migrations.DeleteModel(name="Recommendation"),
                migrations.DeleteModel(name="Feedback"),
                migrations.DeleteModel(name="Placement"),
                migrations.DeleteModel(name="HistoricalApplication"),
                migrations.DeleteModel(name="Application"),
            ],
            database_operations=[],
        ),
    ]
