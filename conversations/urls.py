from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("applications/<int:pk>/", views.application_thread, name="application-thread"),
    path("needs/<int:pk>/", views.need_thread, name="need-thread"),
    path("rotations/<int:pk>/", views.rotation_thread, name="rotation-thread"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
