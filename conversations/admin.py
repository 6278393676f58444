"""Site admins see that conversations exist and how busy they are, read-only: never what was written, which
is between a volunteer and the coordinators."""

from django.contrib import admin
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from .models import Message, Thread


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "message_count", "last_message_at", "created_at"]
    list_filter = ["kind"]
    fields = ["kind", "application", "need", "rotation", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(message_count=Count("messages"), last_at=Max("messages__created_at"))
        )

    @admin.display(description=_("messages"), ordering="message_count")
    def message_count(self, obj):
        return obj.message_count

    @admin.display(description=_("last message"), ordering="last_at")
    def last_message_at(self, obj):
        return obj.last_at


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "thread", "author", "has_attachment", "removed_at", "created_at"]
    list_select_related = ["thread", "author"]
    list_filter = ["thread__kind"]
    fields = ["thread", "author", "has_attachment", "removed_at", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("attachment"), boolean=True)
    def has_attachment(self, obj):
        return bool(obj.attachment)
