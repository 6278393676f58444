"""The pages of visiting professors and their hosts (included by matcher/urls.py)."""

from django.urls import path

from .views import visiting

urlpatterns = [
    path("visiting-professors/", visiting.visiting_list, name="visiting-list"),
    path("visiting-professors/programmes/<int:pk>/apply/", visiting.candidacy_create, name="candidacy-create"),
    path("me/visiting/", visiting.my_visiting, name="my-visiting"),
    path("me/host-rounds/<int:pk>/", visiting.host_round_candidate, name="host-round-candidate"),
    path("visits/<int:pk>/feedback/", visiting.visit_feedback, name="visit-feedback"),
    path("coordinate/<slug:slug>/host-requests/", visiting.host_request_list, name="host-request-list"),
    path("coordinate/<slug:slug>/host-requests/new/", visiting.host_request_create, name="host-request-create"),
    path("coordinate/host-requests/<int:pk>/", visiting.host_request_detail, name="host-request-detail"),
    path("coordinate/host-requests/<int:pk>/close/", visiting.host_request_close, name="host-request-close"),
    path("coordinate/programmes/<int:pk>/visiting/", visiting.visiting_programme, name="visiting-programme"),
    path("coordinate/programmes/<int:pk>/visiting/report/", visiting.visit_report, name="visit-report"),
    path("coordinate/host-rounds/<int:pk>/", visiting.host_round_detail, name="host-round-detail"),
    path("coordinate/host-rounds/<int:pk>/run/", visiting.host_round_run, name="host-round-run"),
    path("coordinate/host-rounds/<int:pk>/cancel/", visiting.host_round_cancel, name="host-round-cancel"),
]
