from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from globalir.audit import SecurityEventAdmin

from .audit import audit_site_role_changed
from .models import AuditEvent, User

# What a user may do on the whole site: a change to any of these is a security event.
SITE_ROLE_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")


def _role_value(value) -> str:
    if isinstance(value, bool):
        return str(value)
    # Groups and permissions: the initial data holds a list, the cleaned data a queryset.
    return "[" + ", ".join(sorted(str(item) for item in value or [])) + "]"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            changes = {
                name: (_role_value(form.initial.get(name)), _role_value(form.cleaned_data.get(name)))
                for name in SITE_ROLE_FIELDS
                if name in form.changed_data
            }
            audit_site_role_changed(request=request, by=request.user, user=obj, changes=changes)


admin.site.register(AuditEvent, SecurityEventAdmin)
