"""The API's part of a person's export and erasure (globalir.privacy): the tokens they created or revoked.
The tokens belong to the organisation and stay; only the link to the person goes."""

from typing import Any

from globalir.accounts.models import User

from .models import ApiToken


def export(user: User) -> dict[str, Any]:
    tokens = ApiToken.objects.filter(created_by=user).select_related("organisation").order_by("created_at")
    return {
        "api_tokens_created": [
            {
                "organisation": token.organisation.name,
                "name": token.name,
                "created_at": token.created_at,
                "revoked_at": token.revoked_at,
            }
            for token in tokens
        ],
    }


def erase(user: User) -> None:
    ApiToken.objects.filter(created_by=user).update(created_by=None)
    ApiToken.objects.filter(revoked_by=user).update(revoked_by=None)
