"""The map of where help is asked for (/opportunities/map/ and the home page's panel).

A world map drawn on the server as SVG from Natural Earth's country shapes (programmes/mapdata, built by
programmes/mapdata/build.py): each country shaded by its number of open needs, in a few classes with a legend,
and each country with needs a link to /opportunities/?country=XX. No JavaScript, one viewBox that scales to the
width of a phone. Drawn once per listing data version, date and language (programmes.listing_cache) and kept in
this process's memory, so a page with the map costs the one query that reads the version.

Host sites and organisations have no coordinates in the portal, so the map shades countries and draws no dots.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.cache import caches
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_countries import countries

from .listing_cache import opportunity_listing_version
from .selectors import need_listed_queryset

SHAPES = Path(__file__).with_name("mapdata") / "countries.json"
# Shading classes, by number of open needs: (lowest, highest or None). Each has its colour in site.css
# (.map-class-1 … .map-class-4), dark enough against the next one and the paper for 3:1.
CLASSES = ((1, 1), (2, 4), (5, 9), (10, None))
# Drawings of old data versions leave this process's memory after this long.
MAP_SECONDS = 3600


@cache
def country_shapes() -> dict:
    """The committed shapes, read once per process."""
    return json.loads(SHAPES.read_text())


def opportunity_country_counts() -> tuple[dict[str, int], int]:
    """({country code: number of needs anyone may browse there}, how many needs in all), in one query. A need
    counts for its host site's country, a remote need for each of its programme's countries (as
    /opportunities/?country= finds them), so the total may be less than the sum."""
    rows = (
        need_listed_queryset()
        .order_by()
        .values("host_site__country", "programme__countries")
        .annotate(needs=Count("pk"))
        .values_list("host_site__country", "programme__countries", "needs")
    )
    counts: dict[str, int] = {}
    total = 0
    for host_country, programme_countries, needs in rows:
        total += needs
        # values_list() gives a multiple CountryField in its stored form, "KE,TZ".
        codes = [host_country] if host_country else [code for code in (programme_countries or "").split(",") if code]
        for code in codes:
            counts[code] = counts.get(code, 0) + needs
    return counts, total


def map_class(count: int) -> int:
    """The shading class of a country with `count` open needs: 0 for none, then 1 to len(CLASSES)."""
    for index, (lowest, highest) in enumerate(CLASSES, start=1):
        if count >= lowest and (highest is None or count <= highest):
            return index
    return 0


def legend_label(lowest: int, highest: int | None) -> str:
    if highest is None:
        return ngettext("%(count)s open need or more", "%(count)s open needs or more", lowest) % {"count": lowest}
    if lowest == highest:
        return ngettext("%(count)s open need", "%(count)s open needs", lowest) % {"count": lowest}
    return _("%(lowest)s to %(highest)s open needs") % {"lowest": lowest, "highest": highest}


@dataclass(frozen=True)
class CountryNeeds:
    code: str
    name: str
    count: int
    url: str
    css_class: str


@dataclass(frozen=True)
class OpportunityMap:
    svg: SafeString
    countries: list[CountryNeeds]  # with open needs, most first: the map's text alternative
    legend: list[tuple[str, str]]  # (css class, label)
    total: int  # open needs in all (a remote need counts once)


def draw_map(counts: dict[str, int], total: int) -> OpportunityMap:
    """The map for `counts` (opportunity_country_counts), in the current language."""
    shapes = country_shapes()
    list_url = reverse("programmes:opportunity-list")
    with_needs = []
    for code, count in counts.items():
        name = countries.name(code)
        if count and name:
            with_needs.append(
                CountryNeeds(
                    code=code,
                    name=str(name),
                    count=count,
                    url=f"{list_url}?{urlencode({'country': code})}",
                    css_class=f"map-class-{map_class(count)}",
                )
            )
    with_needs.sort(key=lambda country: (-country.count, country.name))
    by_code = {country.code: country for country in with_needs}

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="world-map" viewBox="{}" role="group" '
            'aria-labelledby="world-map-title"><title id="world-map-title">{}</title>',
            " ".join(str(number) for number in shapes["view_box"]),
            _("World map of the countries with open needs"),
        ),
        format_html('<path class="map-land" d="{}"/>', shapes["other_land"]),
    ]
    for code, path in shapes["countries"].items():
        country = by_code.get(code)
        if country is None:
            parts.append(format_html('<path class="map-land" d="{}"/>', path))
            continue
        label = ngettext("%(country)s: %(count)s open need", "%(country)s: %(count)s open needs", country.count) % {
            "country": country.name,
            "count": country.count,
        }
        parts.append(
            format_html(
                '<a href="{}"><title>{}</title><path class="{}" d="{}"/></a>',
                country.url,
                label,
                country.css_class,
                path,
            )
        )
    parts.append("</svg>")
    legend = [(f"map-class-{index}", legend_label(*bounds)) for index, bounds in enumerate(CLASSES, start=1)]
    # Every part was built by format_html, which escapes the values; the paths are the committed data.
    svg = mark_safe("".join(str(part) for part in parts))  # noqa: S308  # nosec B308 B703
    return OpportunityMap(svg=svg, countries=with_needs, legend=legend, total=total)


def opportunity_map(*, version: int | None = None) -> OpportunityMap:
    """The map as it stands, kept in this process under the listing's data version, the date (needs leave the
    map when their deadline passes) and the language: one query (the version) when kept, two when drawn."""
    if version is None:
        version = opportunity_listing_version()
    key = f"opportunity-map:{version}:{timezone.localdate().isoformat()}:{get_language()}"
    return caches["local"].get_or_set(key, lambda: draw_map(*opportunity_country_counts()), MAP_SECONDS)
