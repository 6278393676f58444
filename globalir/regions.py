"""World regions (after the World Bank's grouping) and the country → region map.

Volunteers state preferred regions; needs are found by country or region.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    SUB_SAHARAN_AFRICA = "ssa", _("Sub-Saharan Africa")
    MIDDLE_EAST_NORTH_AFRICA = "mena", _("Middle East and North Africa")
    SOUTH_ASIA = "sa", _("South Asia")
    EAST_ASIA_PACIFIC = "eap", _("East Asia and Pacific")
    LATIN_AMERICA_CARIBBEAN = "lac", _("Latin America and the Caribbean")
    EUROPE_CENTRAL_ASIA = "eca", _("Europe and Central Asia")
    NORTH_AMERICA = "na", _("North America")


_COUNTRIES_BY_REGION = {
    Region.SUB_SAHARAN_AFRICA: (
        "AO BF BI BJ BW CD CF CG CI CM CV DJ ER ET GA GH GM GN GQ GW KE KM LR LS MG ML MR MU MW MZ NA "
        "NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TZ UG YT ZA ZM ZW"
    ),
    Region.MIDDLE_EAST_NORTH_AFRICA: "AE BH DZ EG EH IL IQ IR JO KW LB LY MA MT OM PS QA SA SY TN YE",
    Region.SOUTH_ASIA: "AF BD BT IN LK MV NP PK",
    Region.EAST_ASIA_PACIFIC: (
        "AS AU BN CK CN FJ FM GU HK ID JP KH KI KP KR LA MH MM MN MO MP MY NC NF NR NU NZ PF PG PH PN PW "
        "SB SG TH TK TL TO TV TW VN VU WF"
    ),
    Region.LATIN_AMERICA_CARIBBEAN: (
        "AG AI AR AW BB BL BM BO BQ BR BS BZ CL CO CR CU CW DM DO EC FK GD GF GP GT GY HN HT JM KN KY LC "
        "MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI"
    ),
    Region.EUROPE_CENTRAL_ASIA: (
        "AD AL AM AT AX AZ BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GE GG GI GL GR HR HU IE IM IS IT "
        "JE KG KZ LI LT LU LV MC MD ME MK NL NO PL PT RO RS RU SE SI SJ SK SM TJ TM TR UA UZ VA XK"
    ),
    Region.NORTH_AMERICA: "CA PM US",
}

COUNTRY_REGION: dict[str, str] = {
    code: str(region.value) for region, codes in _COUNTRIES_BY_REGION.items() for code in codes.split()
}


def region_of(country_code: str) -> str | None:
    """The region code of an ISO 3166-1 alpha-2 country code, or None when unknown."""
    return COUNTRY_REGION.get((country_code or "").upper())


def countries_in(region: str) -> list[str]:
    return sorted(code for code, code_region in COUNTRY_REGION.items() if code_region == region)
