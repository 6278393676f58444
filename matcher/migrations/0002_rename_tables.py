# The tables taken over from programmes get this app's names, with their rows (ALTER TABLE … RENAME), and so
# do the recommendation indexes; the content types follow them. Tasks queued in the outbox under the matcher's
# former task names run under its new ones.

from functools import partial

from django.db import migrations

from globalir.model_moves import content_types_move

MODELS = ("recommendation", "matchround", "roundranking")
TASK_NAMES = {
    "programmes.matching.tasks.refresh_volunteer_recommendations": "matcher.refresh_volunteer",
    "programmes.matching.tasks.refresh_need_recommendations": "matcher.refresh_need",
    "programmes.matching.tasks.refresh_all_recommendations": "matcher.refresh_all",
    "programmes.tasks.run_match_round": "matcher.run_match_round",
}


def rename_queued_tasks(apps, schema_editor, *, names):
    outbox_task = apps.get_model("outbox", "OutboxTask")
    for old, new in names.items():
        outbox_task.objects.using(schema_editor.connection.alias).filter(task_name=old).update(task_name=new)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("matcher", "0001_initial"),
        ("outbox", "0001_initial"),
        ("placements", "0002_rename_tables"),
        ("programmes", "0006_move_applications_and_matcher"),
    ]

    operations = [
        migrations.AlterModelTable(name="recommendation", table=None),
        migrations.AlterModelTable(name="matchround", table=None),
        migrations.AlterModelTable(name="roundranking", table=None),
        migrations.RenameIndex(
            model_name="recommendation", new_name="matcher_rec_volunte_a6c3eb_idx", old_name="programmes__volunte_97b7aa_idx"
        ),
        migrations.RenameIndex(
            model_name="recommendation", new_name="matcher_rec_need_id_2d7c06_idx", old_name="programmes__need_id_4574ce_idx"
        ),
        migrations.RunPython(
            partial(content_types_move, models=MODELS, from_app="programmes", to_app="matcher"),
            partial(content_types_move, models=MODELS, from_app="matcher", to_app="programmes"),
        ),
        migrations.RunPython(
            partial(rename_queued_tasks, names=TASK_NAMES),
            partial(rename_queued_tasks, names={new: old for old, new in TASK_NAMES.items()}),
        ),
    ]
