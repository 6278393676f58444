"""Site admins curate sites, programmes, needs, applications and placements in the Django admin."""

import datetime

import pytest
from django.urls import reverse

from programmes.models import Need, Programme
from tests.factories import (
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    SiteFactory,
    today,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
NEEDS = "admin:programmes_need_changelist"
# The app each model of these pages belongs to.
APP_OF = {
    "site": "programmes",
    "programme": "programmes",
    "need": "programmes",
    "application": "placements",
    "placement": "placements",
}


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


@pytest.fixture
def placement(volunteer):
    """One of everything: a placement of the volunteer, through an accepted application to a need."""
    return PlacementFactory(
        application__volunteer=volunteer,
        application__need__title="Embolisation faculty in Mwanza",
        application__need__programme__title="Lake Zone IR fellowship",
        application__need__host_site__name="Bugando Medical Centre",
    )


def run_action(client, changelist, action, objects):
    return client.post(
        reverse(changelist), {"action": action, "_selected_action": [obj.pk for obj in objects]}, follow=True
    )


def need_form_data(programme, site, **changes):
    """What the admin add form posts for an on-site need."""
    data = {
        "programme": programme.pk,
        "title": "IR nurse for the new angiography suite",
        "description": "Help set up nursing care around procedures.",
        "profession": "ir_nurse",
        "places": "2",
        "status": Need.Status.OPEN,
        "mode": "onsite",
        "host_site": site.pk,
        "window_start": (today() + 30 * DAY).isoformat(),
        "window_end": (today() + 90 * DAY).isoformat(),
        "min_duration_days": "14",
        "hours_per_week": "0",
        "application_deadline": (today() + 20 * DAY).isoformat(),
        "min_years_experience": "2",
        "support_notes": "",
        "_save": "Save",
    }
    data.update(changes)
    return data


# Changelists, filters, search and forms for every model


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        ("site", {"country": "TZ", "q": "Bugando"}, "Bugando Medical Centre"),
        ("programme", {"status__exact": "published", "kind__exact": "training", "q": "Lake Zone"}, "Lake Zone"),
        ("need", {"status__exact": "open", "country": "TZ", "q": "Bugando"}, "Embolisation faculty in Mwanza"),
        ("application", {"status__exact": "accepted", "q": "volunteer@example.org"}, "volunteer@example.org"),
        ("placement", {"mode__exact": "onsite", "q": "Lake Zone"}, "volunteer@example.org"),
    ],
)
def test_changelists_load_with_a_filter_and_search(admin_client, placement, model, query, expected):
    response = admin_client.get(reverse(f"admin:{APP_OF[model]}_{model}_changelist"), query)

    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.parametrize("model", ["site", "programme", "need", "application", "placement"])
def test_add_and_change_forms_load(admin_client, placement, model):
    obj = {
        "site": placement.need.host_site,
        "programme": placement.need.programme,
        "need": placement.need,
        "application": placement.application,
        "placement": placement,
    }[model]

    add = admin_client.get(reverse(f"admin:{APP_OF[model]}_{model}_add"))
    change = admin_client.get(reverse(f"admin:{APP_OF[model]}_{model}_change", args=[obj.pk]))

    assert add.status_code == 200
    assert change.status_code == 200


def test_need_country_filter_offers_only_host_countries_and_filters(admin_client):
    NeedFactory(title="Ultrasound teaching in Blantyre", host_site=SiteFactory(city="Blantyre", country="MW"))
    NeedFactory(title="Drainage training in Dar es Salaam")
    RemoteNeedFactory(title="Remote reporting support")

    response = admin_client.get(reverse(NEEDS), {"country": "MW"})

    page = response.content.decode()
    assert "Ultrasound teaching in Blantyre" in page
    assert "Drainage training in Dar es Salaam" not in page
    assert "Remote reporting support" not in page
    assert 'href="?country=TZ"' in page
    assert 'href="?country=FR"' not in page


def test_needs_can_be_filtered_by_programme_kind(admin_client):
    NeedFactory(title="Reporting backlog help", programme=ProgrammeFactory(kind=Programme.Kind.TELERADIOLOGY))
    NeedFactory(title="Fellowship faculty", programme=ProgrammeFactory(kind=Programme.Kind.TRAINING))

    response = admin_client.get(reverse(NEEDS), {"programme_kind": "teleradiology"})

    page = response.content.decode()
    assert "Reporting backlog help" in page
    assert "Fellowship faculty" not in page


@pytest.mark.parametrize("rows", [1, 30])
def test_need_changelist_queries_do_not_grow_with_rows(admin_client, rows, django_assert_max_num_queries):
    NeedFactory.create_batch(rows)

    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse(NEEDS), {"country": "TZ", "status__exact": "open"})

    assert f"{rows} need" in response.content.decode()


