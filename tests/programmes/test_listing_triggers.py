"""The triggers that move the listing's data version survive every migration, on both databases: a table a
later migration rebuilt (SQLite rebuilds a table to alter it) without its trigger would leave cached lists stale."""

from collections import Counter

from django.apps import apps
from django.db import connection

from programmes.listing_triggers import watched_tables


def _triggered_tables() -> Counter:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%listing_version%'"
            )
        else:
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE '%listing_version'"
            )
        return Counter(table for (table,) in cursor.fetchall())


def test_every_table_the_opportunity_list_reads_has_its_trigger_after_all_migrations(db):
    triggered = _triggered_tables()
    per_table = 3 if connection.vendor == "sqlite" else 1  # insert, update and delete; one per statement

    missing = [table for table in watched_tables(apps) if triggered[table] != per_table]

    assert missing == []
