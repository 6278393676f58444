"""The e-mails recorded, read-only, with one action: send waiting or failed e-mails again now."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification, NotificationPreference
from .services import notifications_send_again


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "email", "status", "attempts", "created_at", "sent_at", "short_error"]
    list_filter = ["status", "kind"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "kind",
        "event_key",
        "recipient",
        "email",
        "context",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    ]
    fields = readonly_fields
    actions = ["send_again"]

    # The list is a record of what was sent: rows are written by notify() and never by hand, and
    # deleting one would let its event be mailed a second time.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_send_permission(self, request):
        return request.user.has_perm("notifications.change_notification")

    @admin.display(description=_("last error"))
    def short_error(self, notification):
        return notification.last_error[:80]

    @admin.action(description=_("Send again now (waiting or failed e-mails only)"), permissions=["send"])
    def send_again(self, request, queryset):
        count = notifications_send_again(notifications=queryset)
        if count:
            self.message_user(
                request,
                ngettext("%(count)d e-mail queued again.", "%(count)d e-mails queued again.", count) % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, _("Nothing to send: only waiting or failed e-mails can be sent again."), messages.WARNING
            )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "application_updates",
        "deadline_reminders",
        "feedback_requests",
        "weekly_digest",
        "conversation_messages",
        "updated_at",
    ]
    list_filter = ["weekly_digest", "application_updates", "deadline_reminders", "feedback_requests"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["updated_at"]
