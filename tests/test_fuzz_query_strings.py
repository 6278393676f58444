"""The query strings of the list pages, fuzzed: never a server error, and one rule for bad values.

The rule, for the portal's own pages: a bad filter value is reported next to its filter and ignored,
a page number that is not one shows the first page and one past the end the last (the list pages all
answer 200); an id in the address that names nothing the user may see is our 404 page. The Django
admin keeps its own rule: an unknown filter or page redirects to the list with ``?e=1``, a forbidden
``_to_field`` is a 400. On every page a NUL character in the query string is a 400, before any view
(tests/test_nul_characters.py).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from globalir.regions import Region
from matcher import rounds
from programmes.models import Mode, Programme
from tests.factories import (
    ApplicationFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    SiteFactory,
    VolunteerProfileFactory,
    today,
)
from tests.fuzz_strategies import (
    EXAMPLES_RUN,
    HOSTILE_STRINGS,
    client_for,
    fuzz_settings,
    hostile_text,
    report_examples_run,
    rolled_back,
    urlencode,
)
from volunteers.models import Profession

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def examples_run_report(request):
    """Print how many examples ran: the figure the issue's closing note asks for."""
    yield
    report_examples_run(request.config, prefix="query:", title="fuzzed query strings")


PAGE_VALUES = ["1", "2", "0", "-1", "abc", "1.5", "99999999999", "9" * 5000, " 2 ", "٣", "1_0", "", "\x00", "last"]
DATE_VALUES = [today().isoformat(), "2026-02-30", "99999-01-01", "0000-00-00", "2026-13-01", "31/12/2026", "\x00"]


