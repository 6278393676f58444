from django.urls import path

from . import privacy_views

app_name = "privacy"

urlpatterns = [
    path("me/export/", privacy_views.data_export, name="data-export"),
    path("me/delete/", privacy_views.account_delete, name="account-delete"),
]
