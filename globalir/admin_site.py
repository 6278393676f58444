"""The Django admin's site, with one guard the stock one lacks and a review queue on its index.

Site admins land on the index when they sign in (globalir.accounts.adapter): it opens with how many
requests to list an organisation and how many credentials wait for their review, each linked to its
list filtered to those.

The admin turns the query string of a list straight into database lookups (``?status__exact=…``),
without a form in between; PostgreSQL refuses a NUL character in a query's text, so such a value
made a server error. A NUL character is never part of a real filter, search or page: the request
is refused as a bad request before the admin sees it.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def has_nul_character(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


class PortalAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(view)
        def refuse_nul_characters(request, *args, **kwargs):
            if has_nul_character(request.GET):
                raise BadRequest(_("The address contains a NUL character."))
            return guarded(request, *args, **kwargs)

        return refuse_nul_characters

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
