"""No app writes another app's models except through that app's services.

import-linter (``make lint``) keeps the apps importing each other downwards only; reading another app's
models is allowed (a selector may filter on them). What it cannot see is a write: this test reads every
module of application code and fails where code in one app creates, saves, updates or deletes rows of a
model that another app owns, reached from the model class it imported (``Model.objects…update()``,
``Model.history…update()``, ``Model(...).save()``, ``Model.objects.bulk_create(...)``). Such a write
belongs in a service of the owning app, which the other app calls.

What it cannot follow is a write on an instance or a related manager it was handed (``profile.save()``,
``need.applications.update()``): those are reviewed, not tested.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent

WRITES = frozenset(
    {
        "save",
        "delete",
        "create",
        "get_or_create",
        "update_or_create",
        "update",
        "bulk_create",
        "bulk_update",
    }
)

# Modules that may write any app's tables, and why.
ALLOWED = {
    # The demo loader fills a throwaway database in bulk, every app's tables at once.
    "demo",
}


def project_apps() -> list[str]:
    """Our apps' packages, longest first, so that a module belongs to the most specific one; with the
    project package, ``globalir``, whose shared modules (privacy, audit, refresh…) own no model."""
    names = [config.name for config in apps.get_app_configs() if (ROOT / config.name.replace(".", "/")).is_dir()]
    return sorted({"globalir", *names}, key=len, reverse=True)


def owner(module: str, app_names: list[str]) -> str | None:
    return next((name for name in app_names if module == name or module.startswith(f"{name}.")), None)


def application_modules(app_names: list[str]):
    seen = set()
    for app in app_names:
        for path in sorted((ROOT / app.replace(".", "/")).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or path in seen:
                continue
            seen.add(path)
            module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
            yield module, path


@dataclass(frozen=True)
class Write:
    module: str
    line: int
    model: str
    method: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} {self.method}() on {self.model}"


def _root(node: ast.AST) -> ast.AST:
    """The start of a chain such as ``Model.objects.filter(...).update``."""
    while True:
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return node


def foreign_writes(module: str, path: Path, app_names: list[str]) -> list[Write]:
    """The writes in ``module`` on models of apps other than its own."""
    own = owner(module, app_names)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    models: dict[str, str] = {}  # a name bound in this module -> the foreign model (or models module) it is
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            source = owner(node.module, app_names)
            if source is None or source == own:
                continue
            for alias in node.names:
                if node.module == f"{source}.models":
                    models[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                elif node.module == source and alias.name == "models":
                    models[alias.asname or alias.name] = f"{source}.models"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                source = owner(alias.name, app_names)
                if source not in (None, own) and alias.name == f"{source}.models" and alias.asname:
                    models[alias.asname] = alias.name
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            root = _root(node.func.value)
            if isinstance(root, ast.Name) and root.id in models:
                found.append(Write(module, node.lineno, models[root.id], node.func.attr))
    return found


def test_no_app_writes_another_apps_models_except_through_its_services():
    app_names = project_apps()
    writes = [
        str(write)
        for module, path in application_modules(app_names)
        if owner(module, app_names) not in ALLOWED
        for write in foreign_writes(module, path, app_names)
    ]
    assert writes == []


def test_the_check_sees_a_write_on_another_apps_model(tmp_path):
    # The check itself: a write reached from another app's model class is found, whichever way the class
    # was imported; a read, and a write on the app's own model, are not.
    source = tmp_path / "services.py"
    source.write_text(
        "from organisations.models import Organisation\n"
        "from volunteers import models as volunteer_models\n"
        "from .models import Need\n"
        "def erase(user):\n"
        "    Organisation.objects.filter(pk=1).exists()\n"
        "    Organisation.objects.filter(memberships__user=user).update(featured=False)\n"
        "    volunteer_models.VolunteerProfile.objects.filter(user=user).delete()\n"
        "    Organisation(name='x').save()\n"
        "    Need.objects.filter(pk=1).update(places=2)\n",
        encoding="utf-8",
    )
    app_names = project_apps()

    found = foreign_writes("programmes.services", source, app_names)

    assert [(write.line, write.method, write.model) for write in found] == [
        (6, "update", "organisations.models.Organisation"),
        (7, "delete", "volunteers.models"),
        (8, "save", "organisations.models.Organisation"),
    ]


@pytest.mark.parametrize(
    ("module", "app"),
    [
        ("globalir.privacy", "globalir"),
        ("globalir.accounts.services", "globalir.accounts"),
        ("globalir.outbox.services", "globalir.outbox"),
        ("placements.views.pipeline", "placements"),
        ("matcher.rounds", "matcher"),
    ],
)
def test_every_module_of_application_code_is_read_as_part_of_its_app(module, app):
    app_names = project_apps()
    modules = {name for name, _path in application_modules(app_names)}
    assert module in modules
    assert owner(module, app_names) == app
