"""Reports: the figures of a programme, an organisation and the portal, the placements CSV, who may see them."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from globalir import privacy
from placements import reports
from placements.models import Application, Placement
from programmes.models import Mode, Need
from tests.factories import (
    ApplicationFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    SiteFactory,
    UserFactory,
    VolunteerProfileFactory,
    today,
)
from volunteers.models import Profession

pytestmark = pytest.mark.django_db

START = today() + datetime.timedelta(days=40)


def filled_after(need: Need, days: float) -> None:
    """Mark the need filled `days` after it was posted (the posting date fixed in the past)."""
    posted = timezone.now() - datetime.timedelta(days=60)
    Need.objects.filter(pk=need.pk).update(
        status=Need.Status.FILLED, created_at=posted, filled_at=posted + datetime.timedelta(days=days)
    )


def placement(need: Need, volunteer, *, status: str, days: int, hours_per_week: int = 0) -> Placement:
    return PlacementFactory(
        application__need=need,
        application__volunteer=volunteer,
        application__status=status,
        start_date=START,
        end_date=START + datetime.timedelta(days=days - 1),
        hours_per_week=hours_per_week,
    )


@pytest.fixture
def data(organisation, other_organisation):
    """A known set of programmes, needs, applications and placements (the numbers are in the tests)."""
    programme = ProgrammeFactory(lead_organisation=organisation, title="Embolisation training, Dar es Salaam")
    second = ProgrammeFactory(lead_organisation=organisation, title="Hybrid IR nursing programme")
    elsewhere = ProgrammeFactory(lead_organisation=other_organisation, countries=["MW", "ZM"])

    canadian = VolunteerProfileFactory(
        user__first_name="Amina", user__last_name="Okafor", home_country="CA", profession=Profession.IR_PHYSICIAN
    )
    kenyan = VolunteerProfileFactory(home_country="KE", profession=Profession.RADIOGRAPHER, consent_to_share=False)
    leaving = VolunteerProfileFactory(home_country="FR", profession=Profession.SONOGRAPHER)
    unknown = VolunteerProfileFactory(home_country="", profession=Profession.IR_PHYSICIAN)
    british = VolunteerProfileFactory(home_country="GB", profession=Profession.SONOGRAPHER)
    VolunteerProfileFactory(onboarding_completed_at=None, onboarding_step=2)  # not onboarded: not counted
    other_applicants = [VolunteerProfileFactory() for _ in range(4)]

    # The programme: needs A (2 places, filled after 3 days), B (remote, 1 place, filled after 8 days), C (open).
    need_a = NeedFactory(programme=programme, title="Onsite embolisation faculty", places=2)
    need_b = RemoteNeedFactory(programme=programme, title="Remote reporting", places=1, hours_per_week=3)
    need_c = NeedFactory(programme=programme, title="Open need", places=3)
    placement(need_a, canadian, status=Application.Status.COMPLETED, days=14)
    placement(need_a, kenyan, status=Application.Status.ACCEPTED, days=21)
    ApplicationFactory(need=need_a, volunteer=other_applicants[0], status=Application.Status.DECLINED)
    placement(need_b, leaving, status=Application.Status.COMPLETED, days=28, hours_per_week=3)
    for volunteer, status in zip(
        other_applicants,
        [
            Application.Status.INTERESTED,
            Application.Status.SHORTLISTED,
            Application.Status.OFFERED,
            Application.Status.WITHDRAWN,
        ],
        strict=True,
    ):
        ApplicationFactory(need=need_c, volunteer=volunteer, status=status)
    filled_after(need_a, 3)
    filled_after(need_b, 8)

    # The organisation's second programme: a hybrid need filled after 20 days.
    need_d = NeedFactory(programme=second, mode=Mode.HYBRID, hours_per_week=4, places=1)
    placement(need_d, unknown, status=Application.Status.COMPLETED, days=10, hours_per_week=4)
    filled_after(need_d, 20)

    # Another organisation's programme: a remote need (countries MW, ZM) and a closed need in Uganda.
    need_e = RemoteNeedFactory(programme=elsewhere, places=5)
    placement(need_e, british, status=Application.Status.ACCEPTED, days=30, hours_per_week=3)
    NeedFactory(programme=elsewhere, host_site=SiteFactory(country="UG"), status=Need.Status.CLOSED, places=4)

    # The sonographer erases their account: their placement stays, anonymised.
    privacy.account_erase(user=leaving.user)

    return {"programme": programme, "second": second, "need_a": need_a, "canadian": canadian, "kenyan": kenyan}


def figures(items) -> dict[str, int]:
    return {figure.label: figure.value for figure in items}


# --- The figures -------------------------------------------------------------------------------


def test_programme_report_counts_places_applications_volunteers_and_completed_work(data):
    report = reports.programme_report(programme=data["programme"])

    assert report.needs == 3
    assert report.places_posted == 6
    assert report.places_filled == 3
    assert report.needs_filled == 2
    assert report.median_days_to_fill == 5.5  # (3 + 8) / 2
    assert report.applications == 8
    assert figures(report.applications_by_status) == {
        "Interested": 1,
        "Shortlisted": 1,
        "Offered": 1,
        "Accepted": 1,
        "Declined": 1,
        "Withdrawn": 1,
        "Completed": 2,
    }
    assert figures(report.volunteers_by_profession) == {
        "Interventional radiologist": 1,
        "Radiographer / technologist": 1,
        "Account erased": 1,
    }
    assert figures(report.volunteers_by_country) == {"Canada": 1, "Kenya": 1, "Account erased": 1}
    assert report.placements_completed == 2
    assert report.placement_days == 14  # the on-site placement; the remote one counts in hours
    assert report.remote_hours == 12  # 3 hours a week for 28 days
    assert report.anonymised_placements == 1


def test_organisation_report_adds_up_every_programme_it_leads_and_no_other(data, organisation):
    result = reports.organisation_report(organisation=organisation)
    report = result.report

    assert report.needs == 4
    assert report.places_posted == 7
    assert report.places_filled == 4
    assert report.median_days_to_fill == 8.0  # of 3, 8 and 20 days
    assert report.applications == 9
    assert figures(report.applications_by_status)["Completed"] == 3
    assert figures(report.volunteers_by_profession) == {
        "Interventional radiologist": 2,
        "Radiographer / technologist": 1,
        "Account erased": 1,
    }
    assert figures(report.volunteers_by_country) == {"Canada": 1, "Kenya": 1, "Not given": 1, "Account erased": 1}
    assert report.placement_days == 14 + 10  # the hybrid placement's days count on site
    assert report.remote_hours == 12 + 6  # and its 4 hours a week for 10 days too
    assert [(row.programme.title, row.places_posted, row.places_filled) for row in result.programmes] == [
        ("Embolisation training, Dar es Salaam", 6, 3),
        ("Hybrid IR nursing programme", 1, 1),
    ]


def test_portal_report_covers_everything_and_counts_active_volunteers_needs_and_countries(data):
    portal = reports.portal_report()

    assert portal.report.needs == 6
    assert portal.report.places_posted == 16
    assert portal.report.places_filled == 5
    assert portal.report.median_days_to_fill == 8.0
    assert figures(portal.report.volunteers_by_profession)["Sonographer"] == 1
    # Onboarded: the Canadian, the Kenyan, the one without a country, the British and four applicants.
    assert portal.volunteers_onboarded == 8
    assert portal.needs_open == 2  # C, and the other organisation's remote need
    assert portal.countries_active == ["Malawi", "Tanzania", "Zambia"]


def test_a_programme_without_needs_reports_zeros_and_no_median(organisation):
    report = reports.programme_report(programme=ProgrammeFactory(lead_organisation=organisation))

    assert (report.needs, report.places_posted, report.places_filled, report.applications) == (0, 0, 0, 0)
    assert report.median_days_to_fill is None
    assert report.volunteers_by_profession == []


def test_the_median_of_an_odd_number_of_needs_is_the_middle_one(organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    for days in (1, 2.5, 30):
        filled_after(NeedFactory(programme=programme), days)

    assert reports.programme_report(programme=programme).median_days_to_fill == 2.5


# --- The pages and charts ----------------------------------------------------------------------


def test_coordinator_sees_the_programme_report_with_charts_and_tables(client, coordinator, data):
    client.force_login(coordinator)

    response = client.get(reverse("placements:programme-report", args=[data["programme"].pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Embolisation training, Dar es Salaam" in html
    assert html.count('<svg class="chart-svg"') == 3
    # Accessible charts: a title and a description reading out the values, and text labels.
    assert '<title id="chart-applications-title">Applications by status</title>' in html
    assert "Applications by status. Interested: 1; Shortlisted: 1; Offered: 1; Accepted: 1;" in html
    assert '<text class="chart-label" x="0" y="14">Places posted</text>' in html
    assert "5.5 days" in html
    assert "style=" not in html
    assert reverse("placements:placements-csv", args=[data["programme"].pk]) in html


def test_chart_bars_are_scaled_to_the_largest_value():
    chart = reports.bar_chart(
        id="c",
        title="Places",
        figures=[reports.Figure("a", "Posted", 8), reports.Figure("b", "Filled", 2), reports.Figure("c", "None", 0)],
    )

    assert [bar.width for bar in chart.bars] == [reports.CHART_BAR_WIDTH, reports.CHART_BAR_WIDTH // 4, 0]
    assert chart.description == "Places. Posted: 8; Filled: 2; None: 0."
    assert not chart.is_empty


def test_an_empty_report_says_so_instead_of_drawing_empty_charts(client, coordinator, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    client.force_login(coordinator)

    html = client.get(reverse("placements:programme-report", args=[programme.pk])).content.decode()

    assert "Nothing to show yet." in html
    assert "No need filled yet" in html
    assert "No volunteer placed yet." in html


def test_organisation_report_links_each_programme_report(client, organisation_admin, organisation, data):
    client.force_login(organisation_admin)

    response = client.get(reverse("placements:organisation-report", args=[organisation.slug]))

    assert response.status_code == 200
    assert reverse("placements:programme-report", args=[data["second"].pk]) in response.content.decode()


def test_portal_report_page_shows_active_countries(client, site_admin, data):
    client.force_login(site_admin)

    html = client.get(reverse("placements:portal-report")).content.decode()

    assert "Malawi, Tanzania, Zambia" in html
    assert "Countries with an open need" in html


# --- CSV export --------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_placements_csv_names_only_volunteers_who_consented(client, coordinator, data):
    client.force_login(coordinator)

    response = client.get(reverse("placements:placements-csv", args=[data["programme"].pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    expected_name = f"placements-{data['programme'].slug}-{today():%Y-%m-%d}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{expected_name}"'
    rows = csv_rows(response)
    assert rows[0] == ["Need", "Mode", "Start", "End", "Days", "Remote hours", "Status", "Volunteer"]
    end = lambda days: (START + datetime.timedelta(days=days - 1)).isoformat()  # noqa: E731
    assert sorted(rows[1:]) == sorted(
        [
            [
                "Onsite embolisation faculty",
                "On-site",
                START.isoformat(),
                end(14),
                "14",
                "0",
                "Completed",
                "Amina Okafor",
            ],
            [
                "Onsite embolisation faculty",
                "On-site",
                START.isoformat(),
                end(21),
                "21",
                "0",
                "Accepted",
                f"Volunteer #{data['kenyan'].placements.get().application_id}",
            ],
            [
                "Remote reporting",
                "Remote",
                START.isoformat(),
                end(28),
                "28",
                "12",
                "Completed",
                "Former volunteer (account erased)",
            ],
        ]
    )


def test_placements_csv_defuses_cells_a_spreadsheet_would_run_as_formulas(client, coordinator, organisation):
    need = NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation), title='=HYPERLINK("http://x","y")')
    volunteer = VolunteerProfileFactory(user__first_name="@SUM(A1)", user__last_name="+1")
    placement(need, volunteer, status=Application.Status.ACCEPTED, days=7)
    client.force_login(coordinator)

    rows = csv_rows(client.get(reverse("placements:placements-csv", args=[need.programme.pk])))

    assert rows[1][0] == '\'=HYPERLINK("http://x","y")'
    assert rows[1][-1] == "'@SUM(A1) +1"


def test_placements_csv_quotes_every_field_and_defuses_formulas_after_a_delimiter(client, coordinator, organisation):
    # A spreadsheet told to split on ";" would make "=1+1" a cell of its own and run it.
    need = NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation), title="Need;=1+1")
    volunteer = VolunteerProfileFactory(user__first_name="Amina", user__last_name="Okafor")
    placement(need, volunteer, status=Application.Status.ACCEPTED, days=7)
    client.force_login(coordinator)

    response = client.get(reverse("placements:placements-csv", args=[need.programme.pk]))

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == '"Need","Mode","Start","End","Days","Remote hours","Status","Volunteer"'
    assert lines[1].startswith('"Need;\'=1+1","On-site","')
    assert lines[1].endswith('","7","0","Accepted","Amina Okafor"')
    assert all(re.fullmatch(r'("[^"]*",)*"[^"]*"', line) for line in lines)


# --- Who may see them --------------------------------------------------------------------------

CAST = ["anonymous", "volunteer", "other_coordinator", "coordinator", "organisation_admin", "site_admin"]


def sign_in(client, request, who: str) -> None:
    if who == "anonymous":
        return
    user = request.getfixturevalue(who)
    client.force_login(user.user if who == "volunteer" else user)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("volunteer", 404),
        ("other_coordinator", 404),
        ("coordinator", 200),
        ("organisation_admin", 200),
        ("site_admin", 200),
    ],
)
@pytest.mark.parametrize("page", ["programme-report", "placements-csv", "organisation-report"])
def test_reports_are_for_the_organisations_coordinators_and_site_admins(
    client, request, organisation, page, who, expected
):
    programme = ProgrammeFactory(lead_organisation=organisation)
    sign_in(client, request, who)
    argument = organisation.slug if page == "organisation-report" else programme.pk

    response = client.get(reverse(f"placements:{page}", args=[argument]))

    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("volunteer", 403),
        ("other_coordinator", 403),
        ("coordinator", 403),
        ("organisation_admin", 403),
        ("site_admin", 200),
    ],
)
def test_the_portal_report_is_for_site_admins_only(client, request, who, expected):
    sign_in(client, request, who)

    response = client.get(reverse("placements:portal-report"))

    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


def test_the_reports_refuse_to_change_anything(client, coordinator, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    client.force_login(coordinator)

    assert client.post(reverse("placements:programme-report", args=[programme.pk])).status_code == 405


# --- A fixed number of queries -----------------------------------------------------------------


def add_more(programme, count: int) -> None:
    for _ in range(count):
        need = NeedFactory(programme=programme)
        placement(need, VolunteerProfileFactory(home_country="NG"), status=Application.Status.COMPLETED, days=5)
        ApplicationFactory(need=need, status=Application.Status.SHORTLISTED)
        filled_after(need, 2)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Two for the session and the user, one or two for the access check, then the report's own.
QUERY_BUDGET = {"programme-report": 9, "placements-csv": 4, "organisation-report": 10, "portal-report": 11}


@pytest.mark.parametrize("page", list(QUERY_BUDGET))
def test_reports_take_the_same_number_of_queries_however_much_data_there_is(client, site_admin, data, page):
    client.force_login(site_admin)
    programme = data["programme"]
    url = {
        "programme-report": reverse("placements:programme-report", args=[programme.pk]),
        "placements-csv": reverse("placements:placements-csv", args=[programme.pk]),
        "organisation-report": reverse("placements:organisation-report", args=[programme.lead_organisation.slug]),
        "portal-report": reverse("placements:portal-report"),
    }[page]

    before = queries_for(client, url)
    add_more(programme, 6)
    after = queries_for(client, url)

    assert after == before
    assert after <= QUERY_BUDGET[page]


def test_anonymised_placements_keep_counting_after_erasure(organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    need = NeedFactory(programme=programme)
    volunteer = VolunteerProfileFactory()
    placement(need, volunteer, status=Application.Status.COMPLETED, days=7)
    before = reports.programme_report(programme=programme)

    privacy.account_erase(user=volunteer.user)
    after = reports.programme_report(programme=programme)

    assert (
        (after.places_filled, after.placements_completed, after.placement_days)
        == (
            before.places_filled,
            before.placements_completed,
            before.placement_days,
        )
        == (1, 1, 7)
    )
    assert figures(after.volunteers_by_profession) == {"Account erased": 1}
    assert UserFactory._meta.model.objects.filter(pk=volunteer.user_id).count() == 0
