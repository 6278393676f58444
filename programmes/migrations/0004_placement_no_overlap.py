# No double bookings: on PostgreSQL, an exclusion constraint refuses two accepted on-site placements of
# one volunteer that share a day, whichever path writes them. See Placement.Meta.constraints.

import django.contrib.postgres.fields.ranges
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

import programmes.models


class BtreeGistOnPostgres(BtreeGistExtension):
    """btree_gist lets a GiST index compare plain values (the volunteer's id) with `=`.

    Created on PostgreSQL only (CreateExtension already skips other databases going forwards). Going
    backwards the extension is left in place: other objects of the database may use it, and asking
    SQLite for pg_extension would fail.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0003_matcher_recommendations_rounds"),
        ("volunteers", "0005_credential_audit"),
    ]

    operations = [
        BtreeGistOnPostgres(),
        migrations.AddConstraint(
            model_name="placement",
            constraint=programmes.models.PostgresExclusionConstraint(
                condition=models.Q(
                    ("completed_at__isnull", True), ("mode__in", ["onsite", "hybrid"]), ("volunteer__isnull", False)
                ),
                expressions=[
                    ("volunteer", "="),
                    (
                        programmes.models.DateRange(
                            "start_date",
                            "end_date",
                            django.contrib.postgres.fields.ranges.RangeBoundary(
                                inclusive_lower=True, inclusive_upper=True
                            ),
                        ),
                        "&&",
                    ),
                ],
                name="placement_no_onsite_overlap",
                violation_error_code="overlap",
                violation_error_message=(
                    "This volunteer already has an accepted on-site placement on some of these dates."
                ),
            ),
        ),
    ]
