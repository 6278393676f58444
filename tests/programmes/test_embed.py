"""/embed/<organisation-slug>/: an organisation's open needs for partners' iframes, and its framing policy."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Organisation, parse_embed_origins
from programmes.models import Need
from tests.factories import NeedFactory, OrganisationFactory, ProgrammeFactory
from tests.test_security_headers import assert_security_headers, csp_directives

pytestmark = pytest.mark.django_db


def embed(client, organisation, **extra):
    return client.get(reverse("programmes:embed", args=[organisation.slug]), secure=True, **extra)


def test_the_listing_shows_the_organisations_open_needs_with_links_opening_the_portal(client, organisation):
    led = NeedFactory(title="Embolisation faculty", programme__lead_organisation=organisation)
    partnered = NeedFactory(title="Ultrasound teaching")
    partnered.programme.partners.add(organisation)
    NeedFactory(title="Someone else's need")
    NeedFactory(title="Filled already", programme=led.programme, status=Need.Status.FILLED)

    response = embed(client, organisation)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Embolisation faculty" in content and "Ultrasound teaching" in content
    assert "Someone else" not in content and "Filled already" not in content
    assert f'href="http://testserver{led.get_absolute_url()}"' not in content  # links go to SITE_URL
    assert f'{led.get_absolute_url()}" target="_blank" rel="noopener"' in content
    # Self-contained: no script, no inline style, one stylesheet of the portal.
    assert "<script" not in content and "style=" not in content and "<style" not in content
    assert content.count('rel="stylesheet"') == 1


def test_the_listing_says_so_when_there_is_no_open_need(client, organisation):
    response = embed(client, organisation)

    assert response.status_code == 200
    assert b"There are no open needs at the moment." in response.content


@pytest.mark.parametrize(
    "status", [Organisation.Status.PENDING, Organisation.Status.REJECTED, Organisation.Status.ARCHIVED]
)
def test_an_organisation_not_in_the_directory_has_no_listing(client, status):
    hidden = OrganisationFactory(status=status, rejection_reason="Not an imaging organisation.")

    assert embed(client, hidden).status_code == 404


def test_an_unknown_organisation_is_a_404(client):
    assert client.get(reverse("programmes:embed", args=["no-such-organisation"])).status_code == 404


def test_the_listing_may_be_framed_by_the_sites_the_organisation_named_only(client, organisation):
    organisation.embed_origins = "https://www.partner.example\nhttps://radiology.example:8443"
    organisation.save()

    response = embed(client, organisation)

    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == {"'self'", "https://www.partner.example", "https://radiology.example:8443"}
    assert "X-Frame-Options" not in response.headers
    # The rest of the policy is the portal's.
    assert csp["script-src"] == {"'self'"} and csp["style-src"] == {"'self'"}


def test_without_named_sites_only_the_portal_may_frame_the_listing(client, organisation):
    response = embed(client, organisation)

    assert csp_directives(response.headers["Content-Security-Policy"])["frame-ancestors"] == {"'self'"}


def test_each_organisation_gets_its_own_framing_policy(client, organisation, other_organisation):
    organisation.embed_origins = "https://one.example"
    organisation.save()
    other_organisation.embed_origins = "https://two.example"
    other_organisation.save()

    first = csp_directives(embed(client, organisation).headers["Content-Security-Policy"])
    second = csp_directives(embed(client, other_organisation).headers["Content-Security-Policy"])

    assert first["frame-ancestors"] == {"'self'", "https://one.example"}
    assert second["frame-ancestors"] == {"'self'", "https://two.example"}


def test_every_other_page_still_forbids_framing(client, organisation):
    organisation.embed_origins = "https://www.partner.example"
    organisation.save()
    need = NeedFactory(programme__lead_organisation=organisation)
    embed(client, organisation)

    for url in (
        reverse("home"),
        reverse("programmes:opportunity-list"),
        reverse("programmes:opportunity-map"),
        need.get_absolute_url(),
        organisation.get_absolute_url(),
    ):
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_the_listing_is_in_the_language_asked_for(client, organisation):
    NeedFactory(programme__lead_organisation=organisation, application_deadline=None)

    response = embed(client, organisation, data={"lang": "fr"})

    assert b'<html lang="fr">' in response.content
    assert b"Open until filled" not in response.content


def test_a_new_need_shows_in_the_listing_at_once(client, organisation):
    embed(client, organisation)
    NeedFactory(title="Just posted", programme=ProgrammeFactory(lead_organisation=organisation))

    assert b"Just posted" in embed(client, organisation).content


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://www.Partner.example/", ["https://www.partner.example"]),
        (
            "https://a.example, https://b.example:8443\n\nhttps://a.example",
            ["https://a.example", "https://b.example:8443"],
        ),
        ("https://a.example:443", ["https://a.example"]),
        ("", []),
    ],
)
def test_the_named_sites_are_kept_as_origins(typed, stored):
    assert parse_embed_origins(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "http://partner.example",
        "https://partner.example/page",
        "https://partner.example?x=1",
        "partner.example",
        "https://*",
        "https://localhost",
        "https://user@partner.example",
        "https://partner.example; script-src *",
        "'unsafe-inline'",
        "javascript:alert(1)",
    ],
)
def test_anything_but_an_https_origin_is_refused(typed):
    with pytest.raises(ValidationError):
        parse_embed_origins(typed)


def test_at_most_ten_sites(organisation):
    with pytest.raises(ValidationError):
        parse_embed_origins("\n".join(f"https://site{n}.example" for n in range(11)))


# The organisation admin's page: the websites and the snippet


def settings_url(organisation):
    return reverse("organisations:embed-settings", args=[organisation.slug])


def test_the_organisation_admin_names_the_sites_and_gets_the_snippet(client, organisation, organisation_admin):
    client.force_login(organisation_admin)

    response = client.post(
        settings_url(organisation), {"embed_origins": "https://www.partner.example/\nhttps://own.example"}
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.embed_origins == "https://www.partner.example\nhttps://own.example"
    page = client.get(settings_url(organisation)).content.decode()
    assert f'&lt;iframe src="{settings.SITE_URL}/embed/{organisation.slug}/"' in page
    assert "https://www.partner.example" in page
    headers = csp_directives(embed(client, organisation).headers["Content-Security-Policy"])
    assert "https://own.example" in headers["frame-ancestors"]


def test_a_wrong_site_is_explained_and_nothing_is_saved(client, organisation, organisation_admin):
    organisation.embed_origins = "https://kept.example"
    organisation.save()
    client.force_login(organisation_admin)

    response = client.post(settings_url(organisation), {"embed_origins": "https://ok.example\nhttp://plain.example"})

    assert response.status_code == 400
    assert b"http://plain.example" in response.content
    organisation.refresh_from_db()
    assert organisation.embed_origins == "https://kept.example"


def test_a_coordinator_cannot_change_the_sites(client, organisation, coordinator):
    client.force_login(coordinator)

    response = client.post(settings_url(organisation), {"embed_origins": "https://evil.example"})

    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.embed_origins == ""


def test_the_members_page_leads_to_the_embedding_page(client, organisation, organisation_admin):
    client.force_login(organisation_admin)

    response = client.get(reverse("organisations:member-list", args=[organisation.slug]))

    assert settings_url(organisation).encode() in response.content


def test_the_listing_takes_the_same_few_queries_whatever_the_number_of_needs(client, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    NeedFactory(programme=programme)
    with CaptureQueriesContext(connection) as few:
        embed(client, organisation)
    for _ in range(5):
        NeedFactory(programme=programme)
    with CaptureQueriesContext(connection) as many:
        embed(client, organisation)

    # Besides the cache's own (a table, with its savepoints, on the embedded default): the organisation, its
    # partners, the listing's version and the needs.
    def ours(context) -> list[str]:
        sql = [query["sql"] for query in context.captured_queries]
        return [text for text in sql if text.startswith("SELECT") and "globalir_cache" not in text]

    assert len(ours(many)) == len(ours(few)) <= 4


def test_a_need_without_a_deadline_reads_open_until_filled(client, organisation):
    NeedFactory(programme__lead_organisation=organisation, application_deadline=None)

    page = embed(client, organisation).content.decode()

    assert "Open until filled" in page
    assert "Apply by Open until filled" not in page
