from django.urls import path

from .views import applications, opportunities, privacy

app_name = "programmes"

urlpatterns = [
    path("opportunities/", opportunities.opportunity_list, name="opportunity-list"),
    path("opportunities/<int:pk>/", opportunities.opportunity_detail, name="need-detail"),
    path("opportunities/<int:pk>/apply/", applications.application_create, name="application-create"),
    path("me/", applications.dashboard, name="dashboard"),
    path("me/applications/<int:pk>/withdraw/", applications.application_withdraw, name="application-withdraw"),
    path("me/applications/<int:pk>/accept/", applications.offer_accept, name="offer-accept"),
    path("me/applications/<int:pk>/decline/", applications.offer_decline, name="offer-decline"),
    path("me/export/", privacy.data_export, name="data-export"),
    path("me/delete/", privacy.account_delete, name="account-delete"),
    # Calendar apps cannot sign in: the feed is reached with ?token=<the volunteer's secret token>.
    path("me/calendar.ics", privacy.calendar_feed, name="calendar-feed"),
    path("me/calendar/reset/", privacy.calendar_token_reset, name="calendar-token-reset"),
    path("credentials/<int:pk>/document/", privacy.credential_document, name="credential-document"),
]
