"""Site admins see teams on rotations here: roles and rotations inline, slots read-only (their needs are
edited as needs). Roles and rotations are added through the coordinator's team page, which makes the slots."""

from django.contrib import admin

from .teams import Rotation, TeamNeed, TeamRole, TeamSlot


class TeamRoleInline(admin.TabularInline):
    model = TeamRole
    extra = 0
    fields = ["profession", "places", "requires_verified_credential"]
    readonly_fields = ["profession"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RotationInline(admin.TabularInline):
    model = Rotation
    extra = 0
    fields = ["start_date", "end_date"]
    readonly_fields = ["start_date", "end_date"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TeamNeed)
class TeamNeedAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "host_site", "created_at"]
    list_select_related = ["programme", "host_site"]
    search_fields = ["title", "programme__title"]
    autocomplete_fields = ["programme", "host_site"]
    readonly_fields = ["created_at"]
    inlines = [TeamRoleInline, RotationInline]


@admin.register(TeamSlot)
class TeamSlotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "need"]
    list_select_related = ["rotation__team", "role", "need"]
    search_fields = ["rotation__team__title", "need__title"]
    readonly_fields = ["rotation", "role", "need"]

    def has_add_permission(self, request):
        return False
