from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView

from globalir.accounts import views as accounts_views
from organisations import views as organisations_views

# The admin has no login form of its own: /admin/login/ sends visitors to allauth's, so the same rate
# limits, two-factor step and audit apply to site admins.
admin.site.login = secure_admin_login(admin.site.login)

# allauth's rate limits answer with this page (Django itself has no handler for 429).
handler429 = "globalir.accounts.views.too_many_requests"

urlpatterns = [
    path("", organisations_views.home, name="home"),
    # The API, and an organisation admin's API tokens (before organisations' pages, which end in a catch-all slug).
    path("", include("api.urls")),
    path("organisations/", include("organisations.urls")),
    path("me/", include("volunteers.urls")),
    # The profile wizard lives under /me/; /welcome/, the address people guess, leads there.
    path(
        "welcome/",
        require_safe(RedirectView.as_view(pattern_name="volunteers:onboarding", query_string=True)),
        name="welcome",
    ),
    path("", include("programmes.urls")),
    path("", include("placements.urls")),
    path("", include("matcher.urls")),
    path("messages/", include("conversations.urls")),
    path("consults/", include("consults.urls")),
    path("", include("globalir.accounts.privacy_urls")),
    path("notifications/", include("notifications.urls")),
    path("accounts/", include("globalir.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    # Django's language switcher, which also sets a signed-in user's language (globalir.accounts.views).
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
