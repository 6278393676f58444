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

from django.conf import settings

# What the portal's rendering depends on, below the project's folder: its packages (code and their templates),
# the shared templates, the stylesheets and scripts, and the compiled translations.
_FOLDERS = (
    "globalir",
    "notifications",
    "organisations",
    "volunteers",
    "programmes",
    "placements",
    "conversations",
    "matcher",
    "consults",
    "api",
    "demo",
    "templates",
    "static",
    "locale",
)
_SKIPPED_SUFFIXES = {".pyc", ".po", ".pot"}


def _files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    found = []
    for folder in _FOLDERS:
        for path in (base / folder).rglob("*"):
            if path.is_file() and path.suffix not in _SKIPPED_SUFFIXES and "__pycache__" not in path.parts:
                found.append(path)
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
