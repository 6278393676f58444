#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path

# Written by `make run`: DEBUG=1, SITE_URL and SQLITE_PATH of its last run, so that the manage.py commands
# one types in this folder afterwards work on the same database as the portal being served.
DEVELOPMENT_SETTINGS = Path(__file__).resolve().parent / ".env.dev"


def read_development_settings(path: Path, environ) -> None:
    """Add the variables of ``path`` that ``environ`` does not set.

    Only when ``environ`` sets no SECRET_KEY: a production deployment and the test run (``make test``) set
    one, so they never pick the file up, and without one and without DEBUG the settings refuse to start
    anyway. Only manage.py reads the file; gunicorn, Celery and pytest never do.
    """
    if environ.get("SECRET_KEY") or not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        environ.setdefault(name.strip(), value.strip())


def main():
    """Run administrative tasks."""
    read_development_settings(DEVELOPMENT_SETTINGS, os.environ)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "globalir.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
