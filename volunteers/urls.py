from django.urls import path

from . import speaker_views, views

app_name = "volunteers"

urlpatterns = [
    path("welcome/", views.onboarding, name="onboarding"),
    path("welcome/<slug:step>/", views.onboarding, name="onboarding-step"),
    path("profile/", views.profile_edit, name="profile"),
    path("profile/consent/", views.consent, name="consent"),
    path("speaker/", speaker_views.speaker_profile, name="speaker"),
    path("credentials/", views.credential_list, name="credentials"),
    path("credentials/<int:pk>/delete/", views.credential_delete, name="credential-delete"),
]
