from django.urls import path

from .views import applications, coordinate, feedback, opportunities, pipeline, privacy, reports, rounds, suggestions

app_name = "programmes"

urlpatterns = [
    path("opportunities/", opportunities.opportunity_list, name="opportunity-list"),
    path("opportunities/<int:pk>/", opportunities.opportunity_detail, name="need-detail"),
    path("opportunities/<int:pk>/apply/", applications.application_create, name="application-create"),
    path("me/", applications.dashboard, name="dashboard"),
    path("me/applications/<int:pk>/withdraw/", applications.application_withdraw, name="application-withdraw"),
    path("me/applications/<int:pk>/accept/", applications.offer_accept, name="offer-accept"),
    path("me/applications/<int:pk>/decline/", applications.offer_decline, name="offer-decline"),
    path("me/placements/", feedback.placement_record, name="placement-record"),
    path("me/placements/<int:pk>/feedback/", feedback.volunteer_feedback, name="volunteer-feedback"),
    path("me/export/", privacy.data_export, name="data-export"),
    path("me/delete/", privacy.account_delete, name="account-delete"),
    # Calendar apps cannot sign in: the feed is reached with ?token=<the volunteer's secret token>.
    path("me/calendar.ics", privacy.calendar_feed, name="calendar-feed"),
    path("me/calendar/reset/", privacy.calendar_token_reset, name="calendar-token-reset"),
    path("credentials/<int:pk>/document/", privacy.credential_document, name="credential-document"),
    # The coordinator's workspace.
    path("coordinate/", coordinate.workspace, name="workspace"),
    path("coordinate/<slug:slug>/sites/", coordinate.site_list, name="site-list"),
    path("coordinate/<slug:slug>/sites/new/", coordinate.site_create, name="site-create"),
    path("coordinate/sites/<int:pk>/edit/", coordinate.site_edit, name="site-edit"),
    path("coordinate/<slug:slug>/programmes/new/", coordinate.programme_create, name="programme-create"),
    path("coordinate/programmes/<int:pk>/", coordinate.programme_detail, name="programme-detail"),
    path("coordinate/programmes/<int:pk>/edit/", coordinate.programme_edit, name="programme-edit"),
    path("coordinate/programmes/<int:pk>/publish/", coordinate.programme_publish, name="programme-publish"),
    path("coordinate/programmes/<int:pk>/close/", coordinate.programme_close, name="programme-close"),
    path("coordinate/programmes/<int:pk>/needs/new/", coordinate.need_create, name="need-create"),
    path("coordinate/needs/<int:pk>/edit/", coordinate.need_edit, name="need-edit"),
    path("coordinate/needs/<int:pk>/duplicate/", coordinate.need_duplicate, name="need-duplicate"),
    path("coordinate/needs/<int:pk>/close/", coordinate.need_close, name="need-close"),
    path("coordinate/needs/<int:pk>/reopen/", coordinate.need_reopen, name="need-reopen"),
    # The pipeline: a need's applications from interest to completed placement.
    path("coordinate/needs/<int:pk>/", pipeline.board, name="pipeline"),
    path("coordinate/applications/<int:pk>/", pipeline.application_detail, name="pipeline-application"),
    path("coordinate/applications/<int:pk>/shortlist/", pipeline.application_shortlist, name="application-shortlist"),
    path("coordinate/applications/<int:pk>/offer/", pipeline.application_offer, name="application-offer"),
    path("coordinate/applications/<int:pk>/decline/", pipeline.application_decline, name="application-decline"),
    path("coordinate/applications/<int:pk>/complete/", pipeline.application_complete, name="application-complete"),
    path("coordinate/applications/<int:pk>/notes/", pipeline.application_notes, name="application-notes"),
    path("coordinate/placements/<int:pk>/feedback/", feedback.organisation_feedback, name="organisation-feedback"),
    path("coordinate/programmes/<int:pk>/feedback/", feedback.programme_feedback, name="programme-feedback"),
    # The matcher: suggestions on the board, and match rounds.
    path(
        "coordinate/needs/<int:pk>/suggestions/<int:volunteer_pk>/invite/",
        suggestions.invite_to_apply,
        name="suggestion-invite",
    ),
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
    # Reports.
    path("coordinate/programmes/<int:pk>/report/", reports.programme_report, name="programme-report"),
    path("coordinate/programmes/<int:pk>/placements.csv", reports.programme_placements_csv, name="placements-csv"),
    path("coordinate/<slug:slug>/report/", reports.organisation_report, name="organisation-report"),
    path("reports/", reports.portal_report, name="portal-report"),
]
