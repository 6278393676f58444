"""Recompute every stored recommendation now, in this process (the nightly task does the same)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy

from matcher.store import recommendations_refresh


class Command(BaseCommand):
    help = gettext_lazy(
        "Recompute the matcher's stored recommendations for every volunteer and need, as the nightly task "
        "does (for example after loading data). Safe to run at any time: unchanged rows are left as they are."
    )

    def handle(self, *args, **options):
        summary = recommendations_refresh()
        self.stdout.write(
            f"{summary.volunteers} volunteers × {summary.needs} needs: {summary.rows} recommendations stored "
            f"({summary.inserted} written, {summary.deleted} removed) in {summary.seconds['total']:.1f} s."
        )
