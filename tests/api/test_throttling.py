"""Rate limits per client: anonymous clients by IP address, token holders by token; the limit's answer is a 429."""

import pytest

from tests.api.factories import bearer, token_for
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anonymous": "3/min", "token": "2/min"},
    }


def test_an_anonymous_client_gets_429_past_its_limit_and_another_address_does_not(client, low_limits):
    for _ in range(3):
        assert client.get("/api/v1/needs/").status_code == 200

    refused = client.get("/api/v1/organisations/")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Request was throttled" in refused.json()["detail"]
    assert client.get("/api/v1/needs/", REMOTE_ADDR="203.0.113.9").status_code == 200


def test_a_token_is_limited_per_token_not_per_address(client, low_limits):
    first, second = token_for(OrganisationFactory()), token_for(OrganisationFactory())
    for address in ("198.51.100.1", "198.51.100.2"):
        assert client.get("/api/v1/needs/", REMOTE_ADDR=address, **bearer(first)).status_code == 200

    assert client.get("/api/v1/needs/", REMOTE_ADDR="198.51.100.3", **bearer(first)).status_code == 429
    assert client.get("/api/v1/coordinate/needs/", **bearer(first)).status_code == 429
    assert client.get("/api/v1/needs/", **bearer(second)).status_code == 200
    # The token's requests did not count against the address.
    for _ in range(3):
        assert client.get("/api/v1/needs/", REMOTE_ADDR="198.51.100.1").status_code == 200
