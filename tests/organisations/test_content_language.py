"""An organisation's description is shown as written, marked with the language its authors said it is in."""

import pytest
from django.urls import reverse

from organisations.models import Organisation
from tests.factories import OrganisationFactory
from tests.organisations.test_onboarding import REQUEST, request_data

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("organisations:organisation-list")


@pytest.fixture
def requester_client(client, plain_user):
    client.force_login(plain_user)
    return client


def test_requester_says_which_language_the_description_is_written_in(
    requester_client, site_admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = requester_client.post(
            REQUEST, request_data(description="Forme des manipulateurs.", content_language="fr")
        )

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Lake Zone Imaging Trust")
    assert organisation.content_language == "fr"
    # The site admins read it quoted as written, marked as French.
    html = mailoutbox[0].alternatives[0][0]
    assert '<p style="color: #5a6775;" lang="fr" dir="ltr">Forme des manipulateurs.</p>' in html


def test_a_new_request_starts_in_the_requester_s_language(requester_client, plain_user):
    plain_user.language = "fr"
    plain_user.save()

    form = requester_client.get(REQUEST).context["form"]

    assert form["content_language"].value() == "fr"


def test_a_description_without_a_language_is_accepted(requester_client, site_admin):
    requester_client.post(REQUEST, request_data())

    assert Organisation.objects.get(name="Lake Zone Imaging Trust").content_language == ""


def test_a_language_the_portal_does_not_offer_is_refused(requester_client):
    response = requester_client.post(REQUEST, request_data(content_language="de"))

    assert response.status_code == 200
    assert response.context["form"].errors["content_language"]
    assert not Organisation.objects.filter(name="Lake Zone Imaging Trust").exists()


def test_directory_and_organisation_page_mark_the_description_s_language(client):
    OrganisationFactory(name="Imagerie Sans Frontières", description="Forme des radiologues.", content_language="fr")
    OrganisationFactory(name="Unsaid Imaging", description="Teaches ultrasound.")

    directory = client.get(DIRECTORY).content.decode()
    page = client.get(reverse("organisations:organisation-detail", args=["imagerie-sans-frontieres"])).content.decode()

    assert '<p lang="fr" dir="ltr">Forme des radiologues.</p>' in directory
    assert "<p>Teaches ultrasound.</p>" in directory
    assert '<div class="lead" lang="fr" dir="ltr"><p>Forme des radiologues.</p></div>' in page


def test_the_description_is_never_translated(client):
    OrganisationFactory(name="Imagerie Sans Frontières", description="Brings imaging to places that have none.")

    page = client.get(DIRECTORY, headers={"Accept-Language": "fr"}).content.decode()

    assert "Brings imaging to places that have none." in page
    assert '<html lang="fr"' in page


def test_site_admins_set_the_language_in_the_admin(client, site_admin):
    organisation = OrganisationFactory()
    client.force_login(site_admin)

    page = client.get(reverse("admin:organisations_organisation_change", args=[organisation.pk])).content.decode()

    assert 'name="content_language"' in page
