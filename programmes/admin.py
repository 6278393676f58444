"""Site admins curate sites, programmes, needs, applications and placements here.

Bulk actions go through programmes.services. Foreign keys to large tables use autocomplete
widgets, and the changelists select their related rows up front, so pages stay small and fast
however many users, needs or volunteers there are.
"""

from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from globalir.audit import ReadOnlyAdmin, register_audit_trail
from matcher.models import MatchRound, Recommendation
from organisations.admin import ServiceActionsMixin, country_choices
from placements.models import Application, Feedback, Placement
from volunteers.admin import volunteer_admin_label

from .matching.service import recommendations_refresh_all_later, recommendations_refresh_needs_later
from .models import Need, Programme, Site
from .services import (
    application_offer,
    application_withdraw_for_volunteer,
    needs_close,
    needs_reopen,
    programmes_close,
    programmes_publish,
)


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


@admin.register(Programme)
class ProgrammeAdmin(ServiceActionsMixin, SimpleHistoryAdmin):
    list_display = ["title", "lead_organisation", "kind", "status", "start_date", "end_date"]
    list_filter = ["status", "kind", ("lead_organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["lead_organisation"]
    search_fields = ["title", "summary", "description", "lead_organisation__name", "lead_organisation__acronym"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["lead_organisation", "partners", "sites"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["publish", "close"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "summary", "description"]}),
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
        (None, {"fields": ["programme", "title", "description", "profession", "places", "status"]}),
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
        changed = needs_close(needs=queryset, by=request.user)
        count = len(changed)
        message = ngettext("%(count)d need closed.", "%(count)d needs closed.", count) % {"count": count}
        self.report_changes(request, changed, ["status"], message)

    @admin.action(description=_("Reopen the selected needs"), permissions=["change"])
    def reopen(self, request, queryset):
        try:
            changed = needs_reopen(needs=queryset, by=request.user)
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


class VolunteerColumnMixin:
    @admin.display(description=_("volunteer"), ordering="volunteer__name")
    def volunteer_column(self, obj):
        # Erased volunteers leave anonymised records behind.
        return volunteer_admin_label(obj.volunteer) if obj.volunteer_id else _("former volunteer")


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


@admin.register(Placement)
class PlacementAdmin(VolunteerColumnMixin, admin.ModelAdmin):
    list_display = ["need", "volunteer_column", "mode", "start_date", "end_date", "completed_at"]
    list_filter = ["mode", ("need__programme__lead_organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["need__programme", "volunteer__user"]
    search_fields = ["volunteer__name", "volunteer__user__email", "need__title", "need__programme__title"]
    autocomplete_fields = ["application", "need", "volunteer"]
    readonly_fields = ["created_at"]


register_audit_trail(admin.site, Programme, Need, Application)


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    """What the matcher stored: read-only (the refresh tasks write these rows), with a button that runs
    a full refresh now."""

    change_list_template = "admin/matcher/recommendation/change_list.html"
    list_display = ["volunteer_column", "need", "score_display", "rank_for_volunteer", "rank_for_need", "computed_at"]
    list_filter = ["need__profession", ("need__programme__lead_organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["volunteer__user", "need"]
    search_fields = ["volunteer__name", "volunteer__user__email", "need__title"]
    ordering = ["need", "rank_for_need", "volunteer"]
    show_full_result_count = False

    @admin.display(description=_("volunteer"), ordering="volunteer__name")
    def volunteer_column(self, recommendation):
        return volunteer_admin_label(recommendation.volunteer)

    @admin.display(description=_("score"), ordering="score")
    def score_display(self, recommendation):
        return f"{recommendation.score:.0f}"

    def get_urls(self):
        refresh = self.admin_site.admin_view(require_POST(self.refresh_all_view))
        return [path("refresh/", refresh, name="matcher_recommendation_refresh"), *super().get_urls()]

    def refresh_all_view(self, request):
        if not request.user.has_perm("matcher.view_recommendation"):
            return redirect("admin:index")
        recommendations_refresh_all_later()
        self.message_user(
            request,
            _("Every recommendation is being recomputed; the list shows the new results once it is done."),
            messages.SUCCESS,
        )
        return redirect(reverse("admin:matcher_recommendation_changelist"))


@admin.register(MatchRound)
class MatchRoundAdmin(admin.ModelAdmin):
    """Rounds are run from the coordinator's pages; here site admins see their state and any error."""

    list_display = ["programme", "status", "ranking_deadline", "progress", "created_by", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["programme", "created_by"]
    search_fields = ["programme__title"]
    readonly_fields = [field.name for field in MatchRound._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["placement", "side", "rating", "created_at"]
    list_filter = ["side", "rating"]
    list_select_related = ["placement__need"]
    readonly_fields = ["placement", "side", "author", "rating", "comments", "created_at"]

    def has_add_permission(self, request):
        return False
