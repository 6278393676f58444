"""Site admins curate sites, programmes and needs here.

Bulk actions go through programmes.services. Foreign keys to large tables use autocomplete
widgets, and the changelists select their related rows up front, so pages stay small and fast
however many users, needs or volunteers there are.
"""

from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from globalir.audit import register_audit_trail
from globalir.refresh import recommendations_refresh_needs_later
from organisations.admin import ServiceActionsMixin, country_choices

from .checklist_templates import ChecklistTemplateItem
from .electives import Elective
from .models import Need, Programme, Site
from .services import NeedChange, need_status_change, programmes_close, programmes_publish


def countries_widget(db_field):
    return FilteredSelectMultiple(db_field.verbose_name, is_stacked=False)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "organisation"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = [("country", CountryFilter)]
    list_select_related = ["organisation"]
    search_fields = ["name", "city", "organisation__name", "organisation__acronym"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created_at"]


class ChecklistTemplateItemInline(admin.TabularInline):
    """The programme's pre-departure checklist; none means placements get the default one."""

    model = ChecklistTemplateItem
    extra = 0
    fields = ["position", "title", "who_acts", "days_before_start", "needs_document", "applies_to"]


@admin.register(Programme)
class ProgrammeAdmin(ServiceActionsMixin, SimpleHistoryAdmin):
    inlines = [ChecklistTemplateItemInline]
    list_display = ["title", "lead_organisation", "kind", "status", "start_date", "end_date"]
    list_filter = ["status", "kind", ("lead_organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["lead_organisation"]
    search_fields = ["title", "summary", "description", "lead_organisation__name", "lead_organisation__acronym"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["lead_organisation", "partners", "sites"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["publish", "close"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "summary", "description", "content_language"]}),
        (_("Who and where"), {"fields": ["lead_organisation", "partners", "countries", "sites"]}),
        (_("Dates"), {"fields": ["start_date", "end_date", "created_at", "updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "countries":
            kwargs["widget"] = countries_widget(db_field)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Its status, countries and organisation decide which of its needs are listed and how they score.
        recommendations_refresh_needs_later(need_ids=form.instance.needs.values_list("pk", flat=True))

    @admin.action(description=_("Publish the selected programmes"), permissions=["change"])
    def publish(self, request, queryset):
        changed = programmes_publish(programmes=queryset, by=request.user)
        count = len(changed)
        message = ngettext("%(count)d programme published.", "%(count)d programmes published.", count) % {
            "count": count
        }
        self.report_changes(request, changed, ["status"], message)

    @admin.action(description=_("Close the selected programmes"), permissions=["change"])
    def close(self, request, queryset):
        changed = programmes_close(programmes=queryset, by=request.user)
        count = len(changed)
        message = ngettext("%(count)d programme closed.", "%(count)d programmes closed.", count) % {"count": count}
        self.report_changes(request, changed, ["status"], message)


class NeedCountryFilter(admin.SimpleListFilter):
    """Needs by the country of their host site (remote needs have none)."""

    title = _("host country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = Site.objects.filter(needs__isnull=False).order_by().values_list("country", flat=True).distinct()
        return country_choices(codes)

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(host_site__country=self.value().upper())
        return queryset


class ProgrammeKindFilter(admin.SimpleListFilter):
    title = _("programme kind")
    parameter_name = "programme_kind"

    def lookups(self, request, model_admin):
        return Programme.Kind.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(programme__kind=self.value())
        return queryset


@admin.register(Need)
class NeedAdmin(ServiceActionsMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "programme",
        "profession",
        "mode",
        "places",
        "window",
        "application_deadline",
        "status",
    ]
    list_filter = ["status", "mode", "profession", ProgrammeKindFilter, NeedCountryFilter]
    list_select_related = ["programme"]
    search_fields = ["title", "description", "programme__title", "host_site__name"]
    autocomplete_fields = ["programme", "host_site"]
    filter_horizontal = ["required_skills", "preferred_skills", "required_languages"]
    readonly_fields = ["created_at", "updated_at", "filled_at"]
    actions = ["close", "reopen", "refresh_recommendations"]
    fieldsets = [
        (None, {"fields": ["programme", "title", "description", "content_language", "profession", "places", "status"]}),
        (
            _("Where and when"),
            {
                "fields": [
                    "mode",
                    "host_site",
                    "window_start",
                    "window_end",
                    "min_duration_days",
                    "hours_per_week",
                    "application_deadline",
                ]
            },
        ),
        (
            _("Requirements"),
            {
                "fields": [
                    "min_years_experience",
                    "requires_verified_credential",
                    "required_credentials",
                    "required_skills",
                    "preferred_skills",
                    "required_languages",
                ]
            },
        ),
        (_("Support offered"), {"fields": [*Need.SUPPORT_FIELDS, "support_notes"]}),
        (_("Record"), {"fields": ["created_at", "updated_at", "filled_at"]}),
    ]

    @admin.display(description=_("date window"), ordering="window_start")
    def window(self, need):
        return _("%(start)s to %(end)s") % {
            "start": formats.date_format(need.window_start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(need.window_end, "SHORT_DATE_FORMAT"),
        }

    @admin.action(description=_("Close the selected needs"), permissions=["change"])
    def close(self, request, queryset):
        changed = need_status_change(needs=queryset, change=NeedChange.CLOSE, by=request.user)
        count = len(changed)
        message = ngettext("%(count)d need closed.", "%(count)d needs closed.", count) % {"count": count}
        self.report_changes(request, changed, ["status"], message)

    @admin.action(description=_("Reopen the selected needs"), permissions=["change"])
    def reopen(self, request, queryset):
        try:
            changed = need_status_change(needs=queryset, change=NeedChange.REOPEN, by=request.user)
        except ValidationError as error:
            self.report_refusal(request, error)
            return
        count = len(changed)
        message = ngettext("%(count)d need reopened.", "%(count)d needs reopened.", count) % {"count": count}
        self.report_changes(request, changed, ["status", "filled_at"], message)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Edited here rather than through the services: the matcher still hears of it.
        recommendations_refresh_needs_later(need_ids=[form.instance.pk])

    @admin.action(description=_("Refresh the matcher's suggestions for the selected needs"), permissions=["change"])
    def refresh_recommendations(self, request, queryset):
        need_ids = list(queryset.values_list("pk", flat=True))
        recommendations_refresh_needs_later(need_ids=need_ids)
        message = ngettext(
            "The suggestions of %(count)d need are being refreshed.",
            "The suggestions of %(count)d needs are being refreshed.",
            len(need_ids),
        ) % {"count": len(need_ids)}
        self.message_user(request, message, messages.SUCCESS)


register_audit_trail(admin.site, Programme, Need)


@admin.register(Elective)
class ElectiveAdmin(admin.ModelAdmin):
    list_display = ("need", "supervisor", "max_students")
    list_select_related = ("need__programme", "supervisor")
    search_fields = ("need__title", "supervisor__email", "supervisor__last_name")
    autocomplete_fields = ("need",)
    raw_id_fields = ("supervisor",)


# Host requests and teams on rotations register their own admin.
from . import host_admin, team_admin  # noqa: E402, F401
