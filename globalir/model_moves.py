"""What the migrations that move a model from one app to another share.

A model moved with its rows keeps its content type row, relabelled for its new app: the admin's log
entries, the permissions given to people and anything else pointing at the content type follow it.
"""

from collections.abc import Iterable


def content_types_move(apps, schema_editor, *, models: Iterable[str], from_app: str, to_app: str) -> None:
    """Relabel the content types of `models` (lower-case model names) from `from_app` to `to_app`.

    A content type the new app already has (made by a `migrate` that stopped between the move and this
    migration; nothing can point at it yet but its own permissions) gives way to the old one.
    """
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in models:
        if rows.filter(app_label=from_app, model=model).exists():
            rows.filter(app_label=to_app, model=model).delete()
            rows.filter(app_label=from_app, model=model).update(app_label=to_app)
