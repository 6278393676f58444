from allauth.socialaccount.providers.orcid import provider as allauth_orcid

from .views import OrcidOAuth2Adapter


class OrcidProvider(allauth_orcid.OrcidProvider):
    name = "ORCID"
    oauth2_adapter_class = OrcidOAuth2Adapter
