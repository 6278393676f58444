"""The triggers that move the listing's data version on (programmes.listing_cache, ListingVersion): which
tables they watch and what they run. Created by migration 0013.

SQLite alters a table by rebuilding it (Django's schema editor copies it into a new table), and the copy has no
triggers: a later migration that alters a watched table there would silently stop the version moving, and the
cached lists would go stale. So after every `migrate` the SQLite triggers are put back where a rebuild dropped
them (`listing_triggers_restore`, connected in ProgrammesConfig.ready). PostgreSQL alters tables in place and
keeps them.
"""

from django.apps import apps as installed_apps
from django.db import connections

# (app, model, many-to-many field or None): every table /opportunities/ reads.
WATCHED = [
    ("programmes", "Need", None),
    ("programmes", "Need", "required_skills"),
    ("programmes", "Need", "preferred_skills"),
    ("programmes", "Need", "required_languages"),
    ("programmes", "Programme", None),
    ("programmes", "Programme", "partners"),
    ("programmes", "Programme", "sites"),
    ("programmes", "Site", None),
    ("programmes", "Elective", None),
    ("organisations", "Organisation", None),
    ("volunteers", "Skill", None),
    ("volunteers", "Language", None),
]
# An upsert, so that a flushed table (the tests' TransactionTestCase) starts counting again. `shard` is one of
# SHARDS rows (ListingVersion's docstring says why there are several).
BUMP = (
    "INSERT INTO programmes_listingversion (id, number) VALUES ({shard}, 1) "
    "ON CONFLICT (id) DO UPDATE SET number = programmes_listingversion.number + 1"
)
SHARDS = 16
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")


def watched_tables(apps) -> list[str]:
    tables = []
    for app, name, field in WATCHED:
        model = apps.get_model(app, name)
        if field:
            model = model._meta.get_field(field).remote_field.through
        tables.append(model._meta.db_table)
    return tables


def sqlite_trigger_statements(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_listing_version_{event.lower()} AFTER {event} ON {table} "
        f"BEGIN {BUMP.format(shard=0)}; END"
        for event in SQLITE_EVENTS
    ]


def listing_triggers_restore(*, using: str, apps=None, **kwargs) -> None:
    """post_migrate: the SQLite triggers a table rebuild dropped, created again (the others are left as they are).
    `flush` sends the signal too, without the migration state's `apps`: the installed models then."""
    apps = apps or installed_apps
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    try:
        apps.get_model("programmes", "ListingVersion")
    except LookupError:
        return  # migrated to before the listing version: no triggers yet
    with connection.cursor() as cursor:
        for table in watched_tables(apps):
            for statement in sqlite_trigger_statements(table):
                cursor.execute(statement)
