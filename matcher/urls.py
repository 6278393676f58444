from django.urls import include, path

from .views import rounds, suggestions

app_name = "matcher"

urlpatterns = [
    # Suggestions on the pipeline board.
    path(
        "coordinate/needs/<int:pk>/suggestions/<int:volunteer_pk>/invite/",
        suggestions.invite_to_apply,
        name="suggestion-invite",
    ),
    # Match rounds.
    path("coordinate/programmes/<int:pk>/rounds/new/", rounds.round_create, name="round-create"),
    path("coordinate/rounds/<int:pk>/", rounds.round_detail, name="round-detail"),
    path("coordinate/rounds/<int:pk>/progress/", rounds.round_progress, name="round-progress"),
    path(
        "coordinate/rounds/<int:pk>/needs/<int:need_pk>/ranking/", rounds.round_need_ranking, name="round-need-ranking"
    ),
    path("coordinate/rounds/<int:pk>/dry-run/", rounds.round_dry_run, name="round-dry-run"),
    path("coordinate/rounds/<int:pk>/run/", rounds.round_run, name="round-run"),
    path("coordinate/rounds/<int:pk>/cancel/", rounds.round_cancel, name="round-cancel"),
    path("me/rounds/<int:pk>/", rounds.round_volunteer, name="round-volunteer"),
    path("", include("matcher.visiting_urls")),
]
