"""The caches of /opportunities/ (programmes.listing_cache): anonymous visitors share whole pages, which an
edit replaces on the next request, and nobody is ever served someone else's page."""

import datetime
import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matcher import store
from programmes.models import Need, Programme
from tests.factories import (
    AvailabilityWindowFactory,
    NeedFactory,
    OrganisationFactory,
    ProgrammeFactory,
    VolunteerProfileFactory,
)
from volunteers.models import Skill

pytestmark = pytest.mark.django_db

LIST = reverse("programmes:opportunity-list")
HTMX = {"HX-Request": "true"}


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def page(client, headers=None, **params) -> str:
    response = client.get(LIST, params, headers=headers or {})
    assert response.status_code == 200
    return response.content.decode()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def available_volunteer():
    """Eligible for NeedFactory's needs (IR physician, on site and remote, free from day 30 to day 120)."""
    profile = VolunteerProfileFactory()
    AvailabilityWindowFactory(profile=profile, start_date=days(30), end_date=days(120), hours_per_week=6)
    return profile


# Shared, and fresh


def test_an_anonymous_visitor_is_served_the_page_another_one_rendered_without_reading_the_needs():
    NeedFactory(title="Cardiac cath lab support")
    first = page(Client())

    with CaptureQueriesContext(connection) as queries:
        second = page(Client())

    assert "Cardiac cath lab support" in second
    assert without_token(second) == without_token(first)
    assert not [query for query in queries if "programmes_need" in query["sql"]]


@pytest.mark.parametrize(
    "change",
    [
        lambda need: Need.objects.filter(pk=need.pk).update(title="Renamed by a bulk update"),
        lambda need: need.delete(),
        lambda need: Programme.objects.filter(pk=need.programme_id).update(status=Programme.Status.DRAFT),
        lambda need: need.programme.lead_organisation.__class__.objects.filter(
            pk=need.programme.lead_organisation_id
        ).update(status="pending"),
    ],
    ids=["need updated in bulk", "need deleted", "programme unpublished", "organisation no longer verified"],
)
def test_a_change_shows_to_anonymous_visitors_on_the_next_request(client, change):
    need = NeedFactory(title="Cardiac cath lab support")
    assert "Cardiac cath lab support" in page(client)
    assert "Cardiac cath lab support" in page(client, headers=HTMX)

    change(need)

    assert "Cardiac cath lab support" not in page(client)
    assert "Cardiac cath lab support" not in page(client, headers=HTMX)


def test_a_new_need_and_its_country_show_at_once_in_the_list_and_the_filter_menu(client):
    NeedFactory(host_site__country="TZ")
    assert '<option value="KE">Kenya</option>' not in page(client)

    NeedFactory(title="New in Kenya", host_site__country="KE")

    shown = page(client)
    assert "New in Kenya" in shown
    assert '<option value="KE">Kenya</option>' in shown


def test_a_skill_added_to_a_need_shows_at_once_when_filtering_by_it(client):
    need = NeedFactory(title="Cardiac cath lab support")
    assert "Cardiac cath lab support" not in page(client, skill="embolisation")

    need.required_skills.add(*need.required_skills.model.objects.filter(slug="embolisation"))

    assert "Cardiac cath lab support" in page(client, skill="embolisation")


# Never someone else's page


def test_each_anonymous_visitor_gets_their_own_csrf_token_that_their_cookie_accepts():
    NeedFactory()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page, second_page = page(first), page(second)

    assert csrf_token(first_page) != csrf_token(second_page)
    for client, html in ((first, first_page), (second, second_page)):
        response = client.post(
            reverse("set_language"), {"language": "fr", "next": LIST, "csrfmiddlewaretoken": csrf_token(html)}
        )
        assert response.status_code == 302


def test_a_signed_in_visitor_never_gets_the_anonymous_page_and_theirs_is_not_shared(client, volunteer):
    NeedFactory()
    assert "Log in" in page(Client())  # the anonymous page is in the cache

    client.force_login(volunteer.user)
    signed_in = page(client)
    assert "Log out" in signed_in
    assert '<option value="fit"' in signed_in  # sort by best fit: offered to volunteers only

    anonymous = page(Client())
    assert "Log out" not in anonymous
    assert '<option value="fit"' not in anonymous
    assert volunteer.user.email not in anonymous


