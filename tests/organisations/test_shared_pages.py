"""The home page and the directory, kept whole for anonymous visitors (globalir.shared_pages): served without
reading the organisations, fresh on the next request after any change, never shared with a signed-in visitor."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Organisation
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")
DIRECTORY = reverse("organisations:organisation-list")


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


@pytest.mark.parametrize("url", [HOME, DIRECTORY])
def test_an_anonymous_visitor_is_served_the_page_another_rendered_without_reading_the_organisations(url):
    OrganisationFactory(name="Kilimanjaro Imaging Trust", featured=True)
    first = page(Client(), url)

    with CaptureQueriesContext(connection) as queries:
        second = page(Client(), url)

    assert "Kilimanjaro Imaging Trust" in second
    assert not [query for query in queries if "organisations_organisation" in query["sql"]]
    assert re.sub(r'value="[^"]+"', "", first) == re.sub(r'value="[^"]+"', "", second)


@pytest.mark.parametrize("url", [HOME, DIRECTORY])
def test_each_anonymous_visitor_gets_their_own_csrf_token(url):
    first, second = Client(), Client()
    page(first, url)

    tokens = csrf_tokens(page(second, url))

    assert len(tokens) == 1
    assert tokens != csrf_tokens(page(first, url))
    assert "placeholder" not in page(second, url)


@pytest.mark.parametrize("url", [HOME, DIRECTORY])
def test_a_change_to_an_organisation_shows_on_the_next_request(client, url):
    organisation = OrganisationFactory(name="Kilimanjaro Imaging Trust", featured=True)
    assert "Kilimanjaro Imaging Trust" in page(client, url)

    Organisation.objects.filter(pk=organisation.pk).update(name="Moshi Imaging Trust")
    assert "Moshi Imaging Trust" in page(client, url)

    OrganisationFactory(name="Arusha Radiology Network", featured=True)
    assert "Arusha Radiology Network" in page(client, url)

    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.ARCHIVED, featured=False)
    assert "Moshi Imaging Trust" not in page(client, url)


def test_each_filtered_directory_is_kept_apart(client):
    OrganisationFactory(name="Tanzanian Society", kind=Organisation.Kind.SOCIETY)
    OrganisationFactory(name="Kenyan Charity", kind=Organisation.Kind.NGO)

    societies = page(client, DIRECTORY, kind="society")
    charities = page(client, DIRECTORY, kind="ngo")

    assert "Tanzanian Society" in societies and "Kenyan Charity" not in societies
    assert "Kenyan Charity" in charities and "Tanzanian Society" not in charities
    assert '<option value="ngo" selected>' in charities


def test_a_signed_in_visitor_sees_their_own_page_and_it_is_not_shared(client):
    OrganisationFactory(name="Kilimanjaro Imaging Trust")
    client.force_login(UserFactory())
    signed_in = page(client, DIRECTORY)
    assert "Your requests" in signed_in

    assert "Your requests" not in page(Client(), DIRECTORY)
    assert "Your requests" in page(client, DIRECTORY)


def test_the_directory_menus_follow_a_new_country_and_keep_each_visitors_choice(client):
    """The filter fields are kept rendered per value shown (globalir.templatetags.field_groups), also for
    signed-in visitors, whose pages are rendered each time."""
    OrganisationFactory(name="Tanzanian Society", headquarters_country="TZ", countries=[])
    client.force_login(UserFactory())
    assert "Peru" not in page(client, DIRECTORY)

    OrganisationFactory(name="Andean Imaging", headquarters_country="PE", countries=[])
    assert '<option value="PE">Peru</option>' in page(client, DIRECTORY)
    assert '<option value="PE" selected>Peru</option>' in page(client, DIRECTORY, country="PE")
    assert '<option value="TZ" selected>Tanzania</option>' in page(client, DIRECTORY, country="TZ")
    assert '<option value="PE">Peru</option>' in page(client, DIRECTORY, country="TZ")
