"""A NUL character anywhere in an address is a bad request (400, our page), never a server error.

PostgreSQL refuses a NUL character in a query's text, so a NUL that reached a lookup (a calendar token,
a filter, an admin object id) was a 500 there while SQLite answered. The test walks every URL of the
permission matrix, each asked for by a role that reaches its view: a NUL in every query parameter any
page reads (the fuzz tests' parameters, every FilterSet's, and every ``request.GET`` the portal's code
reads), in a parameter's name, and in every segment of the path. Then every other URL pattern (allauth's
key links, the admin's object pages) with a NUL where it takes a value. Run it on PostgreSQL as well as
SQLite: only there does a NUL that slips through fail.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import get_resolver
from django_filters import FilterSet

from organisations.filters import OrganisationFilter
from programmes.filters import OpportunityFilter
from tests import test_permission_matrix as matrix
from tests.fuzz_strategies import urlencode
from tests.test_fuzz_query_strings import ADMIN_PARAMS, DIRECTORY_PARAMS, OPPORTUNITY_PARAMS
from tests.test_permission_matrix import LOGIN, NOT_OURS, ONBOARDING, ROLES, ROWS, Row, _patterns

pytestmark = pytest.mark.django_db

# The matrix's world (every role and object, built once for the module) and its client.
world = matrix.world
matrix_client = matrix.matrix_client

ROOT = Path(settings.BASE_DIR)
OUR_APPS = ("globalir", "notifications", "organisations", "volunteers", "programmes", "placements", "matcher", "demo")
NUL = "a\x00b"
ENCODED_NUL = "a%00b"


def parameters_read_by_the_portal() -> list[str]:
    """Every query parameter a page of ours reads: by name in the code, through a FilterSet, or fuzzed."""
    names = {"next"}  # allauth's and our own redirect target
    names |= set(OPPORTUNITY_PARAMS) | set(DIRECTORY_PARAMS) | set(ADMIN_PARAMS)
    filtersets: list[type[FilterSet]] = [OpportunityFilter, OrganisationFilter]
    for filterset in filtersets:
        names |= set(filterset.base_filters)
    read = re.compile(r"request\.GET(?:\.get\(|\[)\s*[\"'](\w+)[\"']")
    for app in OUR_APPS:
        for path in (ROOT / app).rglob("*.py"):
            names |= set(read.findall(path.read_text()))
    return sorted(names)


PARAMETERS = parameters_read_by_the_portal()


def reaching_role(row: Row) -> tuple[str, int]:
    """The verb the row's view takes and the first role whose request reaches the view (not the login
    page, not a 404 for an outsider)."""
    verb, outcomes = ("get", row.get) if row.get else ("post", row.post)
    for index, outcome in enumerate(outcomes):
        if outcome not in (LOGIN, ONBOARDING, 403, 404, 405):
            return verb, index
    return verb, 0  # a wrong-token row: nobody reaches more than its 404


def send(client, world, row: Row, verb: str, role_index: int, address: str):
    client.cookies.clear()
    role = ROLES[role_index]
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    payload = row.data(world) if callable(row.data) else (row.data or {})
    with transaction.atomic():
        if row.prepare:
            row.prepare(world)
        response = client.post(address, payload) if verb == "post" else client.get(address)
        transaction.set_rollback(True)
    return response


def is_bad_request_page(response) -> bool:
    return response.status_code == 400 and "400.html" in [template.name for template in response.templates]


def with_nul_in_each_segment(path: str) -> list[str]:
    segments = path.split("/")
    addresses = []
    for index, segment in enumerate(segments):
        if segment:
            addresses.append("/".join([*segments[:index], segment[:1] + "%00" + segment[1:], *segments[index + 1 :]]))
    return addresses


@pytest.mark.parametrize("row", [pytest.param(row, id=row.id) for row in ROWS])
def test_a_nul_in_any_parameter_or_path_segment_is_a_bad_request(world, matrix_client, row):
    verb, role_index = reaching_role(row)
    address = row.url(world)
    path, _, query = address.partition("?")
    own = [tuple(pair.split("=", 1)) for pair in query.split("&") if pair]
    # Sanity: without a NUL, the role's request reaches the view as the matrix says.
    plain = send(matrix_client, world, row, verb, role_index, address)
    assert plain.status_code < 500

    attempts = []
    for name in PARAMETERS:
        attempts.append(f"{path}?{urlencode([*own, (name, NUL)])}")
    for index, (name, value) in enumerate(own):
        # The row's own parameters (the calendar feed's token) with a NUL inside the real value.
        changed = [*own[:index], (name, value[:3] + "\x00" + value[3:]), *own[index + 1 :]]
        attempts.append(f"{path}?{urlencode(changed)}")
    attempts.append(f"{path}?{urlencode([*own, (NUL, '1')])}")
    attempts += [f"{changed}?{query}" if query else changed for changed in with_nul_in_each_segment(path)]

    wrong = []
    for attempt in attempts:
        response = send(matrix_client, world, row, verb, role_index, attempt)
        if not is_bad_request_page(response):
            wrong.append(f"{verb.upper()} {attempt} as {ROLES[role_index]}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def sample_address(route: str) -> str:
    """An address for a URL pattern with a NUL in the place of each value it takes (path converters and
    regular expression groups), or in its last segment when it takes none."""
    address = re.sub(r"<(?:\w+:)?\w+>|\((?:\?P<\w+>)?[^)]*\)", ENCODED_NUL, route).replace("^", "").replace("$", "")
    if ENCODED_NUL not in address:
        address = address.rstrip("/") + "%00/"
    return "/" + address


OTHER_ADDRESSES = sorted(
    {sample_address(route) for route, _name in _patterns(get_resolver()) if route.startswith(NOT_OURS)}
)


def test_a_nul_in_the_values_of_third_party_urls_is_a_bad_request(world, matrix_client):
    # allauth's key links and the admin's object pages are among them.
    assert f"/accounts/confirm-email/{ENCODED_NUL}/" in OTHER_ADDRESSES
    assert f"/admin/programmes/need/{ENCODED_NUL}/change/" in OTHER_ADDRESSES
    wrong = []
    for role in ("anonymous", "site_admin"):
        matrix_client.cookies.clear()
        if role != "anonymous":
            matrix_client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        for address in OTHER_ADDRESSES:
            with transaction.atomic():
                response = matrix_client.get(address)
                transaction.set_rollback(True)
            if not is_bad_request_page(response):
                wrong.append(f"GET {address} as {role}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_calendar_token_with_a_nul_is_a_bad_request(client, volunteer):
    response = client.get("/me/calendar.ics?token=abc%00def")

    assert is_bad_request_page(response)
    assert client.get(f"/me/calendar.ics?token={volunteer.calendar_token}").status_code == 200


def test_a_session_cookie_with_a_nul_is_no_session(client):
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijklmnop"

    response = client.get("/")

    assert response.status_code == 200
