"""The Django admin's site, with a review queue on its index.

Site admins land on the index when they sign in (globalir.accounts.adapter): it opens with how many
requests to list an organisation and how many credentials wait for their review, each linked to its
list filtered to those. (A NUL character in an admin list's query string, which the admin would turn
into a lookup, is refused before the admin sees it, as on every page: globalir.middleware.)
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from globalir import hooks


class PortalAdminSite(admin.AdminSite):
    def index(self, request, extra_context=None):
        return super().index(request, {"review_queue": review_queue(), **(extra_context or {})})


def review_queue() -> list[dict[str, str]]:
    """What waits for a site admin: each kind of review with its count and its list filtered to it (each
    app registers its kind with globalir.hooks.review_queue)."""
    return hooks.review_queue()


class PortalAdminConfig(AdminConfig):
    default_site = "globalir.admin_site.PortalAdminSite"
