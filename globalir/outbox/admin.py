from django.contrib import admin

from .models import OutboxTask


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """Read-only: what was queued, where it stands, and the last error of those that failed."""

    list_display = ("pk", "task_name", "status", "attempts", "created_at", "finished_at", "last_error")
    list_filter = ("status", "task_name")
    search_fields = ("task_name", "dedupe_key")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
