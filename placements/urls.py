from django.urls import path

from .views import (
    applications,
    calendar,
    certificates,
    checklists,
    credentials,
    electives,
    feedback,
    pipeline,
    reports,
    speakers,
    teams,
    waiting_list,
)

app_name = "placements"

urlpatterns = [
    path("opportunities/<int:pk>/apply/", applications.application_create, name="application-create"),
    path("me/", applications.dashboard, name="dashboard"),
    # A full need's waiting list.
    path("opportunities/<int:pk>/waiting-list/", waiting_list.waiting_list_join, name="waiting-list-join"),
    path("me/waiting-list/<int:pk>/leave/", waiting_list.waiting_list_leave, name="waiting-list-leave"),
    path(
        "coordinate/needs/<int:pk>/waiting-list/offer/",
        waiting_list.waiting_list_offer_first,
        name="waiting-list-offer",
    ),
    # Teams on rotations.
    path("teams/<int:pk>/", teams.team_detail, name="team-detail"),
    path("teams/<int:pk>/apply/", teams.team_apply, name="team-apply"),
    path("me/rotations/<int:pk>/", teams.rotation_team, name="rotation-team"),
    path("me/applications/<int:pk>/withdraw/", applications.application_withdraw, name="application-withdraw"),
    path("me/applications/<int:pk>/accept/", applications.offer_accept, name="offer-accept"),
    path("me/applications/<int:pk>/decline/", applications.offer_decline, name="offer-decline"),
    path("me/placements/", feedback.placement_record, name="placement-record"),
    path("me/placements/<int:pk>/feedback/", feedback.volunteer_feedback, name="volunteer-feedback"),
    # Certificates of service (PDF) and their public check.
    path("me/placements/<int:pk>/certificate.pdf", certificates.certificate_download, name="certificate-download"),
    path("me/placements/<int:year>.pdf", certificates.year_summary_download, name="year-summary-download"),
    path("verify/<str:code>/", certificates.certificate_verify, name="certificate-verify"),
    # Calendar apps cannot sign in: the feed is reached with ?token=<the volunteer's secret token>.
    path("me/calendar.ics", calendar.calendar_feed, name="calendar-feed"),
    path("me/calendar/reset/", calendar.calendar_token_reset, name="calendar-token-reset"),
    # Pre-departure checklists.
    path("me/placements/<int:pk>/checklist/", checklists.placement_checklist, name="checklist"),
    path(
        "coordinate/placements/<int:pk>/checklist/",
        checklists.placement_checklist_coordinate,
        name="checklist-coordinate",
    ),
    path("checklist-items/<int:pk>/tick/", checklists.checklist_item_tick, name="checklist-item-tick"),
    path("checklist-items/<int:pk>/untick/", checklists.checklist_item_untick, name="checklist-item-untick"),
    path("checklist-items/<int:pk>/document/", checklists.checklist_item_document, name="checklist-item-document"),
    path("coordinate/needs/<int:pk>/checklists/", checklists.need_checklists, name="need-checklists"),
    path("coordinate/rotations/<int:pk>/checklists/", checklists.rotation_checklists, name="rotation-checklists"),
    path("credentials/<int:pk>/document/", credentials.credential_document, name="credential-document"),
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
    path("coordinate/electives/", electives.elective_students, name="elective-students"),
    # Reports.
    path("coordinate/programmes/<int:pk>/report/", reports.programme_report, name="programme-report"),
    path("coordinate/programmes/<int:pk>/placements.csv", reports.programme_placements_csv, name="placements-csv"),
    path("coordinate/<slug:slug>/report/", reports.organisation_report, name="organisation-report"),
    path("reports/", reports.portal_report, name="portal-report"),
    # The Speakers Bureau: coordinators search and invite, speakers answer.
    path("coordinate/<slug:slug>/speakers/", speakers.speaker_list, name="speaker-list"),
    path("coordinate/<slug:slug>/speakers/<int:pk>/invite/", speakers.speaker_invite, name="speaker-invite"),
    path("coordinate/<slug:slug>/talks/", speakers.talk_list, name="talk-list"),
    path("me/talks/<int:pk>/", speakers.talk_detail, name="talk-detail"),
    path("me/talks/<int:pk>/accept/", speakers.talk_accept, name="talk-accept"),
    path("me/talks/<int:pk>/decline/", speakers.talk_decline, name="talk-decline"),
]
