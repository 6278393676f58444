"""The coordinator's workspace at /coordinate/, who may open each workspace page, and the deadline reminder."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification, NotificationPreference
from organisations.models import Membership, Organisation
from placements.emails import needs_deadline_reminders_send
from placements.models import Application
from placements.tasks import send_deadline_reminders
from programmes.models import Need, Programme
from programmes.selectors import WORKSPACE_NEEDS_PER_PROGRAMME, WORKSPACE_PROGRAMMES_PER_PAGE
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    NeedFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SiteFactory,
    today,
)

pytestmark = pytest.mark.django_db

WORKSPACE = reverse("programmes:workspace")


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


# The workspace


def test_workspace_lists_programmes_by_status_and_needs_with_their_counts(client, coordinator, organisation):
    published = ProgrammeFactory(lead_organisation=organisation, title="Embolisation training, Mwanza")
    ProgrammeFactory(lead_organisation=organisation, title="Tele-reporting pilot", status=Programme.Status.DRAFT)
    ProgrammeFactory(lead_organisation=organisation, title="Ultrasound course 2023", status=Programme.Status.CLOSED)
    need = NeedFactory(
        programme=published, title="Uterine artery embolisation faculty", places=3, application_deadline=days(21)
    )
    ApplicationFactory.create_batch(2, need=need)  # interested: new
    ApplicationFactory(need=need, status=Application.Status.SHORTLISTED)
    ApplicationFactory(need=need, status=Application.Status.OFFERED)
    ApplicationFactory(need=need, status=Application.Status.ACCEPTED)
    ApplicationFactory(need=need, status=Application.Status.DECLINED)
    NeedFactory(programme=published, title="Closed last month", status=Need.Status.CLOSED)
    client.force_login(coordinator)

    response = client.get(WORKSPACE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Road to IR Test Partners (R2T)" in page
    assert "Published programme (1)" in page and "Draft (1)" in page and "Closed programme (1)" in page
    assert page.index("Embolisation training, Mwanza") < page.index("Tele-reporting pilot")
    assert page.index("Tele-reporting pilot") < page.index("Ultrasound course 2023")
    assert "1 open · 0 filled · 1 closed" in page
    assert "Closed last month" not in page  # closed needs are on the programme's page
    row = next(row for row in page.split("<tr>") if "Uterine artery embolisation faculty" in row)
    cells = [cell.split("<", 1)[0].strip() for cell in row.split('class="number">')[1:]]
    assert cells == ["2", "1", "1", "1 of 3"]  # new, shortlisted, offered, places left to offer
    assert days(21).strftime("%Y") in row
    assert reverse("placements:pipeline", args=[need.pk]) in page
    assert reverse("programmes:need-edit", args=[need.pk]) in page
    assert reverse("programmes:programme-create", args=[organisation.slug]) in page
    assert reverse("programmes:site-list", args=[organisation.slug]) in page
    assert reverse("placements:organisation-report", args=[organisation.slug]) in page
    assert reverse("placements:programme-report", args=[published.pk]) in page
    # Only organisation admins manage members.
    assert reverse("organisations:member-list", args=[organisation.slug]) not in page


def test_organisation_admin_gets_the_members_link(client, organisation_admin, organisation):
    client.force_login(organisation_admin)

    page = client.get(WORKSPACE).content.decode()

    assert reverse("organisations:member-list", args=[organisation.slug]) in page


def test_workspace_shows_only_the_users_own_organisations(client, coordinator, other_organisation):
    ProgrammeFactory(lead_organisation=other_organisation, title="Someone else's programme")
    client.force_login(coordinator)

    page = client.get(WORKSPACE).content.decode()

    assert "Someone else&#x27;s programme" not in page
    assert "Other Imaging Charity" not in page


def test_pending_organisation_is_shown_awaiting_verification(client, plain_user):
    pending = OrganisationFactory(name="New Radiology Outreach", status=Organisation.Status.PENDING)
    MembershipFactory(user=plain_user, organisation=pending, role=Membership.Role.ADMIN)
    client.force_login(plain_user)

    page = client.get(WORKSPACE).content.decode()

    assert "New Radiology Outreach" in page
    assert "Awaiting verification: its needs are listed once verified." in page
    assert "Create the first programme" in page


def test_user_who_coordinates_nothing_gets_a_friendly_page(client, volunteer):
    client.force_login(volunteer.user)

    response = client.get(WORKSPACE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "You do not coordinate for an organisation yet." in page
    assert "ask one of its organisation admins to invite you" in page
    assert reverse("organisations:organisation-request") in page


def test_site_admin_sees_only_their_own_organisations_and_a_link_to_the_admin(client, site_admin, organisation):
    OrganisationFactory.create_batch(3)
    mine = OrganisationFactory(name="Admin's Own Network")
    MembershipFactory(user=site_admin, organisation=mine)
    client.force_login(site_admin)

    page = client.get(WORKSPACE).content.decode()

    assert "Admin&#x27;s Own Network" in page
    assert "Road to IR Test Partners" not in page
    assert reverse("admin:organisations_organisation_changelist") in page


def test_long_programmes_show_their_first_needs_and_link_to_the_rest(client, coordinator, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    NeedFactory.create_batch(WORKSPACE_NEEDS_PER_PROGRAMME + 3, programme=programme)
    client.force_login(coordinator)

    page = client.get(WORKSPACE).content.decode()

    assert page.count('class="table need-table"') == 1
    assert page.count("<tr>") - 1 == WORKSPACE_NEEDS_PER_PROGRAMME
    assert "3 more open or filled needs: see them all" in page


def _workspace_world(organisation, *, programmes: int, needs_per_programme: int) -> Organisation:
    """Programmes (published, draft, closed in turn) with needs and applications, for ``organisation``
    and for a pending sibling organisation, which is returned."""
    sibling = OrganisationFactory(status=Organisation.Status.PENDING)
    for owner in (organisation, sibling):
        for index in range(programmes):
            status = [Programme.Status.PUBLISHED, Programme.Status.DRAFT, Programme.Status.CLOSED][index % 3]
            programme = ProgrammeFactory(lead_organisation=owner, status=status)
            site = SiteFactory(organisation=owner)
            for need in NeedFactory.create_batch(needs_per_programme, programme=programme, host_site=site):
                ApplicationFactory(need=need)
                ApplicationFactory(need=need, status=Application.Status.SHORTLISTED)
    return sibling


@pytest.mark.parametrize(("programmes", "needs_per_programme"), [(1, 1), (9, 6)], ids=["small", "large"])
def test_workspace_takes_a_fixed_number_of_queries(
    client, coordinator, organisation, django_assert_max_num_queries, programmes, needs_per_programme
):
    sibling = _workspace_world(organisation, programmes=programmes, needs_per_programme=needs_per_programme)
    MembershipFactory(user=coordinator, organisation=sibling)
    client.force_login(coordinator)

    with django_assert_max_num_queries(7):
        response = client.get(WORKSPACE)

    assert response.status_code == 200
    shown = 2 * len([index for index in range(programmes) if index % 3 != 2])  # closed ones are listed briefly
    assert response.content.decode().count('class="card workspace-programme"') == shown


def test_workspace_queries_do_not_grow_with_programmes_and_needs(client, coordinator, organisation):
    client.force_login(coordinator)
    _workspace_world(organisation, programmes=1, needs_per_programme=1)
    with CaptureQueriesContext(connection) as small:
        client.get(WORKSPACE)

    _workspace_world(organisation, programmes=9, needs_per_programme=6)
    with CaptureQueriesContext(connection) as large:
        page = client.get(WORKSPACE).content.decode()

    assert len(large.captured_queries) == len(small.captured_queries)
    assert "Published programmes (4)" in page


def test_programme_page_takes_a_fixed_number_of_queries(
    client, coordinator, organisation, django_assert_max_num_queries
):
    client.force_login(coordinator)
    programme = ProgrammeFactory(lead_organisation=organisation)
    for need in NeedFactory.create_batch(12, programme=programme):
        ApplicationFactory(need=need)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("programmes:programme-detail", args=[programme.pk]))

    assert response.content.decode().count(">Pipeline<") == 12


# Who may open what: tests/test_permission_matrix.py, with every other URL of the portal.


# The deadline reminder


@pytest.fixture
def due_need(organisation, coordinator, organisation_admin):
    programme = ProgrammeFactory(lead_organisation=organisation, title="Embolisation training, Mwanza")
    need = NeedFactory(programme=programme, title="PPH embolisation faculty", places=2, application_deadline=days(3))
    ApplicationFactory.create_batch(2, need=need)
    ApplicationFactory(need=need, status=Application.Status.SHORTLISTED)
    return need


def test_coordinators_are_reminded_three_days_before_the_deadline_once(
    due_need, coordinator, organisation_admin, other_coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    # Needs that must not be reminded: another day, a draft programme, a closed need.
    NeedFactory(programme=due_need.programme, application_deadline=days(4))
    NeedFactory(programme=due_need.programme, application_deadline=days(3), status=Need.Status.CLOSED)
    NeedFactory(
        programme=ProgrammeFactory(lead_organisation=due_need.programme.lead_organisation, status="draft"),
        application_deadline=days(3),
    )

    with django_capture_on_commit_callbacks(execute=True):
        sent = send_deadline_reminders.delay().get()

    assert sent == 2
    assert sorted(message.to[0] for message in mailoutbox) == [coordinator.email, organisation_admin.email]
    message = mailoutbox[0]
    assert "PPH embolisation faculty" in message.subject
    assert "in 3 days" in message.body
    assert "New: 2" in message.body and "Shortlisted: 1" in message.body
    assert "Places left: 2 of 2" in message.body
    assert reverse("placements:pipeline", args=[due_need.pk]) in message.body
    html = message.alternatives[0][0]
    assert reverse("placements:pipeline", args=[due_need.pk]) in html
    assert message.extra_headers.get("List-Unsubscribe")

    with django_capture_on_commit_callbacks(execute=True):
        again = needs_deadline_reminders_send()

    assert again == 0
    assert len(mailoutbox) == 2
    assert Notification.objects.filter(kind="deadline_soon").count() == 2


def test_a_coordinator_who_opted_out_gets_no_reminder(
    due_need, coordinator, organisation_admin, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=coordinator, deadline_reminders=False)

    with django_capture_on_commit_callbacks(execute=True):
        needs_deadline_reminders_send()

    assert [message.to[0] for message in mailoutbox] == [organisation_admin.email]


def test_the_reminder_task_is_scheduled_daily(settings):
    entries = [
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"].endswith("deadline_reminders")
    ]

    assert len(entries) == 1
    assert entries[0]["task"] == "placements.send_deadline_reminders"


# At scale: a page of programmes per organisation, each programme's needs fetched when opened


def test_an_organisation_with_many_programmes_shows_them_a_page_at_a_time(client, coordinator, organisation):
    for index in range(WORKSPACE_PROGRAMMES_PER_PAGE + 5):
        ProgrammeFactory(lead_organisation=organisation, title=f"Programme {index:02d}")
    client.force_login(coordinator)

    first = client.get(WORKSPACE).content.decode()
    parameter = f"programmes-{organisation.pk}"
    second = client.get(WORKSPACE, {parameter: "2"}).content.decode()
    past_the_end = client.get(WORKSPACE, {parameter: "9"}).content.decode()

    assert first.count('class="card workspace-programme"') == WORKSPACE_PROGRAMMES_PER_PAGE
    assert "Published programmes (15)" in first and "Page 1 of 2" in first
    assert f"?{parameter}=2" in first and "Programme 09" in first and "Programme 10" not in first
    assert second.count('class="card workspace-programme"') == 5
    assert "Programme 10" in second and "Programme 09" not in second and "Page 2 of 2" in second
    assert f"?{parameter}=1" in second
    assert past_the_end.count('class="card workspace-programme"') == 5


def test_each_of_two_organisations_is_paged_on_its_own(client, coordinator, organisation):
    sibling = OrganisationFactory(name="Zz sibling")
    MembershipFactory(user=coordinator, organisation=sibling)
    for index in range(WORKSPACE_PROGRAMMES_PER_PAGE + 2):
        ProgrammeFactory(lead_organisation=organisation, title=f"Programme {index:02d}")
        ProgrammeFactory(lead_organisation=sibling, title=f"Sibling {index:02d}")
    client.force_login(coordinator)
    one = client.get(WORKSPACE).content.decode()

    page = client.get(WORKSPACE, {f"programmes-{organisation.pk}": "2"}).content.decode()

    assert "Programme 10" in page and "Programme 09" not in page
    assert "Sibling 09" in page and "Sibling 10" not in page
    assert page.count('class="card workspace-programme"') == 2 + WORKSPACE_PROGRAMMES_PER_PAGE
    assert one.count('class="card workspace-programme"') == 2 * WORKSPACE_PROGRAMMES_PER_PAGE


def test_only_the_first_programme_shows_its_needs_the_others_fetch_them_when_opened(
    client, coordinator, organisation, other_coordinator
):
    first = ProgrammeFactory(lead_organisation=organisation, title="A first programme")
    second = ProgrammeFactory(lead_organisation=organisation, title="B second programme")
    NeedFactory(programme=first, title="Shown with the page")
    NeedFactory(programme=second, title="Shown when opened")
    ProgrammeFactory(lead_organisation=organisation, title="C programme without needs")
    client.force_login(coordinator)
    section = reverse("programmes:workspace-needs", args=[second.pk])

    page = client.get(WORKSPACE).content.decode()
    fetched = client.get(section, headers={"HX-Request": "true"})
    without_javascript = client.get(section)

    assert "Shown with the page" in page and "Shown when opened" not in page
    assert f'hx-get="{section}"' in page
    # Without JavaScript the closed section links to the programme's page, where its needs are paged.
    assert reverse("programmes:programme-detail", args=[second.pk]) in page
    assert page.count("No open needs.") == 1
    assert fetched.status_code == 200
    assert "Shown when opened" in fetched.content.decode() and "<html" not in fetched.content.decode()
    # Closing or reopening a need from the fetched section comes back to the workspace.
    assert f'name="next" value="{WORKSPACE}"' in fetched.content.decode()
    assert without_javascript.status_code == 302
    assert without_javascript["Location"] == reverse("programmes:programme-detail", args=[second.pk])
    client.force_login(other_coordinator)
    assert client.get(section, headers={"HX-Request": "true"}).status_code == 404


def test_the_workspace_stays_the_same_size_for_a_much_larger_organisation(client, coordinator, organisation):
    client.force_login(coordinator)
    small_org = OrganisationFactory()
    MembershipFactory(user=coordinator, organisation=small_org)
    _workspace_world(small_org, programmes=2, needs_per_programme=2)
    with CaptureQueriesContext(connection) as small:
        small_page = client.get(WORKSPACE).content.decode()

    _workspace_world(organisation, programmes=30, needs_per_programme=12)
    with CaptureQueriesContext(connection) as large:
        large_page = client.get(WORKSPACE).content.decode()

    assert len(large.captured_queries) == len(small.captured_queries)
    # At most one programme's first needs per organisation, and one page of programmes each.
    assert large_page.count("<tr>") - small_page.count("<tr>") == 1 + WORKSPACE_NEEDS_PER_PROGRAMME
    assert large_page.count('class="card workspace-programme"') <= 2 * WORKSPACE_PROGRAMMES_PER_PAGE
    assert "Published programmes (10)" in large_page


def test_a_programme_section_takes_a_fixed_number_of_queries(
    client, coordinator, organisation, django_assert_max_num_queries
):
    programme = ProgrammeFactory(lead_organisation=organisation)
    for need in NeedFactory.create_batch(WORKSPACE_NEEDS_PER_PROGRAMME + 2, programme=programme):
        ApplicationFactory(need=need)
    client.force_login(coordinator)

    with django_assert_max_num_queries(6):
        response = client.get(
            reverse("programmes:workspace-needs", args=[programme.pk]), headers={"HX-Request": "true"}
        )

    assert response.content.decode().count(">Pipeline<") == WORKSPACE_NEEDS_PER_PROGRAMME
    assert "2 more open or filled needs: see them all" in response.content.decode()
