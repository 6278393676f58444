from django.contrib import admin
from django.urls import include, path

from organisations import views as organisations_views

urlpatterns = [
    path("", organisations_views.home, name="home"),
    path("organisations/", include("organisations.urls")),
    path("me/", include("volunteers.urls")),
    path("", include("programmes.urls")),
    path("notifications/", include("notifications.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
