from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from organisations import views as organisations_views

# The admin has no login form of its own: /admin/login/ sends visitors to allauth's, so the same rate
# limits, two-factor step and audit apply to site admins.
admin.site.login = secure_admin_login(admin.site.login)

# allauth's rate limits answer with this page (Django itself has no handler for 429).
handler429 = "globalir.accounts.views.too_many_requests"

urlpatterns = [
    path("", organisations_views.home, name="home"),
    path("organisations/", include("organisations.urls")),
    path("me/", include("volunteers.urls")),
    path("", include("programmes.urls")),
    path("notifications/", include("notifications.urls")),
    path("accounts/", include("globalir.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
