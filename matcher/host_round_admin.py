from django.contrib import admin

from .models import HostMatchRound, HostRoundRanking


class HostRoundRankingInline(admin.TabularInline):
    model = HostRoundRanking
    extra = 0
    raw_id_fields = ["host_request", "candidacy"]


@admin.register(HostMatchRound)
class HostMatchRoundAdmin(admin.ModelAdmin):
    list_display = ["programme", "status", "ranking_deadline", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["result"]
    raw_id_fields = ["created_by"]
    inlines = [HostRoundRankingInline]
