from django.urls import path

from . import feeds
from .views import checklists, coordinate, embed, opportunities, teams

app_name = "programmes"

urlpatterns = [
    path("opportunities/", opportunities.opportunity_list, name="opportunity-list"),
    path("opportunities/map/", opportunities.opportunity_map, name="opportunity-map"),
    path("opportunities/feed/", feeds.opportunity_feed, name="opportunity-feed"),
    path("opportunities/<int:pk>/", opportunities.opportunity_detail, name="need-detail"),
    # One organisation's open needs, for partners to frame on their websites.
    path("embed/<slug:slug>/", embed.organisation_embed, name="embed"),
    # The coordinator's workspace.
    path("coordinate/", coordinate.workspace, name="workspace"),
    path("coordinate/<slug:slug>/sites/", coordinate.site_list, name="site-list"),
    path("coordinate/<slug:slug>/sites/new/", coordinate.site_create, name="site-create"),
    path("coordinate/sites/<int:pk>/edit/", coordinate.site_edit, name="site-edit"),
    path("coordinate/<slug:slug>/programmes/new/", coordinate.programme_create, name="programme-create"),
    path("coordinate/programmes/<int:pk>/", coordinate.programme_detail, name="programme-detail"),
    path("coordinate/programmes/<int:pk>/needs/", coordinate.workspace_needs, name="workspace-needs"),
    path("coordinate/programmes/<int:pk>/edit/", coordinate.programme_edit, name="programme-edit"),
    path("coordinate/programmes/<int:pk>/publish/", coordinate.programme_publish, name="programme-publish"),
    path("coordinate/programmes/<int:pk>/close/", coordinate.programme_close, name="programme-close"),
    path("coordinate/programmes/<int:pk>/checklist/", checklists.checklist_template, name="checklist-template"),
    path("coordinate/programmes/<int:pk>/needs/new/", coordinate.need_create, name="need-create"),
    path("coordinate/needs/<int:pk>/edit/", coordinate.need_edit, name="need-edit"),
    path("coordinate/needs/<int:pk>/duplicate/", coordinate.need_duplicate, name="need-duplicate"),
    path("coordinate/needs/<int:pk>/close/", coordinate.need_close, name="need-close"),
    path("coordinate/needs/<int:pk>/reopen/", coordinate.need_reopen, name="need-reopen"),
    # Teams on rotations.
    path("coordinate/programmes/<int:pk>/teams/new/", teams.team_create, name="team-create"),
    path("coordinate/teams/<int:pk>/", teams.team_manage, name="team-manage"),
    path("coordinate/teams/<int:pk>/roles/", teams.team_role_add, name="team-role-add"),
    path("coordinate/teams/<int:pk>/rotations/", teams.team_rotations_add, name="team-rotations-add"),
]
