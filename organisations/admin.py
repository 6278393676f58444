"""Site admins curate organisations and memberships here; bulk actions go through organisations.services."""

from collections.abc import Sequence
from operator import itemgetter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import get_content_type_for_model
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Value, When
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext
from django_countries import countries
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from globalir.audit import register_audit_trail

from .models import Invitation, Membership, Organisation
from .services import (
    invitation_revoke,
    organisations_archive,
    organisations_feature,
    organisations_reject,
    organisations_unfeature,
    organisations_verify,
)


class ServiceActionsMixin:
    """Helpers for bulk actions that call a service: record each change in the objects' history
    (the admin's "History" page) and tell the admin how many changed, or why nothing did."""

    def report_changes(self, request, changed: Sequence[models.Model], fields: Sequence[str], message: str) -> None:
        if changed:
            # Field names are stored untranslated and translated when the history is shown, as the admin does.
            with translation.override(None):
                names = [str(self.model._meta.get_field(name).verbose_name) for name in fields]
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=changed,
                action_flag=CHANGE,
                change_message=[{"changed": {"fields": names}}],
            )
        self.message_user(request, message, messages.SUCCESS if changed else messages.WARNING)

    def report_refusal(self, request, error: ValidationError) -> None:
        self.message_user(request, " ".join(error.messages), messages.ERROR)


def country_choices(codes) -> list[tuple[str, str]]:
    """(code, name) pairs for the given country codes, sorted by the name in the active language."""
    return sorted(((code, str(countries.name(code))) for code in set(codes) if code), key=itemgetter(1))


class WorksInCountryFilter(admin.SimpleListFilter):
    """Organisations by a country where they work (the multi-valued ``countries`` field)."""

    title = _("works in country")
    parameter_name = "works_in"

    def lookups(self, request, model_admin):
        codes = set()
        stored = Organisation.objects.exclude(countries="").order_by().values_list("countries", flat=True).distinct()
        for value in stored:
            codes.update(value.split(","))
        return country_choices(codes)

    def queryset(self, request, queryset):
        code = (self.value() or "").upper()
        if not code:
            return queryset
        if code not in countries:
            return queryset.none()
        # Codes are two letters separated by commas, so a substring match is an exact match.
        return queryset.filter(countries__contains=code)


class HistoryWithAdminLogMixin:
    """SimpleHistoryAdmin's "History" page (every saved version: who changed which field, from where),
    followed by the admin's own log, where bulk actions record their message ("Changed listing status…")."""

    object_history_template = "organisations/admin/object_history.html"
    admin_log_limit = 50

    def history_view(self, request, object_id, extra_context=None):
        admin_log = (
            LogEntry.objects.filter(object_id=unquote(object_id), content_type=get_content_type_for_model(self.model))
            .select_related("user")
            .order_by("-action_time")[: self.admin_log_limit]
        )
        return super().history_view(request, object_id, extra_context={**(extra_context or {}), "admin_log": admin_log})


