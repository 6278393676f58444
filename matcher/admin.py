"""What the matcher stored, and the match rounds, for site admins: read-only."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from globalir.audit import ReadOnlyAdmin
from globalir.refresh import recommendations_refresh_all_later
from volunteers.admin import volunteer_admin_label

from .models import MatchRound, Recommendation


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


from . import host_round_admin  # noqa: E402, F401  (host match rounds)
