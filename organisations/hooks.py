"""organisations' hook for the apps above it, and its answers to the hooks of the apps below it (registered in
OrganisationsConfig.ready())."""

from django.db.models import Exists
from django.urls import reverse
from django.utils.translation import ngettext

from globalir.hooks import Hook

from .models import Membership
from .selectors import organisation_pending_review_count

# () -> int | None: a number the database moves on with every committed write to the organisations and to what
# the home page's map shows; the home page and the directory are kept whole for anonymous visitors under it
# (globalir.shared_pages). None, when no app provides it: the pages are rendered each time.
public_data_version = Hook("public_data_version", default=lambda: None)


def organisation_requests_to_review() -> dict:
    """globalir.hooks.review_queue: requests to list an organisation."""
    count = organisation_pending_review_count()
    return {
        "label": ngettext(
            "%(count)s request to list an organisation", "%(count)s requests to list an organisation", count
        )
        % {"count": count},
        "count": count,
        "url": reverse("admin:organisations_organisation_changelist") + "?status__exact=pending",
    }


def member_of_an_organisation(user_id):
    """globalir.accounts.hooks.role_requiring_mfa: coordinators and organisation admins (partner clinicians
    coordinate nothing, so the rule for them is a volunteer's)."""
    return Exists(Membership.objects.coordinators().filter(user_id=user_id))
