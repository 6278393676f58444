"""The settings the tests run with (pyproject.toml, and the worker processes they start): the portal's own,
plus an app of the tests' own that nothing in production has."""

from globalir.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.outbox_probe"]  # noqa: F405
