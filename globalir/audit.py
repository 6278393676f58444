"""The audit trail in the admin: every tracked change, who made it, when and to which fields.

django-simple-history records the rows; this read-only admin lists them across an app's models
so that site admins can answer "who verified this credential?" without opening each object.
Logins, failed logins, refused accesses and changes of site role, which change no such record, are
security events (globalir.accounts.AuditEvent), listed by the same kind of read-only admin.
"""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdmin(admin.ModelAdmin):
    """An audit record is seen, never added, edited or deleted from the admin."""

    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditTrailAdmin(ReadOnlyAdmin):
    list_display = ["history_date", "history_user", "history_type", "changed_object", "changes"]
    list_filter = ["history_type", "history_date"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"
    search_fields = ["history_user__email"]

    @admin.display(description=_("object"))
    def changed_object(self, record):
        return str(record.history_object)

    @admin.display(description=_("changes"))
    def changes(self, record):
        if record.history_type == "+":
            return _("created")
        if record.history_type == "-":
            return _("deleted")
        previous = record.prev_record
        if previous is None:
            return "–"
        delta = record.diff_against(previous)
        return format_html_join(
            ", ", "{}: {} → {}", ((change.field, change.old, change.new) for change in delta.changes)
        ) or _("no tracked field changed")


def register_audit_trail(site: admin.AdminSite, *models) -> None:
    """Register the historical models of ``models`` with the read-only audit-trail admin."""
    for model in models:
        historical = model.history.model
        historical._meta.verbose_name_plural = format_lazy(
            _("audit trail: {things}"), things=model._meta.verbose_name_plural
        )
        site.register(historical, AuditTrailAdmin)


class SecurityEventAdmin(ReadOnlyAdmin):
    """Logins, failed logins, refused accesses and changes of site role (globalir.accounts.AuditEvent)."""

    list_display = ["created_at", "kind", "actor", "subject", "email", "ip_address", "status_code", "what", "path"]
    list_filter = ["kind", "status_code"]
    list_select_related = ["actor", "subject"]
    date_hierarchy = "created_at"
    search_fields = ["actor__email", "subject__email", "email", "ip_address", "path", "what"]
