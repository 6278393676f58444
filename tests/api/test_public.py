"""The public, read-only API: what each endpoint lists, its filters, its cursor pages and its conditional answers."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from organisations.models import Organisation
from programmes.models import Mode, Need, Programme
from tests.factories import (
    ElectiveFactory,
    ElectiveNeedFactory,
    NeedFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    SiteFactory,
    skill,
    today,
)
from volunteers.models import Profession

pytestmark = pytest.mark.django_db

NEEDS = "/api/v1/needs/"


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_needs_lists_exactly_what_the_opportunities_page_lists(client):
    listed = NeedFactory(title="Embolisation faculty")
    NeedFactory(status=Need.Status.CLOSED)
    NeedFactory(programme=ProgrammeFactory(status=Programme.Status.DRAFT))
    NeedFactory(programme__lead_organisation__status=Organisation.Status.PENDING)
    NeedFactory(
        application_deadline=today() - datetime.timedelta(days=1), window_start=today() - datetime.timedelta(days=3)
    )

    response = client.get(NEEDS)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert ids(response) == [listed.pk]
    page = client.get("/opportunities/")
    assert "Embolisation faculty" in page.content.decode()


def test_a_need_shows_what_its_page_shows(client):
    partner = OrganisationFactory(name="Partner Society")
    need = NeedFactory(
        title="Drainage teaching",
        required_skills=["embolisation"],
        required_languages=["fr"],
        offers_travel=True,
        support_notes="A stipend.",
    )
    need.programme.partners.add(partner, OrganisationFactory(name="Unlisted", status=Organisation.Status.PENDING))

    data = client.get(f"{NEEDS}{need.pk}/").json()

    assert data["title"] == "Drainage teaching"
    assert data["host_site"] == {"name": need.host_site.name, "city": "Dar es Salaam", "country": "TZ"}
    assert data["required_skills"] == [{"slug": "embolisation", "name": need.required_skills.get().name}]
    assert data["required_languages"] == [{"code": "fr", "name": "French"}]
    assert data["support_offered"] == ["offers_accommodation", "offers_travel"]
    assert data["lead_organisation"]["slug"] == need.programme.lead_organisation.slug
    assert [organisation["name"] for organisation in data["partners"]] == ["Partner Society"]
    assert data["page_url"] == f"http://testserver/opportunities/{need.pk}/"
    assert data["is_elective"] is False


def test_an_elective_never_names_its_supervisor(client):
    need = ElectiveNeedFactory()
    elective = ElectiveFactory(need=need)

    body = client.get(f"{NEEDS}{need.pk}/").content.decode()

    assert '"is_elective":true' in body
    assert elective.supervisor.email not in body
    assert elective.supervisor.last_name not in body


def test_a_need_that_is_not_listed_is_a_404(client):
    draft = NeedFactory(programme=ProgrammeFactory(status=Programme.Status.DRAFT))
    closed = NeedFactory(status=Need.Status.CLOSED)

    assert client.get(f"{NEEDS}{draft.pk}/").status_code == 404
    assert client.get(f"{NEEDS}{closed.pk}/").status_code == 404
    assert client.get(f"{NEEDS}999999/").status_code == 404


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("q=lymphatic", "match"),
        ("kind=research", "match"),
        ("country=KE", "match"),
        ("region=ssa", "both"),
        ("mode=remote", "match"),
        ("profession=radiographer", "match"),
        ("skill=mri", "match"),
        ("language=pt", "match"),
        ("written_in=fr", "match"),
        ("available_from={late}", "match"),
        ("available_until={early}", "other"),
        ("duration_min=60", "match"),
        ("duration_max=20", "other"),
        ("elective=yes", "none"),
        ("organisation={organisation}", "match"),
    ],
)
def test_needs_are_filtered_by_each_of_the_pages_filters(client, query, wanted):
    lead = OrganisationFactory(name="Filtered Partners")
    match = RemoteNeedFactory(
        title="Lymphatic embolisation",
        programme=ProgrammeFactory(lead_organisation=lead, kind=Programme.Kind.RESEARCH, countries=["KE"]),
        profession=Profession.RADIOGRAPHER,
        required_languages=["pt"],
        content_language="fr",
        window_start=today() + datetime.timedelta(days=200),
        window_end=today() + datetime.timedelta(days=400),
        application_deadline=None,
        min_duration_days=90,
    )
    match.required_skills.set([])
    match.preferred_skills.add(skill("mri"))
    other = NeedFactory(title="Ultrasound teaching", min_duration_days=14, content_language="en")
    late = (today() + datetime.timedelta(days=150)).isoformat()
    early = (today() + datetime.timedelta(days=60)).isoformat()

    response = client.get(f"{NEEDS}?{query.format(late=late, early=early, organisation=lead.slug)}")

    assert response.status_code == 200, response.json()
    expected = {"match": [match.pk], "other": [other.pk], "both": [match.pk, other.pk], "none": []}[wanted]
    assert sorted(ids(response)) == sorted(expected)


def test_a_value_the_filters_refuse_is_a_400_with_the_pages_message(client):
    NeedFactory()

    response = client.get(f"{NEEDS}?country=FR&duration_min=abc")

    assert response.status_code == 400
    errors = response.json()
    assert errors["country"] == ["There are no open opportunities in this country at the moment."]
    assert "duration_min" in errors


def test_the_page_still_ignores_a_refused_filter_and_applies_the_others(client):
    need = NeedFactory(title="Kept by the page")

    response = client.get("/opportunities/?country=FR&mode=onsite")

    assert response.status_code == 200
    assert need.title in response.content.decode()


def test_needs_come_in_cursor_pages_newest_first_each_once(client):
    needs = NeedFactory.create_batch(5)
    for age, need in enumerate(needs):
        Need.objects.filter(pk=need.pk).update(created_at=timezone.now() - datetime.timedelta(hours=age))

    seen = []
    url = f"{NEEDS}?page_size=2"
    while url:
        data = client.get(url).json()
        seen += [row["id"] for row in data["results"]]
        url = data["next"]
        assert len(seen) <= 5

    assert seen == [need.pk for need in needs]
    assert "count" not in data


def test_a_page_of_needs_costs_the_same_queries_for_3_needs_as_for_30(client):
    NeedFactory.create_batch(3, required_skills=["embolisation"], required_languages=["fr"])
    client.get(NEEDS)  # the filter menus and the version's first sighting
    with CaptureQueriesContext(connection) as few:
        client.get(NEEDS)
    NeedFactory.create_batch(27, required_skills=["embolisation"], required_languages=["fr"])
    client.get(NEEDS)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(NEEDS).json()["results"]) == 20

    assert len(many) == len(few)
    # The version, the page, and one query per kind of related rows; the cache's own (a table on the embedded
    # default) aside.
    portal = [query for query in many.captured_queries if "globalir_cache" not in query["sql"]]
    assert len([query for query in portal if "SAVEPOINT" not in query["sql"]]) <= 6


def test_an_unchanged_list_answers_304_to_its_etag_and_a_new_need_changes_it(client):
    NeedFactory()
    first = client.get(NEEDS)
    etag = first["ETag"]

    again = client.get(NEEDS, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""

    NeedFactory()
    changed = client.get(NEEDS, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert len(changed.json()["results"]) == 2


def test_each_address_has_its_own_etag(client):
    NeedFactory()

    assert client.get(NEEDS)["ETag"] != client.get(f"{NEEDS}?mode=remote")["ETag"]


def test_if_modified_since_answers_304_until_something_changes(client):
    need = NeedFactory()
    first = client.get(NEEDS)
    last_modified = first["Last-Modified"]

    assert client.get(NEEDS, headers={"if-modified-since": last_modified}).status_code == 304
    assert client.get(NEEDS, headers={"if-modified-since": http_date(0)}).status_code == 200

    Need.objects.filter(pk=need.pk).update(title="Renamed")
    changed = client.get(NEEDS, headers={"if-modified-since": last_modified})
    assert changed.status_code == 200
    assert changed.json()["results"][0]["title"] == "Renamed"
    assert changed["Last-Modified"] != last_modified


@pytest.mark.parametrize("url", ["/api/v1/organisations/", "/api/v1/programmes/"])
def test_organisations_and_programmes_answer_304_to_their_etag(client, url):
    NeedFactory()
    etag = client.get(url)["ETag"]

    assert client.get(url, headers={"if-none-match": etag}).status_code == 304


def test_organisations_lists_the_directory_only(client):
    listed = OrganisationFactory(name="Listed Imaging", twitter="ListedIR", contact_email="office@listed.example")
    OrganisationFactory(name="Pending Imaging", status=Organisation.Status.PENDING)
    OrganisationFactory(name="Rejected Imaging", status=Organisation.Status.REJECTED, rejection_reason="No")

    data = client.get("/api/v1/organisations/").json()

    assert [row["name"] for row in data["results"]] == ["Listed Imaging"]
    row = data["results"][0]
    assert row["countries"] == ["KE", "TZ"]
    assert row["twitter"] == "ListedIR"
    assert "contact_email" not in row
    assert client.get(f"/api/v1/organisations/{listed.pk}/").json()["slug"] == listed.slug


def test_organisations_come_in_cursor_pages_by_name(client):
    for name in ("Charlie Imaging", "Alpha Imaging", "Bravo Imaging"):
        OrganisationFactory(name=name)

    first = client.get("/api/v1/organisations/?page_size=2").json()
    second = client.get(first["next"]).json()

    assert [row["name"] for row in first["results"]] == ["Alpha Imaging", "Bravo Imaging"]
    assert [row["name"] for row in second["results"]] == ["Charlie Imaging"]
    assert second["next"] is None


def test_programmes_lists_published_programmes_of_listed_organisations(client):
    published = ProgrammeFactory(title="Published programme")
    ProgrammeFactory(status=Programme.Status.DRAFT)
    ProgrammeFactory(lead_organisation__status=Organisation.Status.PENDING)

    data = client.get("/api/v1/programmes/").json()

    assert [row["id"] for row in data["results"]] == [published.pk]
    assert data["results"][0]["lead_organisation"]["slug"] == published.lead_organisation.slug
    draft = ProgrammeFactory(status=Programme.Status.DRAFT)
    assert client.get(f"/api/v1/programmes/{draft.pk}/").status_code == 404


def test_remote_needs_have_no_host_site(client):
    need = RemoteNeedFactory()

    data = client.get(f"{NEEDS}{need.pk}/").json()

    assert data["host_site"] is None
    assert data["mode"] == Mode.REMOTE


def test_the_api_refuses_verbs_it_does_not_take(client):
    need = NeedFactory()

    assert client.post(NEEDS, {}, content_type="application/json").status_code == 405
    assert client.patch(f"{NEEDS}{need.pk}/", {}, content_type="application/json").status_code == 405
    assert client.delete(f"{NEEDS}{need.pk}/").status_code == 405
    assert client.put(f"{NEEDS}{need.pk}/", {}, content_type="application/json").status_code == 405


def test_a_public_answer_may_be_cached_by_anyone(client):
    NeedFactory()
    SiteFactory()

    response = client.get(NEEDS)

    assert "no-store" not in response.get("Cache-Control", "")