def test_a_message_waiting_for_a_visitor_is_shown_to_them_only(client, rf):
    NeedFactory()
    page(Client())  # the anonymous page is in the cache
    # A message left by the page before (Django's default storage keeps it in a cookie first).
    storage = CookieStorage(rf.get(LIST))
    client.cookies[storage.cookie_name] = storage._encode([Message(messages.SUCCESS, "Your alert is saved.")])

    assert "Your alert is saved." in page(client)
    assert "Your alert is saved." not in page(Client())


def test_the_page_and_its_htmx_fragment_and_each_language_are_kept_apart(client):
    NeedFactory(host_site__country="TZ")
    whole = page(client)
    fragment = page(client, headers=HTMX)
    french = page(Client(headers={"Accept-Language": "fr"}))

    assert "<html" in whole and "<html" not in fragment
    assert "Tanzanie" in french and "Tanzanie" not in whole
    assert "Tanzania" in page(client)


def test_the_list_says_to_caches_on_the_way_what_it_depends_on(client):
    NeedFactory()
    for response in (client.get(LIST), client.get(LIST), client.get(LIST, headers=HTMX)):
        vary = {value.strip() for value in response["Vary"].split(",")}
        assert {"HX-Request", "Accept-Language", "Cookie"} <= vary


# Signed-in visitors: the rendered results are kept too, and as fresh


def fit_scores_shown(html: str) -> list[int]:
    return [int(score) for score in re.findall(r"Fit (\d+) / 100", html)]


def test_an_edit_shows_to_a_signed_in_volunteer_on_the_next_request_in_every_order(client):
    need = NeedFactory(title="Cardiac cath lab support")
    volunteer = available_volunteer()
    store.recommendations_refresh()
    client.force_login(volunteer.user)
    for params in ({}, {"sort": "fit"}, {"sort": "newest"}):
        assert "Cardiac cath lab support" in page(client, **params)
        assert "Cardiac cath lab support" in page(client, headers=HTMX, **params)  # kept

    Need.objects.filter(pk=need.pk).update(title="Renamed by a bulk update")

    for params in ({}, {"sort": "fit"}, {"sort": "newest"}):
        html = page(client, **params)
        assert "Renamed by a bulk update" in html and "Cardiac cath lab support" not in html
        assert "Renamed by a bulk update" in page(client, headers=HTMX, **params)


def test_best_fit_follows_the_matchers_next_refresh_at_once(client):
    from matcher.models import Recommendation

    NeedFactory(title="Embolisation training", required_skills=["embolisation"])
    volunteer = available_volunteer()
    store.recommendations_refresh()
    client.force_login(volunteer.user)
    before = fit_scores_shown(page(client, sort="fit"))
    assert before == fit_scores_shown(page(client, sort="fit"))  # kept

    volunteer.skills.add(*Need.objects.get().required_skills.all())  # the volunteer now has the skill asked for
    store.recommendations_refresh()

    after = fit_scores_shown(page(client, sort="fit"))
    stored = Recommendation.objects.get(volunteer=volunteer)
    assert after == [round(stored.score)] and after != before


def test_best_fit_is_never_served_to_another_volunteer(client):
    NeedFactory(title="Embolisation training", required_skills=["embolisation"])
    skilled, other = available_volunteer(), available_volunteer()
    skilled.skills.add(*Need.objects.get().required_skills.all())
    store.recommendations_refresh()
    client.force_login(skilled.user)
    mine = fit_scores_shown(page(client, sort="fit"))

    client.force_login(other.user)
    theirs = fit_scores_shown(page(client, sort="fit"))

    assert mine != theirs


# Queries: a constant number, whatever the number of needs


def queries_of(client, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, kwargs.pop("params", {}), **kwargs)
    assert response.status_code == 200
    return len(queries)


