"""Replace the demo data with freshly generated, clearly fictional data (see demo/loader.py)."""

import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo.loader import DEMO_PASSWORD, DEMO_TOTP_SECRET, SITE_ADMIN_EMAIL, demo_data_replace


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def manage_py() -> str:
    """How to run manage.py with the Python running this command, as one types it in the project folder.

    `.venv/bin/python manage.py` in a clone set up by `make`, plain `python manage.py` where the
    interpreter is the system's (the Docker image).
    """
    executable = Path(sys.executable)
    try:
        python = executable.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return "python manage.py"
    return f"{python} manage.py"


class Command(BaseCommand):
    help = gettext_lazy(
        "Replace the demo data with freshly generated fictional volunteers, organisations, programmes, sites and "
        "needs. The previous demo data (demo-volunteer-…@example.org and demo-coordinator-…@example.org accounts "
        "and the organisations marked “(demo)” with everything they own) is deleted first; real data is never "
        "touched. The same --seed gives the same data. Every demo account signs in with the password "
        "demo-password-123, so outside DEBUG the command refuses to run without --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--volunteers", type=_non_negative, default=300, help=gettext_lazy("Volunteers to create."))
        parser.add_argument("--needs", type=_non_negative, default=80, help=gettext_lazy("Needs to create."))
        parser.add_argument(
            "--seed", type=int, default=1, help=gettext_lazy("Random seed; the same seed, the same data.")
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext_lazy("Run even though DEBUG is off (the demo accounts share a published password)."),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=gettext_lazy(
                "Load the demo data only into a database without any account (`make run` on its first run); "
                "otherwise keep everything as it is."
            ),
        )

    def handle(self, *args, volunteers: int, needs: int, seed: int, force: bool, if_empty: bool = False, **options):
        if if_empty and get_user_model().objects.exists():
            self.stdout.write(
                _(
                    "The database already holds accounts: kept them and everything else, and loaded no demo data. "
                    "`make demo-reset` replaces the demo data."
                )
            )
            return
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "DEBUG is off: this looks like a production site, and every demo account would share a "
                    "published password. Use --force if you really want demo data here."
                )
            )
        started = time.monotonic()
        try:
            summary = demo_data_replace(volunteers=volunteers, needs=needs, seed=seed)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started

        if summary.deleted_users:
            self.stdout.write(
                _("Replaced the previous demo data (%(count)d demo accounts).") % {"count": summary.deleted_users}
            )
        for label, count in summary.counts.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data for seed %(seed)d created in %(seconds).1f seconds.") % {"seed": seed, "seconds": elapsed}
            )
        )
        self.stdout.write(
            _("Every demo account signs in with the password: %(password)s") % {"password": DEMO_PASSWORD}
        )
        if volunteers:
            self.stdout.write(
                _("Volunteers: demo-volunteer-0001@example.org … demo-volunteer-%(last)04d@example.org")
                % {"last": volunteers}
            )
        self.stdout.write(_("Site admin: %(email)s") % {"email": SITE_ADMIN_EMAIL})
        self.stdout.write(_("Coordinators:"))
        for email, organisation in summary.coordinators:
            self.stdout.write(f"  {email} – {organisation}")
        self.stdout.write(
            _(
                "Coordinators and the site admin also enter a code from an authenticator app: add the key "
                "%(secret)s to one, or print the current code with: %(command)s"
            )
            % {"secret": DEMO_TOTP_SECRET, "command": f"{manage_py()} demo_totp_code"}
        )
