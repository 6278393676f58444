from django.contrib import admin

from globalir.audit import ReadOnlyAdmin

from .models import ApiToken, ApiTokenUse


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are created and revoked by the organisation's admins on its members page; seen here."""

    list_display = ["name", "organisation", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["organisation", "created_by"]
    search_fields = ["name", "prefix", "organisation__name"]
    exclude = ["token_hash"]


@admin.register(ApiTokenUse)
class ApiTokenUseAdmin(ReadOnlyAdmin):
    """Every request made with a token (api.views.AuditedTokenUse)."""

    list_display = ["created_at", "token", "method", "path", "status_code", "need_id", "ip_address"]
    list_filter = ["status_code", "method"]
    list_select_related = ["token__organisation"]
    date_hierarchy = "created_at"
    search_fields = ["path", "token__name", "token__prefix", "token__organisation__name"]
