"""The Django admin's site, with a review queue on its index.

Site admins land on the index when they sign in (globalir.accounts.adapter): it opens with how many
requests to list an organisation and how many credentials wait for their review, each linked to its
list filtered to those. (A NUL character in an admin list's query string, which the admin would turn
into a lookup, is refused before the admin sees it, as on every page: globalir.middleware.)
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse
from django.utils.translation import ngettext


class PortalAdminSite(admin.AdminSite):
    def index(self, request, extra_context=None):
        return super().index(request, {"review_queue": review_queue(), **(extra_context or {})})


def review_queue() -> list[dict[str, str]]:
    """What waits for a site admin: each kind of review with its count and its list filtered to it."""
    # Imported here: this module is imported while the app registry is being populated.
    from organisations.selectors import organisation_pending_review_count
    from volunteers.selectors import credential_pending_review_count

    organisations = organisation_pending_review_count()
    credentials = credential_pending_review_count()
    return [
        {
            "label": ngettext(
                "%(count)s request to list an organisation",
                "%(count)s requests to list an organisation",
                organisations,
            )
            % {"count": organisations},
            "count": organisations,
            "url": reverse("admin:organisations_organisation_changelist") + "?status__exact=pending",
        },
        {
            "label": ngettext("%(count)s credential to verify", "%(count)s credentials to verify", credentials)
            % {"count": credentials},
            "count": credentials,
            "url": reverse("admin:volunteers_credential_changelist") + "?status__exact=pending",
        },
    ]


class PortalAdminConfig(AdminConfig):
    default_site = "globalir.admin_site.PortalAdminSite"