def query_strategy(params: dict[str, list[str]]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Query strings built from the page's own parameters (plausible values and hostile ones), repeated
    parameters, and parameters the page does not know."""
    known = sorted(params)

    def value_for(name: str) -> st.SearchStrategy[str]:
        return st.one_of(st.sampled_from(params.get(name) or ["1"]), hostile_text)

    pair = st.one_of(
        st.sampled_from(known).flatmap(lambda name: value_for(name).map(lambda value: (name, value))),
        st.tuples(st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=12)), hostile_text),
    )
    return st.lists(pair, max_size=8)


def fuzz_get(name: str, client, url: str, pairs, *, allowed=(200,), **headers):
    if any("\x00" in key + value for key, value in pairs):
        allowed = (400,)  # a NUL in the address is refused before any view sees it (globalir.middleware)
    with rolled_back():
        response = client.get(f"{url}?{urlencode(pairs)}", headers=headers)
        assert response.status_code < 500
        assert response.status_code in allowed, f"{response.status_code} for {pairs!r}"
        if response.status_code in (400, 403, 404):
            # Our own error page, not a bare one.
            assert f"{response.status_code}.html" in [template.name for template in response.templates]
    EXAMPLES_RUN[f"query:{name}"] += 1
    return response


# /opportunities/, for a visitor and for a volunteer (who may sort by fit), whole page and htmx results


OPPORTUNITY_PARAMS = {
    "q": ["embolisation", "embolisation tanzania", "ultra sound", "x" * 101],
    "organisation": ["road-to-ir-test-partners", "other-imaging-charity", "nobody"],
    "kind": [*Programme.Kind.values, "nope"],
    "country": ["TZ", "KE", "GB", "XX", "tz"],
    "region": [*Region.values, "atlantis"],
    "mode": [*Mode.values, "teleport"],
    "profession": [*Profession.values, "wizard"],
    "skill": ["embolisation", "drainage", "no-such-skill"],
    "language": ["en", "fr", "xx", "1"],
    "available_from": DATE_VALUES,
    "available_until": DATE_VALUES,
    "duration_min": ["1", "14", "730", "731", "0", "-5", "abc"],
    "duration_max": ["1", "14", "730", "99999", "abc"],
    "sort": ["deadline", "newest", "fit", "random", ""],
    "page": PAGE_VALUES,
}


@pytest.fixture
def listed_needs(organisation, other_organisation):
    programme = ProgrammeFactory(lead_organisation=organisation, countries=["TZ", "KE"])
    for number in range(3):
        NeedFactory(programme=programme, title=f"Embolisation faculty {number}", required_skills=["embolisation"])
    NeedFactory(
        programme=ProgrammeFactory(lead_organisation=other_organisation),
        mode=Mode.REMOTE,
        host_site=None,
        hours_per_week=3,
    )


@fuzz_settings(25)
@given(pairs=query_strategy(OPPORTUNITY_PARAMS), htmx=st.booleans(), signed_in=st.booleans())
@example(pairs=[("page", "-1")], htmx=False, signed_in=False)
@example(pairs=[("page", "abc"), ("page", "99999999999")], htmx=True, signed_in=True)
@example(pairs=[("q", "\x00"), ("country", "\x00"), ("available_from", "2026-02-30")], htmx=False, signed_in=True)
@example(pairs=[("sort", "fit")], htmx=False, signed_in=False)
def test_opportunity_filters_survive_generated_query_strings(listed_needs, volunteer, pairs, htmx, signed_in):
    headers = {"HX-Request": "true"} if htmx else {}
    client = client_for(volunteer.user if signed_in else None)
    fuzz_get("opportunities", client, reverse("programmes:opportunity-list"), pairs, **headers)


@fuzz_settings(15)
@given(pairs=query_strategy(OPPORTUNITY_PARAMS), signed_in=st.booleans())
@example(pairs=[("sort", "fit"), ("page", "-1"), ("available_from", "2026-02-30")], signed_in=False)
def test_the_feed_of_opportunities_survives_generated_query_strings(listed_needs, volunteer, pairs, signed_in):
    client = client_for(volunteer.user if signed_in else None)
    fuzz_get("opportunity-feed", client, reverse("programmes:opportunity-feed"), pairs)


def test_a_page_past_the_end_shows_the_last_page_and_says_so(listed_needs, client):
    response = client.get(reverse("programmes:opportunity-list"), {"page": "999"})

    assert response.status_code == 200
    assert "There is no page 999" in response.content.decode()


# The organisation directory


DIRECTORY_PARAMS = {
    "q": ["road", "road ir", "x" * 101],
    "kind": ["ngo", "society", "nope"],
    "country": ["TZ", "GB", "XX"],
    "page": PAGE_VALUES,
}


@fuzz_settings(12)
@given(pairs=query_strategy(DIRECTORY_PARAMS))
@example(pairs=[("country", "\x00"), ("q", "\x00")])
@example(pairs=[("country", "TZ|(.*"), ("page", "-1")])
def test_directory_filters_survive_generated_query_strings(organisation, other_organisation, client, pairs):
    fuzz_get("directory", client, reverse("organisations:organisation-list"), pairs)


# The coordinator's workspace: lists with pages, reports, the round's page, copying a need


@pytest.fixture
def workspace(organisation, other_organisation, coordinator, volunteer):
    site = SiteFactory(organisation=organisation)
    programme = ProgrammeFactory(lead_organisation=organisation)
    need = NeedFactory(programme=programme, host_site=site)
    ApplicationFactory(need=need, volunteer=VolunteerProfileFactory())
    their_need = NeedFactory(programme=ProgrammeFactory(lead_organisation=other_organisation))
    match_round = rounds.match_round_open(
        programme=programme, ranking_deadline=timezone.now() + datetime.timedelta(days=7), by=coordinator
    )
    return {
        "organisation": organisation,
        "programme": programme,
        "need": need,
        "their_need": their_need,
        "round": match_round,
    }


def workspace_pages(world) -> list[tuple[str, str, dict, tuple]]:
    organisation, programme = world["organisation"], world["programme"]
    page = {"page": PAGE_VALUES}
    return [
        ("workspace", reverse("programmes:workspace"), page, (200,)),
        ("sites", reverse("programmes:site-list", args=[organisation.slug]), page, (200,)),
        ("programme", reverse("programmes:programme-detail", args=[programme.pk]), page, (200,)),
        ("programme feedback", reverse("placements:programme-feedback", args=[programme.pk]), page, (200,)),
        ("programme report", reverse("placements:programme-report", args=[programme.pk]), page, (200,)),
        ("organisation report", reverse("placements:organisation-report", args=[organisation.slug]), page, (200,)),
        ("round", reverse("matcher:round-detail", args=[world["round"].pk]), page, (200,)),
        ("pipeline", reverse("placements:pipeline", args=[world["need"].pk]), page, (200,)),
        (
            "need copy",
            reverse("programmes:need-create", args=[programme.pk]),
            {"copy": [str(world["need"].pk), str(world["their_need"].pk), "0", "-1", "abc", "9" * 30]},
            (200, 404),
        ),
        ("members", reverse("organisations:member-list", args=[organisation.slug]), page, (200,)),
    ]


@fuzz_settings(25)
@given(data=st.data())
def test_workspace_lists_survive_generated_query_strings(workspace, organisation_admin, data):
    pages = workspace_pages(workspace)
    name, url, params, allowed = data.draw(st.sampled_from(pages), label="page")
    pairs = data.draw(query_strategy(params), label="query")
    fuzz_get(name, client_for(organisation_admin), url, pairs, allowed=allowed)


# A volunteer's and a signed-in person's own lists


@pytest.fixture
def own_lists(volunteer):
    PlacementFactory(application__volunteer=volunteer, application__need=NeedFactory())


@fuzz_settings(15)
@given(data=st.data())
def test_own_lists_survive_generated_query_strings(own_lists, volunteer, data):
    pages = [
        ("placements", reverse("placements:placement-record"), {"page": PAGE_VALUES}, (200,)),
        ("dashboard", reverse("placements:dashboard"), {"page": PAGE_VALUES}, (200,)),
        ("notifications", reverse("notifications:preferences"), {"page": PAGE_VALUES}, (200,)),
        ("requests", reverse("organisations:organisation-request-list"), {"page": PAGE_VALUES}, (200,)),
        (
            "organisation request",
            reverse("organisations:organisation-request"),
            {"resubmit": ["1", "0", "-1", "abc", "9" * 30, "١"]},
            (200, 404),
        ),
        ("credentials", reverse("volunteers:credentials"), {"page": PAGE_VALUES}, (200,)),
    ]
    name, url, params, allowed = data.draw(st.sampled_from(pages), label="page")
    pairs = data.draw(query_strategy(params), label="query")
    fuzz_get(name, client_for(volunteer.user), url, pairs, allowed=allowed)


# The Django admin's changelists, as a site admin


ADMIN_LISTS = [
    ("organisations", "organisation", ["status__exact", "kind__exact", "featured__exact"]),
    ("programmes", "need", ["status__exact", "mode__exact", "programme__lead_organisation__id__exact"]),
    ("placements", "application", ["status__exact"]),
    ("accounts", "user", ["is_staff__exact", "is_active__exact"]),
    ("volunteers", "volunteerprofile", ["profession__exact"]),
    ("volunteers", "credential", ["status__exact", "kind__exact"]),
]
ADMIN_VALUES = ["1", "0", "-1", "abc", "1.2", "-3.-1", "99999", "verified", "pending", "\x00", ""]
ADMIN_PARAMS = {
    "o": ADMIN_VALUES,
    "q": ["a", "road", "x" * 300],
    "p": ADMIN_VALUES,
    "e": ["1"],
    "all": [""],
    **{name: ADMIN_VALUES for _app, _model, filters in ADMIN_LISTS for name in filters},
    **{name: ADMIN_VALUES for name in ["nope__exact", "_to_field", "_popup", "status__in"]},
}


@fuzz_settings(20)
@given(changelist=st.sampled_from(range(len(ADMIN_LISTS))), pairs=query_strategy(ADMIN_PARAMS))
# A NUL character in a filter reached PostgreSQL, which refuses it: a server error before the fix.
@example(changelist=0, pairs=[("status__exact", "\x00")])
@example(changelist=1, pairs=[("q", "a\x00b"), ("p", "-1"), ("o", "-3.-1")])
def test_admin_changelists_survive_generated_query_strings(site_admin, organisation, changelist, pairs):
    app, model, _filters = ADMIN_LISTS[changelist]
    url = reverse(f"admin:{app}_{model}_changelist")
    # The admin's own rule for an unknown filter or page is a redirect to the list with ?e=1.
    fuzz_get(f"admin {model}", client_for(site_admin), url, pairs, allowed=(200, 302, 400))


@pytest.mark.parametrize("app, model, _filters", ADMIN_LISTS)
def test_a_nul_character_in_an_admin_filter_is_a_bad_request(site_admin, app, model, _filters):
    client = client_for(site_admin)
    url = reverse(f"admin:{app}_{model}_changelist")

    response = client.get(url, {"status__exact": "a\x00b"})

    assert response.status_code == 400
    assert "400.html" in [template.name for template in response.templates]
