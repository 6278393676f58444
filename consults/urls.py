from django.urls import path

from . import views

app_name = "consults"

urlpatterns = [
    path("", views.consult_list, name="list"),
    path("new/", views.consult_create, name="new"),
    path("turnaround/", views.turnaround, name="turnaround"),
    path("images/<int:pk>/preview/", views.image_preview, name="image-preview"),
    path("images/<int:pk>/download/", views.image_download, name="image-download"),
    path("<str:public_id>/", views.consult_detail, name="detail"),
    path("<str:public_id>/check/", views.consult_check, name="check"),
    path("<str:public_id>/claim/", views.consult_claim, name="claim"),
    path("<str:public_id>/report/", views.consult_report, name="report"),
    path("<str:public_id>/messages/", views.consult_message, name="message"),
    path("<str:public_id>/close/", views.consult_close, name="close"),
]
