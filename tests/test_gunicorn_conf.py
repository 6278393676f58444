"""gunicorn.conf.py: the production server's processes and threads, overridable per machine."""

import os
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_gunicorn_runs_one_threaded_process_per_core_by_default(monkeypatch):
    for name in ("GUNICORN_WORKER_CLASS", "GUNICORN_WORKERS", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)

    conf = runpy.run_path(str(CONF))

    assert (conf["worker_class"], conf["workers"], conf["threads"]) == ("gthread", os.cpu_count() or 1, 8)


def test_the_environment_sizes_gunicorn_for_another_machine(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "sync")
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_THREADS", "1")

    conf = runpy.run_path(str(CONF))

    assert (conf["worker_class"], conf["workers"], conf["threads"]) == ("sync", 5, 1)
