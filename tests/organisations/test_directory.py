"""The public organisation directory, each organisation's page, and the home page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Organisation
from programmes.models import Need, Programme
from tests.factories import NeedFactory, OrganisationFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

PENDING = Organisation.Status.PENDING
ARCHIVED = Organisation.Status.ARCHIVED
DIRECTORY = reverse("organisations:organisation-list")


def directory(client, **params):
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    return response


def listed_names(response) -> list[str]:
    return [organisation.name for organisation in response.context["organisations"]]


# Listing and visibility


def test_directory_lists_verified_organisations_and_hides_pending_and_archived(client):
    OrganisationFactory(name="Verified Vascular Aid")
    OrganisationFactory(name="Pending Imaging Start-up", status=PENDING)
    OrganisationFactory(name="Archived Radiology Mission", status=ARCHIVED)

    page = directory(client).content.decode()

    assert "Verified Vascular Aid" in page
    assert "Pending Imaging Start-up" not in page
    assert "Archived Radiology Mission" not in page


def test_directory_card_shows_acronym_kind_and_countries_by_name(client):
    OrganisationFactory(
        name="Road to IR",
        acronym="R2IR",
        kind=Organisation.Kind.NETWORK,
        headquarters_country="US",
        countries=["TZ", "RW"],
    )

    page = directory(client).content.decode()

    assert "Road to IR (R2IR)" in page
    assert "Network or consortium" in page
    assert "based in United States of America" in page
    assert "Rwanda, Tanzania" in page


def test_verified_organisation_has_a_public_page(client):
    organisation = OrganisationFactory(name="Road to IR", acronym="R2IR")

    response = client.get(organisation.get_absolute_url())

    assert response.status_code == 200
    assert "<h1>Road to IR" in response.content.decode()


@pytest.mark.parametrize("status", [PENDING, ARCHIVED])
def test_pending_and_archived_organisations_have_no_public_page(client, status):
    organisation = OrganisationFactory(name="Hidden Imaging Group", status=status)

    assert client.get(organisation.get_absolute_url()).status_code == 404


def test_featured_organisations_come_first_then_by_name(client):
    OrganisationFactory(name="Alpha Imaging")
    OrganisationFactory(name="Zulu Radiology Trust", featured=True)
    OrganisationFactory(name="Bravo Sonography")
    OrganisationFactory(name="Mike IR Society", featured=True)

    response = directory(client)

    assert listed_names(response) == ["Mike IR Society", "Zulu Radiology Trust", "Alpha Imaging", "Bravo Sonography"]
    assert "Featured" in response.content.decode()


# Filters


def test_directory_filters_by_kind(client):
    OrganisationFactory(name="Society of Imaging", kind=Organisation.Kind.SOCIETY)
    OrganisationFactory(name="Imaging Charity", kind=Organisation.Kind.NGO)

    response = directory(client, kind="society")

    assert listed_names(response) == ["Society of Imaging"]


def test_country_filter_matches_headquarters_and_countries_of_work(client):
    OrganisationFactory(name="Based in Tanzania", headquarters_country="TZ", countries=["KE"])
    OrganisationFactory(name="Works in Tanzania", headquarters_country="GB", countries=["KE", "TZ", "UG"])
    OrganisationFactory(name="Works in Kenya only", headquarters_country="GB", countries=["KE"])

    response = directory(client, country="TZ")

    assert listed_names(response) == ["Based in Tanzania", "Works in Tanzania"]


def test_country_filter_matches_whole_codes_only(client):
    # "NE" (Niger) must not match the "NE" inside "KE,NG".
    OrganisationFactory(name="Works in Niger", headquarters_country="FR", countries=["NE"])
    OrganisationFactory(name="Works in Kenya and Nigeria", headquarters_country="GB", countries=["KE", "NG"])

    response = directory(client, country="NE")

    assert listed_names(response) == ["Works in Niger"]


@pytest.mark.parametrize("keywords", ["embolisation", "EMBOLISATION", "r2ir", "Road", "road ir"])
def test_keyword_search_looks_at_name_acronym_and_description(client, keywords):
    OrganisationFactory(name="Road to IR", acronym="R2IR", description="Teaches embolisation to fellows.")
    OrganisationFactory(name="Ultrasound for All", acronym="U4A", description="Point-of-care ultrasound.")

    response = directory(client, q=keywords)

    assert listed_names(response) == ["Road to IR"]


def test_filters_combine(client):
    OrganisationFactory(name="Tanzanian Society", kind=Organisation.Kind.SOCIETY, headquarters_country="TZ")
    OrganisationFactory(name="Tanzanian Charity", kind=Organisation.Kind.NGO, headquarters_country="TZ")
    OrganisationFactory(name="Kenyan Society", kind=Organisation.Kind.SOCIETY, headquarters_country="KE", countries=[])

    response = directory(client, kind="society", country="TZ", q="tanzanian")

    assert listed_names(response) == ["Tanzanian Society"]


def test_filter_form_keeps_the_chosen_values(client):
    OrganisationFactory(name="Tanzanian Society", kind=Organisation.Kind.SOCIETY, headquarters_country="TZ")

    page = directory(client, kind="society", country="TZ", q="tanzanian").content.decode()

    assert 'value="tanzanian"' in page
    assert '<option value="society" selected>' in page
    assert '<option value="TZ" selected>' in page


def test_country_choices_list_only_countries_of_listed_organisations_by_name(client):
    OrganisationFactory(name="Listed", headquarters_country="GB", countries=["TZ", "KE"])
    OrganisationFactory(name="Pending", headquarters_country="PE", countries=["BO"], status=PENDING)
    OrganisationFactory(name="Archived", headquarters_country="NP", countries=["BT"], status=ARCHIVED)

    response = directory(client)

    choices = response.context["filter"].form.fields["country"].choices
    assert [name for code, name in choices if code] == ["Kenya", "Tanzania", "United Kingdom"]
    page = response.content.decode()
    for hidden in ("Peru", "Bolivia", "Nepal", "Bhutan"):
        assert hidden not in page


def test_every_filter_field_has_a_label(client):
    page = directory(client).content.decode()

    for field_id in ("id_q", "id_kind", "id_country"):
        assert re.search(rf'<label for="{field_id}"[^>]*>', page)
        assert f'id="{field_id}"' in page


def test_directory_works_without_javascript(client):
    OrganisationFactory()

    page = directory(client).content.decode()

    assert "<script" not in page
    assert re.search(r'<form method="get" action="/organisations/"', page)
    assert 'type="submit"' in page


def test_headings_go_in_order(client):
    OrganisationFactory()

    page = directory(client).content.decode()

    levels = [int(level) for level in re.findall(r"<h([1-6])", page)]
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


# Pagination


def test_directory_is_paginated_with_a_result_count(client, settings):
    assert settings.DIRECTORY_PAGE_SIZE == 24
    OrganisationFactory.create_batch(30)

    first = directory(client)
    second = directory(client, page=2)

    assert len(first.context["organisations"]) == 24
    assert "Showing 1–24 of 30 organisations" in first.content.decode()
    assert len(second.context["organisations"]) == 6
    assert "Showing 25–30 of 30 organisations" in second.content.decode()


def test_page_links_keep_the_filters_in_the_query_string(client):
    OrganisationFactory.create_batch(30, headquarters_country="TZ", kind=Organisation.Kind.SOCIETY)
    OrganisationFactory(name="Elsewhere", headquarters_country="PE", countries=["BO"])

    response = directory(client, kind="society", country="TZ", q="imaging")

    page = response.content.decode()
    assert "Showing 1–24 of 30 organisations" in page
    assert 'href="?kind=society&amp;country=TZ&amp;q=imaging&amp;page=2"' in page
    second = directory(client, kind="society", country="TZ", q="imaging", page=2).content.decode()
    assert 'href="?kind=society&amp;country=TZ&amp;q=imaging&amp;page=1"' in second


def test_current_page_is_marked_for_assistive_technology(client):
    OrganisationFactory.create_batch(30)

    page = directory(client, page=2).content.decode()

    assert re.search(r'<a href="\?page=2" aria-current="page"', page)
    assert page.count('aria-current="page"') == 1


def test_small_result_sets_have_no_page_links(client):
    OrganisationFactory.create_batch(3)

    page = directory(client).content.decode()

    assert "3 organisations" in page
    assert 'aria-current="page"' not in page


# Empty states and bad query strings


def test_empty_state_says_what_to_change_and_offers_to_clear_filters(client):
    OrganisationFactory(name="Road to IR", kind=Organisation.Kind.NETWORK)

    page = directory(client, q="cardiology").content.decode()

    assert "No organisation matches these filters." in page
    assert "All kinds" in page
    assert f'<a href="{DIRECTORY}">Clear filters and see every organisation</a>' in page


def test_empty_directory_says_nothing_is_listed_yet(client):
    OrganisationFactory(status=PENDING)

    page = directory(client).content.decode()

    assert "No organisations are listed yet." in page
    assert "Clear filters" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "spaceship"},
        {"country": "ZZ"},
        {"country": "tz<script>"},
        {"country": "(^|"},
        {"q": "x" * 500},
        {"q": "%' OR 1=1 --"},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "0"},
        {"page": "9999"},
        {"page": "1e9"},
        {"kind": "ngo", "page": ""},
    ],
    ids=lambda params: "-".join(f"{key}={value[:12]}" for key, value in params.items()),
)
def test_bad_query_strings_never_break_the_page(client, params):
    OrganisationFactory.create_batch(30)

    response = client.get(DIRECTORY, params)

    assert response.status_code == 200
    assert "organisations" in response.content.decode()


def test_unknown_kind_shows_an_error_on_the_field(client):
    OrganisationFactory()

    response = directory(client, kind="spaceship")

    assert "Select a valid choice. spaceship is not one of the available choices." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_a_country_known_only_from_a_pending_organisation_cannot_be_searched(client):
    OrganisationFactory(name="Listed", headquarters_country="GB", countries=["TZ"])
    OrganisationFactory(name="Pending in Peru", headquarters_country="PE", countries=[], status=PENDING)

    response = directory(client, country="PE")

    assert "Pending in Peru" not in response.content.decode()
    assert "country" in response.context["filter"].errors


def test_page_beyond_the_end_shows_the_last_page(client):
    OrganisationFactory.create_batch(30)

    response = directory(client, page=9999)

    assert response.context["page_obj"].number == 2
    assert len(response.context["organisations"]) == 6


def test_page_that_is_not_a_number_shows_the_first_page(client):
    OrganisationFactory.create_batch(30)

    response = directory(client, page="abc")

    assert response.context["page_obj"].number == 1


# Organisation page


def test_organisation_page_shows_its_details(client):
    organisation = OrganisationFactory(
        name="Road to IR",
        acronym="R2IR",
        kind=Organisation.Kind.NETWORK,
        description="A global network for interventional radiology.",
        website="https://www.roadtoir.org",
        contact_email="hello@roadtoir.org",
        twitter="Road2IR",
        instagram="road2ir",
        facebook="Road to IR",
        headquarters_country="US",
        countries=["TZ", "NG"],
    )

    page = client.get(organisation.get_absolute_url()).content.decode()

    assert "(R2IR)" in page
    assert "Network or consortium" in page
    assert "A global network for interventional radiology." in page
    assert '<a href="https://www.roadtoir.org"' in page
    assert '<a href="mailto:hello@roadtoir.org">' in page
    assert '<a href="https://x.com/Road2IR" rel="noopener">@Road2IR</a>' in page
    assert '<a href="https://www.instagram.com/road2ir/" rel="noopener">@road2ir</a>' in page
    # A page's display name is shown, not guessed into a broken link.
    assert "<dd>Road to IR</dd>" in page
    assert "United States of America" in page
    assert "Nigeria, Tanzania" in page


def test_organisation_page_lists_only_verified_partners(client):
    organisation = OrganisationFactory(name="Road to IR")
    verified = OrganisationFactory(name="Verified Partner Society")
    pending = OrganisationFactory(name="Pending Partner Clinic", status=PENDING)
    archived = OrganisationFactory(name="Archived Partner Trust", status=ARCHIVED)
    organisation.partners.add(verified, pending, archived)

    page = client.get(organisation.get_absolute_url()).content.decode()

    assert f'<a href="{verified.get_absolute_url()}">Verified Partner Society</a>' in page
    assert "Pending Partner Clinic" not in page
    assert "Archived Partner Trust" not in page


def test_organisation_page_says_when_it_has_no_partners_or_programmes(client):
    organisation = OrganisationFactory()

    page = client.get(organisation.get_absolute_url()).content.decode()

    assert "No partner organisations are listed yet." in page
    assert "This organisation has no published programmes yet." in page


def test_organisation_page_lists_published_programmes_it_leads_or_partners_in(client):
    organisation = OrganisationFactory(name="Road to IR")
    other = OrganisationFactory(name="Imaging Lead Charity")
    ProgrammeFactory(
        title="Embolisation Fellowship",
        lead_organisation=organisation,
        kind=Programme.Kind.TRAINING,
        countries=["TZ", "KE"],
    )
    partnered = ProgrammeFactory(
        title="Tele-reporting Network", lead_organisation=other, kind=Programme.Kind.TELERADIOLOGY, countries=["NG"]
    )
    partnered.partners.add(organisation)
    ProgrammeFactory(title="Draft Plan", lead_organisation=organisation, status=Programme.Status.DRAFT)
    ProgrammeFactory(title="Closed Course", lead_organisation=organisation, status=Programme.Status.CLOSED)
    ProgrammeFactory(title="Unrelated Programme", lead_organisation=other)

    response = client.get(organisation.get_absolute_url())

    page = response.content.decode()
    assert [programme.title for programme in response.context["programmes"]] == [
        "Embolisation Fellowship",
        "Tele-reporting Network",
    ]
    assert "Training / fellowship" in page
    assert "Kenya, Tanzania" in page
    assert "Tele-radiology reporting" in page
    assert f'led by <a href="{other.get_absolute_url()}">Imaging Lead Charity</a>' in page
    assert "Draft Plan" not in page
    assert "Closed Course" not in page
    assert "Unrelated Programme" not in page


def test_programme_shows_how_many_listed_open_needs_it_has(client):
    organisation = OrganisationFactory()
    busy = ProgrammeFactory(title="Busy Programme", lead_organisation=organisation)
    NeedFactory.create_batch(3, programme=busy)
    NeedFactory(programme=busy, status=Need.Status.FILLED)
    NeedFactory(programme=busy, status=Need.Status.CLOSED)
    ProgrammeFactory(title="Quiet Programme", lead_organisation=organisation)

    response = client.get(organisation.get_absolute_url())

    counts = {programme.title: programme.open_need_count for programme in response.context["programmes"]}
    assert counts == {"Busy Programme": 3, "Quiet Programme": 0}
    page = response.content.decode()
    assert "3 open needs" in page
    assert "No open needs at the moment" in page


def test_programme_led_by_an_unverified_organisation_is_not_shown(client):
    organisation = OrganisationFactory()
    pending_lead = OrganisationFactory(name="Pending Lead Hospital", status=PENDING)
    programme = ProgrammeFactory(title="Programme With Pending Lead", lead_organisation=pending_lead)
    programme.partners.add(organisation)

    page = client.get(organisation.get_absolute_url()).content.decode()

    assert "Programme With Pending Lead" not in page
    assert "Pending Lead Hospital" not in page


# Query counts


def data_queries(captured) -> list[str]:
    """The queries that read the portal's data: on the embedded default the shared cache is a table too, written
    in a savepoint."""
    return [
        query["sql"] for query in captured if "globalir_cache" not in query["sql"] and "SAVEPOINT" not in query["sql"]
    ]


def test_directory_query_count_does_not_grow_with_organisations(client):
    for number in range(30):
        OrganisationFactory(name=f"Organisation {number:02d}", featured=number % 5 == 0, countries=["TZ", "KE", "UG"])

    # The data version the page is kept under (globalir.shared_pages), country choices, the count, and one page
    # of organisations.
    with CaptureQueriesContext(connection) as queries:
        response = directory(client, kind="ngo", country="TZ", q="organisation")
    assert len(data_queries(queries)) <= 4

    assert len(response.context["organisations"]) == 24


def test_organisation_page_query_count_does_not_grow_with_partners_and_programmes(
    client, django_assert_max_num_queries
):
    organisation = OrganisationFactory(name="Hub Organisation")
    partners = [OrganisationFactory(name=f"Partner {number:02d}") for number in range(30)]
    organisation.partners.add(*partners)
    for number in range(15):
        led = ProgrammeFactory(title=f"Led Programme {number:02d}", lead_organisation=organisation)
        NeedFactory.create_batch(2, programme=led)
        partnered = ProgrammeFactory(title=f"Partnered Programme {number:02d}", lead_organisation=partners[number])
        partnered.partners.add(organisation, partners[number + 1])
        NeedFactory(programme=partnered)

    # The organisation, its partners, its programmes with their need counts.
    with django_assert_max_num_queries(3):
        response = client.get(organisation.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["partners"]) == 30
    programmes = list(response.context["programmes"])
    assert len(programmes) == 30
    assert {programme.open_need_count for programme in programmes} == {1, 2}


def test_home_page_query_count_is_bounded(client):
    OrganisationFactory.create_batch(10, featured=True)

    # The data version the page is kept under (globalir.shared_pages), the featured organisations, the
    # directory's count, and the map of open needs: the listing's version, and the countries' numbers when this
    # process has not drawn the map for that version yet (programmes.world_map). Then, kept: the version.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert len(data_queries(queries)) <= 5
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert len(data_queries(queries)) == 1


# Home page


def test_home_page_shows_featured_verified_organisations_and_the_listed_count(client):
    OrganisationFactory(name="Featured Imaging Society", featured=True)
    OrganisationFactory(name="Plain Imaging Charity")
    OrganisationFactory(name="Pending Imaging Group", status=PENDING)

    response = client.get(reverse("home"))

    page = response.content.decode()
    assert "Featured organisations" in page
    assert "Featured Imaging Society" in page
    assert "Plain Imaging Charity" not in page
    assert "Pending Imaging Group" not in page
    assert "2 verified organisations are listed in the directory." in page
    # The existing invitation is still there.
    assert "Sign up to volunteer" in page


def test_home_page_shows_at_most_six_featured_organisations(client):
    for number in range(8):
        OrganisationFactory(name=f"Featured Organisation {number}", featured=True)

    response = client.get(reverse("home"))

    assert len(response.context["featured_organisations"]) == 6


def test_home_page_without_featured_organisations_has_no_empty_section(client):
    OrganisationFactory(name="Plain Imaging Charity")

    page = client.get(reverse("home")).content.decode()

    assert "Featured organisations" not in page
    assert "1 verified organisation is listed in the directory." in page
