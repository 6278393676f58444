"""Site admins curate organisations and memberships here; bulk actions go through organisations.services."""

from collections.abc import Sequence
from operator import itemgetter

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries
from django_countries.filters import CountryFilter

from .models import Membership, Organisation
from .services import organisations_archive, organisations_feature, organisations_unfeature, organisations_verify


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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Organisation)
class OrganisationAdmin(ServiceActionsMixin, admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "status", "featured", "headquarters_country", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["kind", "status", "featured", ("headquarters_country", CountryFilter), WorksInCountryFilter]
    search_fields = ["name", "acronym", "description", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["partners", "requested_by"]
    readonly_fields = ["verified_by", "verified_at", "created_at", "updated_at"]
    inlines = [MembershipInline]
    actions = ["verify", "feature", "unfeature", "archive"]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "description"]}),
        (_("Contact"), {"fields": ["website", "contact_email", "twitter", "instagram", "facebook", "linkedin"]}),
        (_("Where it works"), {"fields": ["headquarters_country", "countries", "partners"]}),
        (_("Listing"), {"fields": ["status", "featured", "requested_by", "verified_by", "verified_at"]}),
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
class MembershipAdmin(admin.ModelAdmin):
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
