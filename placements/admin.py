"""Site admins see applications, placements and feedback here; an application's status moves only through
the actions, which call placements' services."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from globalir.audit import register_audit_trail
from organisations.admin import ServiceActionsMixin
from volunteers.selectors import volunteer_admin_label

from .certificates import Certificate
from .certification import certificate_revoke
from .checklists import PlacementChecklistItem
from .models import Application, Feedback, Placement
from .rotations import RotationChoice
from .services import application_offer, application_withdraw_for_volunteer
from .talks import SpeakingInvitation
from .waiting_list import WaitingListEntry


class VolunteerColumnMixin:
    @admin.display(description=_("volunteer"), ordering="volunteer__name")
    def volunteer_column(self, obj):
        return volunteer_admin_label(obj.volunteer)


@admin.register(Application)
class ApplicationAdmin(ServiceActionsMixin, VolunteerColumnMixin, SimpleHistoryAdmin):
    list_display = ["volunteer_column", "need", "status", "created_at"]
    actions = ["offer", "withdraw"]
    list_filter = ["status"]
    list_select_related = ["volunteer__user", "need__programme"]
    search_fields = ["volunteer__name", "volunteer__user__email", "need__title", "need__programme__title"]
    autocomplete_fields = ["need", "volunteer"]
    # The status moves only through the actions and the pipeline, which also keep the placement, the
    # need's places and the timestamps in step with it.
    readonly_fields = [
        "status",
        "created_at",
        "shortlisted_at",
        "offered_at",
        "accepted_at",
        "declined_at",
        "withdrawn_at",
        "completed_at",
        "updated_at",
    ]

    @admin.action(description=_("Offer a place to the selected applicants"), permissions=["change"])
    def offer(self, request, queryset):
        # Until coordinators have their pipeline pages, site admins make offers from here.
        self.each_through_service(
            request,
            queryset,
            application_offer,
            ["status", "offered_at"],
            lambda count: ngettext("%(count)d offer made.", "%(count)d offers made.", count) % {"count": count},
        )

    @admin.action(
        description=_("Withdraw the selected applications for their volunteers (an accepted placement is given up)"),
        permissions=["change"],
    )
    def withdraw(self, request, queryset):
        self.each_through_service(
            request,
            queryset,
            application_withdraw_for_volunteer,
            ["status", "withdrawn_at"],
            lambda count: (
                ngettext("%(count)d application withdrawn.", "%(count)d applications withdrawn.", count)
                % {"count": count}
            ),
        )

    def each_through_service(self, request, queryset, service, fields, message) -> None:
        """service(application=…, by=the admin) for each selected application in turn; then how many
        changed, and every refusal."""
        changed, refusals = [], []
        for application in queryset.order_by("pk"):
            try:
                changed.append(service(application=application, by=request.user))
            except ValidationError as error:
                refusals.extend(error.messages)
        self.report_changes(request, changed, fields, message(len(changed)))
        if refusals:
            self.report_refusal(request, ValidationError(refusals))

    def get_queryset(self, request):
        # Also used by the placement form's autocomplete, which shows each application's volunteer and need.
        return super().get_queryset(request).select_related("volunteer__user", "need__programme")


class PlacementChecklistItemInline(admin.TabularInline):
    """The placement's pre-departure checklist, read only: steps are ticked on the portal's pages, where
    who may tick what is checked. Documents are opened there too, not here."""

    model = PlacementChecklistItem
    extra = 0
    can_delete = False
    fields = ["label", "who_acts", "due_on", "needs_document", "done_at", "done_side", "reminded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("step"))
    def label(self, item):
        return item.label


@admin.register(Placement)
class PlacementAdmin(VolunteerColumnMixin, admin.ModelAdmin):
    inlines = [PlacementChecklistItemInline]
    list_display = ["need", "volunteer_column", "mode", "start_date", "end_date", "completed_at"]
    list_filter = ["mode", ("need__programme__lead_organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["need__programme", "volunteer__user"]
    search_fields = ["volunteer__name", "volunteer__user__email", "need__title", "need__programme__title"]
    autocomplete_fields = ["application", "need", "volunteer"]
    readonly_fields = ["created_at"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["placement", "side", "rating", "created_at"]
    list_filter = ["side", "rating"]
    list_select_related = ["placement__need"]
    readonly_fields = ["placement", "side", "author", "rating", "comments", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Certificate)
class CertificateAdmin(ServiceActionsMixin, admin.ModelAdmin):
    """Certificates of service as issued: a snapshot nobody edits; one issued in error is revoked."""

    list_display = ["code", "holder_name", "organisation_name", "start_date", "end_date", "issued_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "holder_name", "organisation_name"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would turn a revoked certificate into an unknown code: revoke it instead.
        return False

    @admin.action(description=_("Revoke the selected certificates"), permissions=["change"])
    def revoke(self, request, queryset):
        changed, refusals = [], []
        for certificate in queryset.order_by("pk"):
            try:
                changed.append(certificate_revoke(certificate=certificate, by=request.user))
            except ValidationError as error:
                refusals.extend(error.messages)
        message = ngettext("%(count)d certificate revoked.", "%(count)d certificates revoked.", len(changed)) % {
            "count": len(changed)
        }
        self.report_changes(request, changed, ["revoked_at"], message)
        if refusals:
            self.report_refusal(request, ValidationError(refusals))


register_audit_trail(admin.site, Application)


@admin.register(RotationChoice)
class RotationChoiceAdmin(admin.ModelAdmin):
    list_display = ["application", "rank"]
    list_select_related = ["application__need", "application__volunteer"]
    readonly_fields = ["application", "rank"]


@admin.register(SpeakingInvitation)
class SpeakingInvitationAdmin(admin.ModelAdmin):
    """Invitations to speak; their status moves only when the speaker answers on their own pages."""

    list_display = ["event", "organisation", "speaker_column", "date", "format", "status"]
    list_filter = ["status", "format"]
    list_select_related = ["organisation", "speaker__user"]
    search_fields = ["event", "organisation__name", "speaker__name"]
    autocomplete_fields = ["organisation", "speaker", "invited_by"]
    readonly_fields = ["status", "decline_reason", "answered_at", "created_at", "updated_at"]

    @admin.display(description=_("speaker"), ordering="speaker__name")
    def speaker_column(self, obj):
        return volunteer_admin_label(obj.speaker) if obj.speaker_id else _("former volunteer")


@admin.register(WaitingListEntry)
class WaitingListEntryAdmin(VolunteerColumnMixin, admin.ModelAdmin):
    """Needs' waiting lists, read only: volunteers join and leave them on their pages, coordinators offer a
    place to the first on a list from the pipeline."""

    list_display = ["volunteer_column", "need", "joined_at", "left_at", "offered_at"]
    list_filter = [("need__programme__lead_organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["need__programme", "volunteer__user"]
    search_fields = ["volunteer__name", "volunteer__user__email", "need__title"]
    readonly_fields = ["need", "volunteer", "joined_at", "left_at", "offered_at", "application"]

    def has_add_permission(self, request):
        return False


from . import visit_admin  # noqa: E402, F401  (visiting professors)
