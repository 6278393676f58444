"""Print the code the demo coordinators' and site admin's authenticator app shows right now."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo.loader import DEMO_TOTP_SECRET

PERIOD = 30


class Command(BaseCommand):
    help = gettext_lazy(
        "Print the current two-factor code of the demo coordinators and site admin (load_demo sets up their "
        "authenticator app on a published key), so the demo can be tried without an app."
    )

    def handle(self, *args, **options):
        now = time.time()
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(now // PERIOD)))
        self.stdout.write(code)
        self.stderr.write(_("Valid for %(seconds)d more seconds.") % {"seconds": PERIOD - int(now % PERIOD)})