def scenario_counts() -> dict[str, int]:
    volunteer = available_volunteer()
    store.recommendations_refresh()  # the matcher's stored scores: "best fit" sorted in the database
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(volunteer.user)
    filters = {"region": "ssa", "mode": "onsite", "profession": "ir_physician", "available_from": days(30)}
    filters["available_until"] = days(240)
    counts = {}
    for name, client, params, headers in [
        ("anonymous list", anonymous, {}, {}),
        ("anonymous fragment, 5 filters", anonymous, filters, HTMX),
        ("volunteer list", signed_in, {}, {}),
        ("volunteer, best fit", signed_in, {"sort": "fit"}, {}),
        ("volunteer, best fit, page 2", signed_in, {"sort": "fit", "page": 2}, {}),
    ]:
        counts[f"{name}, first"] = queries_of(client, params=params, headers=headers)
        counts[f"{name}, again"] = queries_of(client, params=params, headers=headers)
    return counts


def test_list_fragment_and_best_fit_run_as_many_queries_for_40_needs_as_for_5():
    programme = ProgrammeFactory()
    NeedFactory.create_batch(5, programme=programme)
    few = scenario_counts()

    NeedFactory.create_batch(35, programme=programme)
    many = scenario_counts()

    assert many == few
    assert few["anonymous list, again"] <= 2  # the data version and the stored page
    assert few["anonymous fragment, 5 filters, again"] <= 2
    # Session, user, data version, profile (for "best fit" with the version of the volunteer's stored scores), and
    # the page's own (whether the menu offers the workspace): the needs are not read again.
    assert few["volunteer list, again"] <= 5
    assert few["volunteer, best fit, again"] <= 5
    assert few["volunteer, best fit, page 2, again"] <= 5


def test_a_signed_in_volunteer_is_served_the_results_again_without_reading_the_needs(client):
    NeedFactory.create_batch(3)
    volunteer = available_volunteer()
    store.recommendations_refresh()
    client.force_login(volunteer.user)
    for params in ({}, {"sort": "fit"}, {"sort": "fit", "mode": "onsite"}):
        first = page(client, **params)

        with CaptureQueriesContext(connection) as queries:
            second = page(client, **params)

        assert without_token(second) == without_token(first)
        assert not [query for query in queries if "programmes_need" in query["sql"]], params


# A need's page


def need_page(client, need) -> str:
    response = client.get(need.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_need_page_seen_again_reads_neither_its_skills_nor_its_partners(client):
    need = NeedFactory(description="Two angiography suites, one of them new.")
    need.programme.partners.add(OrganisationFactory(name="Moshi Radiology Society"))
    first = need_page(Client(), need)
    assert "Moshi Radiology Society" in first

    with CaptureQueriesContext(connection) as queries:
        second = need_page(Client(), need)

    assert without_token(second) == without_token(first)
    read = " ".join(query["sql"] for query in queries)
    for table in (
        "programmes_need_required_skills",
        "programmes_need_required_languages",
        "programmes_programme_partners",
    ):
        assert table not in read


@pytest.mark.parametrize(
    "change, shown",
    [
        (
            lambda need: Need.objects.filter(pk=need.pk).update(description="Now with a CT scanner."),
            "Now with a CT scanner.",
        ),
        (lambda need: need.required_skills.add(*Skill.objects.filter(slug="embolisation")), "Embolisation"),
        (
            lambda need: need.programme.partners.add(OrganisationFactory(name="Arusha Imaging Trust")),
            "Arusha Imaging Trust",
        ),
        (
            lambda need: Programme.objects.filter(pk=need.programme_id).update(summary="Teaching first."),
            "Teaching first.",
        ),
    ],
    ids=["need edited in bulk", "skill added", "partner added", "programme edited"],
)
def test_an_edit_shows_on_the_need_page_at_once_for_every_visitor(client, change, shown):
    need = NeedFactory()
    volunteer = Client()
    volunteer.force_login(available_volunteer().user)
    for visitor in (client, volunteer):
        assert shown not in need_page(visitor, need)

    change(need)

    for visitor in (client, volunteer):
        assert shown in need_page(visitor, need)
