from functools import wraps

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.orcid import views as allauth_orcid
from django.conf import settings
from django.http import Http404


class OrcidOAuth2Adapter(allauth_orcid.OrcidOAuth2Adapter):
    # The public API: a sign-in reads only what the person made public on their record.
    member_api = False

    @property
    def authorize_url(self) -> str:
        return f"{settings.ORCID_BASE_URL}/oauth/authorize"

    @property
    def access_token_url(self) -> str:
        return f"{settings.ORCID_API_URL}/oauth/token"

    @property
    def profile_url(self) -> str:
        return f"{settings.ORCID_API_URL}/v3.0/%s/record"


def orcid_configured(request) -> bool:
    try:
        get_adapter(request).get_app(request, provider=OrcidOAuth2Adapter.provider_id)
    except SocialApp.DoesNotExist:
        return False
    return True


def _only_when_configured(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not orcid_configured(request):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


oauth2_login = _only_when_configured(OAuth2LoginView.adapter_view(OrcidOAuth2Adapter))
oauth2_callback = _only_when_configured(OAuth2CallbackView.adapter_view(OrcidOAuth2Adapter))
