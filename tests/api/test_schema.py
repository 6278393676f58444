"""The OpenAPI schema is valid, served as JSON, and documented by a page whose assets are served here."""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_3():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)  # raises on an invalid schema

    paths = set(schema["paths"])
    assert {
        "/api/v1/organisations/",
        "/api/v1/organisations/{id}/",
        "/api/v1/programmes/",
        "/api/v1/programmes/{id}/",
        "/api/v1/needs/",
        "/api/v1/needs/{id}/",
        "/api/v1/coordinate/needs/",
        "/api/v1/coordinate/needs/{id}/",
        "/api/v1/coordinate/needs/{id}/close/",
    } == paths
    parameters = {parameter["name"] for parameter in schema["paths"]["/api/v1/needs/"]["get"]["parameters"]}
    assert {
        "q",
        "country",
        "profession",
        "skill",
        "available_from",
        "duration_max",
        "cursor",
        "page_size",
    } <= parameters
    assert "sort" not in parameters
    assert schema["components"]["securitySchemes"]["organisationToken"]["scheme"] == "bearer"


def test_the_schema_is_served_as_json(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_the_docs_page_loads_its_assets_from_this_site_under_the_sites_csp(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "<style" not in body
    assert "https://" not in body
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_reading_the_schema_leaves_the_filters_of_the_api_and_the_page_working(client):
    from tests.factories import NeedFactory, OrganisationFactory, ProgrammeFactory

    lead = OrganisationFactory(name="Schema Readers")
    NeedFactory(programme=ProgrammeFactory(lead_organisation=lead, countries=["KE"]), host_site__country="KE")
    SchemaGenerator().get_schema(request=None, public=True)

    api = client.get(f"/api/v1/needs/?country=KE&organisation={lead.slug}&skill=mri&language=pt")
    page = client.get(f"/opportunities/?country=KE&organisation={lead.slug}")

    assert api.status_code == 200, api.json()
    assert api.json()["results"] == []  # no need asks for MRI in Portuguese: valid filters, nothing found
    assert client.get(f"/api/v1/needs/?country=KE&organisation={lead.slug}").json()["results"] != []
    assert page.status_code == 200
    assert "no open opportunities in this country" not in page.content.decode()
