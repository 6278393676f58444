"""An organisation's token in the Authorization header: `Authorization: Bearer gir_…`."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .services import api_token_authenticate

SCHEMES = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Requests without the header are anonymous (the public endpoints serve them); a token that is unknown
    or revoked is a 401, never silently anonymous, so that its holder finds out."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in SCHEMES:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        token, usable = api_token_authenticate(raw=header[1])
        if not usable:
            # A revoked token's requests are recorded too (api.views.AuditedTokenUse): someone still holds it.
            request._request.api_refused_token = token
            raise exceptions.AuthenticationFailed(_("This API token is not valid: it is unknown or was revoked."))
        # The token acts for its organisation; the admin who created it is named in the needs' history.
        return token.created_by or AnonymousUser(), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
