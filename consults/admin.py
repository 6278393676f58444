"""Site admins see consult requests (without their images: those open only through the audited views)
and the read-only audit trail of image views."""

from django.contrib import admin

from globalir.audit import ReadOnlyAdmin

from .models import ConsultImageView, ConsultRequest


@admin.register(ConsultRequest)
class ConsultRequestAdmin(admin.ModelAdmin):
    list_display = ["public_id", "site", "modality", "body_part", "urgency", "status", "created_at", "claimed_at"]
    list_filter = ["status", "urgency", "modality"]
    search_fields = ["public_id", "site__name", "body_part"]
    list_select_related = ["site"]
    raw_id_fields = ["site", "created_by", "claimed_by"]
    readonly_fields = [
        "public_id",
        "created_at",
        "offered_at",
        "escalated_at",
        "claimed_at",
        "answered_at",
        "closed_at",
    ]
    date_hierarchy = "created_at"


@admin.register(ConsultImageView)
class ConsultImageViewAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "viewer", "request_public_id", "image", "how", "preset"]
    list_filter = ["how"]
    list_select_related = ["viewer", "image"]
    search_fields = ["viewer__email", "request_public_id"]
    date_hierarchy = "created_at"
