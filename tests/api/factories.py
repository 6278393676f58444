"""Tokens for the API tests, made by the service an organisation admin's page calls."""

from api.services import api_token_create
from organisations.models import Membership
from tests.factories import MembershipFactory


def token_for(organisation, *, name: str = "Partner website", by=None) -> str:
    """A new token of `organisation` (created by one of its admins); returns the token itself."""
    if by is None:
        by = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    _token, raw = api_token_create(organisation=organisation, name=name, by=by)
    return raw


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
