"""The Atom feed of open needs: /opportunities/feed/ with the query string of /opportunities/."""

import datetime
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import translation

from programmes.models import Need, Programme
from tests.factories import NeedFactory, RemoteNeedFactory, VolunteerProfileFactory, today

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client, query: str = "", **headers):
    response = client.get(reverse("programmes:opportunity-feed") + (f"?{query}" if query else ""), **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response, ElementTree.fromstring(response.content)  # noqa: S314 - the test server's own output


def entry_titles(root) -> list[str]:
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def test_the_feed_is_valid_atom_with_an_entry_per_open_need(client):
    need = NeedFactory(title="Embolisation faculty, Moshi", host_site__country="TZ", host_site__city="Moshi")

    _response, root = feed(client)

    assert root.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{element}") is not None
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Embolisation faculty, Moshi"
    assert entry.find(f"{ATOM}link").get("href").endswith(need.get_absolute_url())
    assert entry.find(f"{ATOM}updated").text.startswith(str(need.updated_at.year))
    summary = entry.find(f"{ATOM}summary").text
    assert need.programme.title in summary and "Moshi" in summary and "Tanzania" in summary
    assert entry.find(f"{ATOM}author/{ATOM}name").text == str(need.programme.lead_organisation)


def test_the_feed_honours_the_filters_of_the_list(client):
    NeedFactory(title="On site in Tanzania", host_site__country="TZ")
    NeedFactory(title="On site in Kenya", host_site__country="KE", host_site__city="Nairobi")
    RemoteNeedFactory(title="Remote reporting for Kenya", programme__countries=["KE"])

    _response, kenya = feed(client, "country=KE")
    _response, remote = feed(client, "country=KE&mode=remote")

    assert sorted(entry_titles(kenya)) == ["On site in Kenya", "Remote reporting for Kenya"]
    assert entry_titles(remote) == ["Remote reporting for Kenya"]
    assert kenya.find(f"{ATOM}link[@rel='alternate']").get("href").endswith("/opportunities/?country=KE")


def test_a_rejected_filter_value_is_ignored_rather_than_failing(client):
    NeedFactory(title="Still listed")

    _response, root = feed(client, "country=ZZ&available_from=abc&page=99")

    assert entry_titles(root) == ["Still listed"]


def test_only_listed_open_needs_are_in_the_feed(client):
    NeedFactory(title="Open")
    NeedFactory(title="Filled", status=Need.Status.FILLED)
    NeedFactory(title="Draft programme", programme__status=Programme.Status.DRAFT)
    NeedFactory(title="Unverified organisation", programme__lead_organisation__status="pending")
    NeedFactory(
        title="Deadline passed",
        application_deadline=today() - datetime.timedelta(days=1),
        window_start=today() - datetime.timedelta(days=10),
    )

    _response, root = feed(client)

    assert entry_titles(root) == ["Open"]


def test_the_feed_shows_nothing_personal(client, volunteer):
    VolunteerProfileFactory(user__email="someone.private@example.org", user__first_name="Private")
    NeedFactory()

    response, _root = feed(client)

    assert b"@example.org" not in response.content
    assert volunteer.user.email.encode() not in response.content


def test_the_feed_is_in_the_readers_language(client):
    RemoteNeedFactory()

    _response, root = feed(client, HTTP_ACCEPT_LANGUAGE="fr")

    with translation.override("fr"):
        assert root.find(f"{ATOM}title").text == translation.gettext("GlobalIR: volunteer opportunities")
    assert "Remote" not in root.find(f"{ATOM}entry/{ATOM}summary").text


@pytest.mark.parametrize("language, where", [("en", "Where: "), ("fr", "Lieu\u00a0: "), ("es", "Dónde: ")])
def test_each_label_of_a_summary_is_punctuated_as_its_language_writes_it(client, language, where):
    RemoteNeedFactory()

    _response, root = feed(client, HTTP_ACCEPT_LANGUAGE=language)

    assert where in root.find(f"{ATOM}entry/{ATOM}summary").text


def test_the_feed_follows_a_new_need_at_once(client):
    NeedFactory(title="First")
    feed(client)
    NeedFactory(title="Second")

    _response, root = feed(client)

    assert sorted(entry_titles(root)) == ["First", "Second"]


def test_the_opportunity_list_points_to_the_feed_of_its_filters(client):
    NeedFactory(host_site__country="TZ")

    response = client.get(reverse("programmes:opportunity-list"), {"country": "TZ", "page": "1"})

    assert (
        b'<link rel="alternate" type="application/atom+xml"' in response.content
        and b'href="/opportunities/feed/?country=TZ"' in response.content
    )


def test_the_opportunity_list_links_to_the_map_and_the_feed(client):
    response = client.get(reverse("programmes:opportunity-list"), {"mode": "remote"})

    assert b'href="/opportunities/map/"' in response.content
    assert b'href="/opportunities/feed/?mode=remote"' in response.content
