"""The API's part of a person's export and erasure: the tokens they created; the tokens stay with the organisation."""

import pytest

from api import privacy
from api.models import ApiToken
from tests.api.factories import token_for

pytestmark = pytest.mark.django_db


def test_the_export_lists_the_tokens_a_person_created_and_never_the_token(organisation, organisation_admin):
    raw = token_for(organisation, name="Our website", by=organisation_admin)

    exported = privacy.export(organisation_admin)

    assert [(row["organisation"], row["name"]) for row in exported["api_tokens_created"]] == [
        (organisation.name, "Our website")
    ]
    assert raw not in str(exported)
    assert ApiToken.objects.get().token_hash not in str(exported)


def test_erasure_unlinks_the_person_and_keeps_the_organisations_token(organisation, organisation_admin, client):
    raw = token_for(organisation, by=organisation_admin)
    ApiToken.objects.update(revoked_by=organisation_admin)
    ApiToken.objects.update(revoked_at=None)

    privacy.erase(organisation_admin)

    token = ApiToken.objects.get()
    assert (token.created_by, token.revoked_by) == (None, None)
    assert client.get("/api/v1/coordinate/needs/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
