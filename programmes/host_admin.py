from django.contrib import admin

from .models import HostRequest


@admin.register(HostRequest)
class HostRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "host_organisation", "programme", "kind", "preferred_start", "status"]
    list_filter = ["status", "kind", "programme"]
    search_fields = ["title", "host_organisation__name", "city"]
    autocomplete_fields = ["host_organisation"]
    raw_id_fields = ["host_site", "created_by"]
    filter_horizontal = ["topics"]