@pytest.mark.parametrize("model", ["application", "placement"])
@pytest.mark.parametrize("rows", [1, 20])
def test_pipeline_changelist_queries_do_not_grow_with_rows(admin_client, model, rows, django_assert_max_num_queries):
    PlacementFactory.create_batch(rows)

    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse(f"admin:{APP_OF[model]}_{model}_changelist"))

    assert f"{rows} {model}" in response.content.decode()


# Validation in the forms


def test_need_add_form_refuses_a_window_that_ends_before_it_starts_and_zero_places(admin_client):
    programme, site = ProgrammeFactory(), SiteFactory()

    response = admin_client.post(
        reverse("admin:programmes_need_add"),
        need_form_data(
            programme,
            site,
            places="0",
            window_start=(today() + 60 * DAY).isoformat(),
            window_end=(today() + 30 * DAY).isoformat(),
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The latest end cannot be before the earliest start." in page
    assert "Ensure this value is greater than or equal to 1." in page
    assert not Need.objects.exists()


def test_need_add_form_refuses_an_onsite_need_without_a_host_site(admin_client):
    response = admin_client.post(
        reverse("admin:programmes_need_add"), need_form_data(ProgrammeFactory(), SiteFactory(), host_site="")
    )

    assert "On-site and hybrid needs must name a host site." in response.content.decode()
    assert not Need.objects.exists()


def test_need_add_form_creates_a_valid_need(admin_client):
    programme, site = ProgrammeFactory(), SiteFactory()

    response = admin_client.post(reverse("admin:programmes_need_add"), need_form_data(programme, site))

    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.programme, need.host_site, need.places) == (programme, site, 2)


def test_programme_add_form_refuses_an_end_before_the_start(admin_client, organisation):
    response = admin_client.post(
        reverse("admin:programmes_programme_add"),
        {
            "title": "Backwards programme",
            "slug": "backwards-programme",
            "kind": "training",
            "status": "draft",
            "lead_organisation": organisation.pk,
            "start_date": "2030-06-01",
            "end_date": "2030-01-01",
            "_save": "Save",
        },
    )

    assert "The programme cannot end before it starts." in response.content.decode()
    assert not Programme.objects.exists()


# Bulk actions


def test_site_admin_publishes_draft_programmes(admin_client):
    drafts = ProgrammeFactory.create_batch(2, status=Programme.Status.DRAFT)

    response = run_action(admin_client, "admin:programmes_programme_changelist", "publish", drafts)

    assert "2 programmes published." in response.content.decode()
    assert Programme.objects.published().count() == 2


def test_site_admin_closes_programmes(admin_client):
    programme = ProgrammeFactory()

    response = run_action(admin_client, "admin:programmes_programme_changelist", "close", [programme])

    assert "1 programme closed." in response.content.decode()
    programme.refresh_from_db()
    assert programme.status == Programme.Status.CLOSED


def test_site_admin_closes_open_needs(admin_client):
    needs = NeedFactory.create_batch(3)

    response = run_action(admin_client, NEEDS, "close", needs)

    assert "3 needs closed." in response.content.decode()
    assert not Need.objects.open().exists()


def test_site_admin_reopens_closed_and_filled_needs(admin_client):
    closed = NeedFactory(status=Need.Status.CLOSED)
    filled = NeedFactory(status=Need.Status.FILLED)

    response = run_action(admin_client, NEEDS, "reopen", [closed, filled])

    assert "2 needs reopened." in response.content.decode()
    assert Need.objects.open().count() == 2


def test_a_need_whose_window_has_ended_is_not_reopened(admin_client):
    ended = NeedFactory(
        title="Last year's course",
        status=Need.Status.CLOSED,
        window_start=today() - 90 * DAY,
        window_end=today() - 30 * DAY,
        application_deadline=None,
    )
    closed = NeedFactory(status=Need.Status.CLOSED)

    response = run_action(admin_client, NEEDS, "reopen", [ended, closed])

    page = response.content.decode()
    assert "Nothing was reopened." in page
    assert "Last year&#x27;s course: This date window has already ended" in page
    assert not Need.objects.open().exists()


def test_a_need_whose_application_deadline_has_passed_is_not_reopened(admin_client):
    need = NeedFactory(status=Need.Status.CLOSED, application_deadline=today() - DAY)

    response = run_action(admin_client, NEEDS, "reopen", [need])

    assert "Its application deadline has passed; set a later one first." in response.content.decode()
    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED


def test_a_filled_need_whose_places_are_all_taken_is_not_reopened_from_the_admin_either(admin_client):
    # One rule for every path that reopens a need: the coordinator's button refuses it too.
    placement = PlacementFactory(application__need__title="Full", application__need__places=1)
    Need.objects.filter(pk=placement.need_id).update(status=Need.Status.FILLED)

    response = run_action(admin_client, NEEDS, "reopen", [placement.need])

    assert "Every place of “Full” is taken: raise its number of places to reopen it." in response.content.decode()
    assert Need.objects.get(pk=placement.need_id).status == Need.Status.FILLED
