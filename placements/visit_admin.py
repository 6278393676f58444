from django.contrib import admin

from .models import Visit, VisitCandidacy, VisitFeedback


@admin.register(VisitCandidacy)
class VisitCandidacyAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "programme", "status", "created_at"]
    list_filter = ["status", "programme"]
    raw_id_fields = ["volunteer"]
    filter_horizontal = ["topics"]


class VisitFeedbackInline(admin.TabularInline):
    model = VisitFeedback
    extra = 0
    raw_id_fields = ["given_by"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["host_request", "candidacy", "start_date", "end_date", "status"]
    list_filter = ["status"]
    raw_id_fields = ["host_request", "candidacy"]
    inlines = [VisitFeedbackInline]
