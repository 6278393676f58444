"""The listing's data version (programmes.models.ListingVersion) and the triggers that move it on."""

import secrets

from django.db import migrations, models

from programmes.listing_triggers import BUMP, SHARDS, SQLITE_EVENTS, sqlite_trigger_statements, watched_tables


def create_triggers(apps, schema_editor):
    # A random starting point, in a row no trigger touches: a database created afresh (a benchmark's, a
    # reinstall) never counts through the numbers an older one filed pages under in a cache that outlived it.
    ListingVersion = apps.get_model("programmes", "ListingVersion")
    ListingVersion.objects.using(schema_editor.connection.alias).create(id=SHARDS, number=secrets.randbits(48))
    vendor = schema_editor.connection.vendor
    for table in watched_tables(apps):
        if vendor == "postgresql":
            # Once per statement, not per row: a bulk insert of thousands of rows bumps it once.
            schema_editor.execute(
                f"CREATE TRIGGER {table}_listing_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION programmes_listing_version_bump()"
            )
        elif vendor == "sqlite":
            for statement in sqlite_trigger_statements(table):
                schema_editor.execute(statement)
        else:
            raise NotImplementedError(f"no listing version triggers for {vendor}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in watched_tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_listing_version ON {table}")
        else:
            for event in SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_listing_version_{event.lower()}")


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION programmes_listing_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
            # One row per writing transaction, picked by its id: writers to different needs rarely queue on the same one.
            f"BEGIN {BUMP.format(shard=f'mod(txid_current(), {SHARDS})')}; RETURN NULL; END $$"
        )


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS programmes_listing_version_bump()")


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0012_need_required_credentials"),
        ("organisations", "0004_content_language"),
        ("volunteers", "0009_speaker_profiles"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListingVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "opportunity list version",
                "verbose_name_plural": "opportunity list versions",
            },
        ),
        migrations.RunPython(create_function, drop_function),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
