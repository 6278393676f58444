"""The Django admin's site, with one guard the stock one lacks.

The admin turns the query string of a list straight into database lookups (``?status__exact=…``),
without a form in between; PostgreSQL refuses a NUL character in a query's text, so such a value
made a server error. A NUL character is never part of a real filter, search or page: the request
is refused as a bad request before the admin sees it.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _


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


class PortalAdminConfig(AdminConfig):
    default_site = "globalir.admin_site.PortalAdminSite"
