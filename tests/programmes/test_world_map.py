"""The map of where help is asked for: /opportunities/map/ and the home page's panel."""

from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes import world_map
from programmes.models import Need
from tests.factories import NeedFactory, RemoteNeedFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
# What a page with the map may weigh (its HTML, before compression): the map is most of it.
PAGE_BUDGET_BYTES = 80_000
MAP_BUDGET_BYTES = 45_000


def svg_of(response) -> ElementTree.Element:
    content = response.content.decode()
    start, end = content.index("<svg"), content.index("</svg>") + len("</svg>")
    return ElementTree.fromstring(content[start:end])  # noqa: S314 - the test server's own output


def country_links(svg) -> dict[str, str]:
    """{title: href} of the countries that are links."""
    return {link.find(f"{SVG}title").text: link.get("href") for link in svg.iter(f"{SVG}a")}


def test_the_map_is_valid_svg_and_links_each_country_with_needs_to_its_opportunities(client):
    NeedFactory(host_site__country="TZ")
    NeedFactory(host_site__country="TZ")
    NeedFactory(host_site__country="KE", host_site__city="Nairobi")
    RemoteNeedFactory(programme__countries=["MZ", "KE"])
    NeedFactory(host_site__country="UG", host_site__city="Kampala", status=Need.Status.CLOSED)

    response = client.get(reverse("programmes:opportunity-map"))

    assert response.status_code == 200
    links = country_links(svg_of(response))
    assert links == {
        "Tanzania: 2 open needs": "/opportunities/?country=TZ",
        "Kenya: 2 open needs": "/opportunities/?country=KE",
        "Mozambique: 1 open need": "/opportunities/?country=MZ",
    }
    # The text alternative lists the same, most first.
    content = response.content.decode()
    assert content.index(">Kenya</a>") < content.index(">Tanzania</a>") < content.index(">Mozambique</a>")


def test_countries_are_shaded_by_their_number_of_needs():
    assert [world_map.map_class(count) for count in (0, 1, 2, 4, 5, 9, 10, 500)] == [0, 1, 2, 2, 3, 3, 4, 4]


def test_the_country_numbers_take_one_query_whatever_the_number_of_needs(django_assert_num_queries):
    for country in ("TZ", "KE", "MZ", "UG", "ZM"):
        NeedFactory(host_site__country=country, host_site__city=country)
    RemoteNeedFactory(programme__countries=["GH", "NG"])

    with django_assert_num_queries(1):
        counts, total = world_map.opportunity_country_counts()

    assert total == 6
    assert counts == {"TZ": 1, "KE": 1, "MZ": 1, "UG": 1, "ZM": 1, "GH": 1, "NG": 1}


def test_the_drawn_map_is_kept_until_the_listing_changes(client):
    NeedFactory(host_site__country="TZ")
    client.get(reverse("programmes:opportunity-map"))

    with CaptureQueriesContext(connection) as kept:
        client.get(reverse("programmes:opportunity-map"))
    NeedFactory(host_site__country="KE", host_site__city="Nairobi")
    response = client.get(reverse("programmes:opportunity-map"))

    assert len(kept) <= 2  # the listing's version (and the session, when there is one)
    assert "Kenya: 1 open need" in country_links(svg_of(response))


def test_the_map_and_its_pages_stay_within_the_page_weight_budget(client):
    for country in ("TZ", "KE", "MZ", "UG", "ZM", "BR", "IN", "PE", "VN", "NP"):
        NeedFactory(host_site__country=country, host_site__city=country)

    for url in (reverse("programmes:opportunity-map"), reverse("home")):
        response = client.get(url)
        content = response.content.decode()
        assert len(response.content) <= PAGE_BUDGET_BYTES, (url, len(response.content))
        svg = content[content.index("<svg") : content.index("</svg>")]
        assert len(svg.encode()) <= MAP_BUDGET_BYTES
    assert world_map.SHAPES.stat().st_size <= MAP_BUDGET_BYTES


def test_the_map_scales_to_any_width_and_needs_no_script(client):
    response = client.get(reverse("programmes:opportunity-map"))

    svg = svg_of(response)
    assert svg.get("viewBox") and not svg.get("width") and not svg.get("height")
    assert b"<script" not in response.content


def test_the_home_page_shows_the_map_panel(client):
    NeedFactory(host_site__country="TZ")

    response = client.get(reverse("home"))

    assert b'class="map-panel"' in response.content
    assert country_links(svg_of(response)) == {"Tanzania: 1 open need": "/opportunities/?country=TZ"}
    assert reverse("programmes:opportunity-map").encode() in response.content


def test_every_country_shape_has_a_known_code_and_a_path():
    shapes = world_map.country_shapes()

    assert len(shapes["countries"]) > 150
    assert {"TZ", "KE", "BR", "IN", "US", "FJ", "RU"} <= set(shapes["countries"])
    for code, path in shapes["countries"].items():
        assert len(code) == 2 and code.isupper()
        assert path.startswith("M") and path.endswith("z")


def test_the_map_says_so_when_there_is_no_open_need(client):
    response = client.get(reverse("programmes:opportunity-map"))

    assert country_links(svg_of(response)) == {}
    assert b"There are no open needs at the moment." in response.content
