from django.contrib import admin

from globalir.audit import ReadOnlyAdmin

from .models import OutboxTask


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    """Read-only: what was queued, where it stands, and the last error of those that failed."""

    list_display = ("pk", "task_name", "status", "attempts", "created_at", "finished_at", "last_error")
    list_filter = ("status", "task_name")
    search_fields = ("task_name", "dedupe_key")
    date_hierarchy = "created_at"
    show_full_result_count = False
