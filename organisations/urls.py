from django.urls import path

from . import views
from .views import embedding, membership

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="organisation-list"),
    # Asking to list an organisation, and seeing what became of one's requests.
    path("request/", membership.organisation_request, name="organisation-request"),
    path("requests/", membership.organisation_request_list, name="organisation-request-list"),
    # An organisation admin manages who coordinates for it.
    path("<slug:slug>/members/", membership.member_list, name="member-list"),
    path("<slug:slug>/members/invite/", membership.invitation_create, name="invitation-create"),
    path("<slug:slug>/members/<int:pk>/role/", membership.member_role, name="member-role"),
    path("<slug:slug>/members/<int:pk>/remove/", membership.member_remove, name="member-remove"),
    # An organisation admin lets partner websites show its open needs (/embed/<slug>/).
    path("<slug:slug>/embed/", embedding.embed_settings, name="embed-settings"),
    path("<slug:slug>/invitations/<int:pk>/revoke/", membership.invitation_revoke, name="invitation-revoke"),
    path("invitations/<str:token>/", membership.invitation_accept, name="invitation-accept"),
    path("<slug:slug>/", views.organisation_detail, name="organisation-detail"),
]
