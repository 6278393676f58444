"""Error pages speak to the visitor in the portal's own words and keep the navigation."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_portals_not_found_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "We could not find that page" in content
    assert 'href="/opportunities/"' in content


def test_a_server_error_gets_a_page_that_needs_no_database(settings):
    from django.urls import path

    def broken(request):
        raise RuntimeError("boom")

    urlconf = type("urlconf", (), {"urlpatterns": [path("broken/", broken)]})
    settings.ROOT_URLCONF = urlconf
    response = Client(raise_request_exception=False).get("/broken/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
