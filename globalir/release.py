"""The release: a digest of the code, templates, translations and static files this process serves.

Rendered pages and fragments are kept under the data they show (a data version, or the values themselves), and
also under the release, so that a deploy never serves what an older template, stylesheet or translation
rendered: whole pages live in the shared cache, which outlives the web processes, and carry the addresses of
static files, which change with them. Read once per process; with DEBUG on, again whenever a file changed,
so that `make run` shows an edited template at once.
"""

import hashlib
import time
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings

# Besides the project's own apps (their code and templates): the portal's package, the shared templates, the
# stylesheets and scripts, and the compiled translations.
_SHARED_FOLDERS = ("globalir", "templates", "static", "locale")
# The pinned libraries: their templates and widgets render parts of the pages too.
_SHARED_FILES = ("requirements.txt",)
_SKIPPED_SUFFIXES = {".pyc", ".po", ".pot"}


def _folders(base: Path) -> list[Path]:
    """The folders the portal's rendering depends on: the shared ones and every installed app below `base`."""
    folders = [base / name for name in _SHARED_FOLDERS]
    for app in apps.get_app_configs():
        path = Path(app.path)
        # Installed libraries are left out (a virtual environment may sit in the project's folder): their
        # versions are in requirements.txt, which is read instead.
        if path.is_relative_to(base) and not {"site-packages", "dist-packages"} & set(path.parts):
            folders.append(path)
    return folders


def _files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    found = {base / name for name in _SHARED_FILES if (base / name).is_file()}
    for folder in _folders(base):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix not in _SKIPPED_SUFFIXES and "__pycache__" not in path.parts:
                found.add(path)
    return sorted(found)


@lru_cache(maxsize=4)
def _digest(stamp: tuple) -> str:
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for path in _files():
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _release_once() -> str:
    return _digest(())


_checked = {"at": float("-inf"), "stamp": ()}


def release() -> str:
    """The digest of what this process serves (a tenth of a second once; then a kept string)."""
    if settings.DEBUG:
        # Files edited while the development server runs: a new stamp, a new digest (looked at once a second).
        now = time.monotonic()
        if now - _checked["at"] > 1:
            _checked["stamp"] = tuple((str(path), path.stat().st_mtime_ns) for path in _files())
            _checked["at"] = now
        return _digest(_checked["stamp"])
    return _release_once()
