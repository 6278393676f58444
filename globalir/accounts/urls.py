"""allauth's account pages that change how one signs in, behind a recent re-authentication, and the page
of the account's language.

Included before allauth's own URLs, so these paths resolve here first. A session whose password
(or authenticator code) was last confirmed more than ACCOUNT_REAUTHENTICATION_TIMEOUT ago is asked
for it again before it sees these pages, not only when it posts to them: a borrowed or stolen
session cannot quietly take over the account. allauth.mfa's own pages do the same (its
MFA_REAUTHENTICATION_REQUIRED).
"""

from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required
from allauth.socialaccount import views as socialaccount_views
from django.urls import path

from . import views

urlpatterns = [
    path(
        "password/change/",
        reauthentication_required(allauth_views.password_change, app="allauth.account"),
        name="account_change_password",
    ),
    path("email/", reauthentication_required(allauth_views.email, app="allauth.account"), name="account_email"),
    # The accounts linked to this one (ORCID): signing in with one of them is signing in as this account.
    path(
        "3rdparty/",
        reauthentication_required(socialaccount_views.connections, app="allauth.account"),
        name="socialaccount_connections",
    ),
    # Not about signing in: no re-authentication.
    path("language/", views.account_language, name="account_language"),
]