class MembershipInline(admin.TabularInline):
    """Members at a glance; each change is recorded in the membership's history (audit trail)."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    show_change_link = True


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        # The admin replaces these with the fields of OrganisationAdmin.fieldsets.
        fields = ["status", "rejection_reason"]

    def clean(self):
        cleaned = super().clean()
        # The database refuses a rejection without a reason; say so instead of failing.
        if (
            cleaned.get("status") == Organisation.Status.REJECTED
            and not (cleaned.get("rejection_reason") or "").strip()
        ):
            self.add_error(
                "rejection_reason",
                _(
                    "Give the reason for the rejection: the person who asked reads it. (The “Reject with a reason” "
                    "action also e-mails it to them.)"
                ),
            )
        return cleaned


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("Shown to and e-mailed to each person who asked, who can correct the request and send it again."),
    )


@admin.register(Organisation)
class OrganisationAdmin(ServiceActionsMixin, HistoryWithAdminLogMixin, SimpleHistoryAdmin):
    form = OrganisationAdminForm
    list_display = [
        "name",
        "acronym",
        "kind",
        "status",
        "featured",
        "headquarters_country",
        "requested_by",
        "created_at",
        "updated_at",
    ]
    list_select_related = ["requested_by"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["status", "kind", "featured", ("headquarters_country", CountryFilter), WorksInCountryFilter]
    search_fields = ["name", "acronym", "description", "contact_email", "requested_by__email"]
    # Requests waiting for a decision first, then by name.
    ordering = [Case(When(status=Organisation.Status.PENDING, then=Value(0)), default=Value(1)), "name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["partners", "requested_by"]
    readonly_fields = ["verified_by", "verified_at", "created_at", "updated_at"]
    inlines = [MembershipInline]
    actions = ["verify", "reject", "feature", "unfeature", "archive"]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "description", "content_language"]}),
        (_("Contact"), {"fields": ["website", "contact_email", "twitter", "instagram", "facebook", "linkedin"]}),
        (_("Where it works"), {"fields": ["headquarters_country", "countries", "partners"]}),
        (_("Listing on other websites"), {"fields": ["embed_origins"]}),
        (
            _("Listing"),
            {"fields": ["status", "rejection_reason", "featured", "requested_by", "verified_by", "verified_at"]},
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "countries":
            kwargs["widget"] = FilteredSelectMultiple(db_field.verbose_name, is_stacked=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Verifying through the form records who and when, as the bulk action does.
        if "status" in form.changed_data and obj.status == Organisation.Status.VERIFIED:
            obj.verified_by = request.user
            obj.verified_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Verify the selected organisations"), permissions=["change"])
    def verify(self, request, queryset):
        changed = organisations_verify(organisations=queryset, by=request.user)
        count = len(changed)
        message = ngettext("%(count)d organisation verified.", "%(count)d organisations verified.", count) % {
            "count": count
        }
        self.report_changes(request, changed, ["status", "verified_by", "verified_at"], message)

    @admin.action(description=_("Reject with a reason"), permissions=["change"])
    def reject(self, request, queryset):
        """Ask for the reason on an intermediate page, then reject the pending ones and e-mail each requester."""
        applying = "apply" in request.POST
        form = RejectionForm(request.POST if applying else None)
        if applying and form.is_valid():
            try:
                changed = organisations_reject(
                    organisations=queryset, reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                self.report_refusal(request, error)
                return None
            count = len(changed)
            message = ngettext(
                "%(count)d organisation rejected; its requester was e-mailed the reason.",
                "%(count)d organisations rejected; their requesters were e-mailed the reason.",
                count,
            ) % {"count": count}
            self.report_changes(request, changed, ["status", "rejection_reason"], message)
            return None
        organisations = list(queryset.select_related("requested_by").order_by("name"))
        return TemplateResponse(
            request,
            "organisations/admin/organisation_reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject with a reason"),
                "opts": self.model._meta,
                "form": form,
                "queryset": organisations,
                "pending": [o for o in organisations if o.status == Organisation.Status.PENDING],
                "skipped": [o for o in organisations if o.status != Organisation.Status.PENDING],
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Feature the selected organisations"), permissions=["change"])
    def feature(self, request, queryset):
        try:
            changed = organisations_feature(organisations=queryset, by=request.user)
        except ValidationError as error:
            self.report_refusal(request, error)
            return
        count = len(changed)
        message = ngettext("%(count)d organisation featured.", "%(count)d organisations featured.", count) % {
            "count": count
        }
        self.report_changes(request, changed, ["featured"], message)

    @admin.action(description=_("Stop featuring the selected organisations"), permissions=["change"])
    def unfeature(self, request, queryset):
        changed = organisations_unfeature(organisations=queryset, by=request.user)
        count = len(changed)
        message = ngettext(
            "%(count)d organisation no longer featured.", "%(count)d organisations no longer featured.", count
        ) % {"count": count}
        self.report_changes(request, changed, ["featured"], message)

    @admin.action(description=_("Archive the selected organisations"), permissions=["change"])
    def archive(self, request, queryset):
        changed = organisations_archive(organisations=queryset, by=request.user)
        count = len(changed)
        message = ngettext("%(count)d organisation archived.", "%(count)d organisations archived.", count) % {
            "count": count
        }
        self.report_changes(request, changed, ["status", "featured"], message)


@admin.register(Membership)
class MembershipAdmin(HistoryWithAdminLogMixin, SimpleHistoryAdmin):
    list_display = ["user", "user_email", "organisation", "role", "created_at"]
    list_filter = ["role", ("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "organisation"]
    search_fields = [
        "user__email",
        "user__first_name",
        "user__last_name",
        "organisation__name",
        "organisation__acronym",
    ]
    autocomplete_fields = ["user", "organisation"]
    readonly_fields = ["created_at"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def user_email(self, membership):
        return membership.user.email


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent by organisation admins from their members page; here they can only be read or
    withdrawn. The token's hash is never shown, and the token itself was never stored."""

    list_display = ["email", "organisation", "role", "state", "invited_by", "created_at", "expires_at"]
    list_filter = ["role", ("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organisation", "invited_by", "accepted_by"]
    search_fields = ["email", "organisation__name", "organisation__acronym", "invited_by__email"]
    date_hierarchy = "created_at"
    fields = [
        "organisation",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("state"))
    def state(self, invitation):
        # A context: an application and a credential share these English words, not their genders.
        if invitation.accepted_at:
            return pgettext("invitation status", "Accepted")
        if invitation.revoked_at:
            return pgettext("invitation status", "Withdrawn")
        if invitation.expires_at <= timezone.now():
            return pgettext("invitation status", "Expired")
        return pgettext("invitation status", "Waiting")

    @admin.action(description=_("Withdraw the selected invitations"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for invitation in queryset.pending():
            try:
                invitation_revoke(invitation=invitation, by=request.user)
            except ValidationError:
                continue  # accepted or withdrawn a moment ago
            count += 1
        message = ngettext("%(count)d invitation withdrawn.", "%(count)d invitations withdrawn.", count) % {
            "count": count
        }
        self.message_user(request, message, messages.SUCCESS if count else messages.WARNING)


# The read-only audit trail across each model's history: who verified, rejected or changed what.
register_audit_trail(admin.site, Organisation, Membership)
