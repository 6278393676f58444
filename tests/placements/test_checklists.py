"""Pre-departure checklists: a placement's copy of its programme's steps, ticks with documents, the
coordinators' readiness pages, the volunteer's dashboard and the reminders."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from notifications.models import Notification, NotificationPreference
from placements import checklist_selectors, checklist_services, services
from placements.models import Application
from programmes.checklist_templates import ChecklistTemplateItem
from programmes.models import Mode
from tests.factories import (
    ApplicationFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    SiteFactory,
    VolunteerProfileFactory,
    today,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def accepted(volunteer, need, start=None, end=None):
    """The volunteer accepts an offer on `need`: the placement made as the portal makes it."""
    start = start or need.window_start
    application = ApplicationFactory(
        need=need,
        volunteer=volunteer,
        status=Application.Status.OFFERED,
        proposed_start=start,
        proposed_end=end or start + datetime.timedelta(days=20),
    )
    return services.offer_accept(application=application, by=volunteer.user)


@pytest.fixture
def need(organisation):
    return NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation))


@pytest.fixture
def placement(volunteer, need):
    return accepted(volunteer, need)


def item(placement, key):
    return placement.checklist_items.get(key=key)


# The copy


def test_an_accepted_onsite_offer_gets_the_default_onsite_checklist_counted_back_from_the_start(placement):
    items = {row.key: row for row in placement.checklist_items.all()}

    assert set(items) == {
        "invitation_letter",
        "medical_licence",
        "visa",
        "malpractice_cover",
        "travel_insurance",
        "vaccinations",
        "flights",
        "accommodation",
        "local_contact",
        "security_briefing",
    }
    assert items["visa"].due_on == placement.start_date - datetime.timedelta(days=45)
    assert items["visa"].who_acts == "volunteer" and items["visa"].needs_document
    assert items["accommodation"].who_acts == "coordinator"


def test_a_remote_placement_gets_the_shorter_default(volunteer, organisation):
    need = RemoteNeedFactory(programme=ProgrammeFactory(lead_organisation=organisation))

    placement = accepted(volunteer, need, end=need.window_start + datetime.timedelta(days=40))

    assert sorted(placement.checklist_items.values_list("key", flat=True)) == [
        "data_sharing",
        "local_contact",
        "pacs_access",
    ]


def test_a_programme_with_its_own_template_copies_the_steps_that_apply_to_the_mode(volunteer, need):
    programme = need.programme
    ChecklistTemplateItem.objects.create(programme=programme, title="Yellow fever card", days_before_start=20)
    ChecklistTemplateItem.objects.create(
        programme=programme, title="Remote reading rota", applies_to="remote", days_before_start=5
    )
    ChecklistTemplateItem.objects.create(
        programme=programme, title="Hospital badge", who_acts="coordinator", applies_to="on_site", position=2
    )

    placement = accepted(volunteer, need)

    assert list(placement.checklist_items.order_by("position").values_list("title", "key")) == [
        ("Yellow fever card", ""),
        ("Hospital badge", ""),
    ]
    assert item_titled(placement, "Yellow fever card").due_on == placement.start_date - datetime.timedelta(days=20)


def item_titled(placement, title):
    return placement.checklist_items.get(title=title)


def test_a_placement_made_before_checklists_gets_its_copy_when_first_opened(client, volunteer, need):
    placement = PlacementFactory(
        application__need=need,
        application__volunteer=volunteer,
        application__proposed_start=days(50),
        application__proposed_end=days(60),
    )
    assert not placement.checklist_items.exists()
    client.force_login(volunteer.user)

    response = client.get(reverse("placements:checklist", args=[placement.pk]))
    client.get(reverse("placements:checklist", args=[placement.pk]))

    assert response.status_code == 200
    assert placement.checklist_items.count() == 10  # made once
    assert "Malpractice cover" in response.content.decode()


def test_default_steps_are_shown_in_the_readers_language(client, volunteer, placement):
    volunteer.user.language = "fr"
    volunteer.user.save(update_fields=["language"])
    client.force_login(volunteer.user)

    with translation.override("fr"):
        response = client.get(reverse("placements:checklist", args=[placement.pk]), HTTP_ACCEPT_LANGUAGE="fr")

    assert "Assurance voyage" in response.content.decode()


# Ticks


def test_the_volunteer_ticks_their_step_with_its_document(client, volunteer, placement):
    visa = item(placement, "visa")
    client.force_login(volunteer.user)

    response = client.post(
        reverse("placements:checklist-item-tick", args=[visa.pk]),
        {"document": SimpleUploadedFile("visa.pdf", PDF, content_type="application/pdf")},
    )

    assert response.status_code == 302
    visa.refresh_from_db()
    assert visa.done_at is not None and visa.done_by == volunteer.user and visa.done_side == "volunteer"
    assert visa.document.name.startswith("checklists/") and visa.document.name.endswith(".pdf")
    page = client.get(reverse("placements:checklist", args=[placement.pk])).content.decode()
    assert "Ticked by the volunteer" in page
    assert "1 of 10 steps done" in page


def test_a_step_that_needs_a_document_is_not_ticked_without_one(client, volunteer, placement):
    visa = item(placement, "visa")
    client.force_login(volunteer.user)

    response = client.post(reverse("placements:checklist-item-tick", args=[visa.pk]), {})

    assert response.status_code == 400
    assert "This step needs a document" in response.content.decode()
    visa.refresh_from_db()
    assert visa.done_at is None


def test_a_document_is_checked_as_credentials_are(client, volunteer, placement):
    visa = item(placement, "visa")
    client.force_login(volunteer.user)

    response = client.post(
        reverse("placements:checklist-item-tick", args=[visa.pk]),
        {"document": SimpleUploadedFile("visa.pdf", b"<html><script>alert(1)</script></html>")},
    )

    assert response.status_code == 400
    assert "not a PDF, JPEG or PNG document" in response.content.decode()
    visa.refresh_from_db()
    assert visa.done_at is None and not visa.document


def test_the_volunteer_cannot_tick_a_coordinators_step(client, volunteer, placement):
    accommodation = item(placement, "accommodation")
    client.force_login(volunteer.user)

    response = client.post(reverse("placements:checklist-item-tick", args=[accommodation.pk]), follow=True)

    assert "This step is the coordinators&#x27; to tick, not yours." in response.content.decode()
    accommodation.refresh_from_db()
    assert accommodation.done_at is None


def test_a_coordinator_ticks_their_step_and_may_tick_the_volunteers_for_them(coordinator, placement):
    accommodation = item(placement, "accommodation")
    flights = item(placement, "flights")

    checklist_services.checklist_item_tick(item=accommodation, by=coordinator, side="coordinator")
    checklist_services.checklist_item_tick(item=flights, by=coordinator, side="coordinator")

    flights.refresh_from_db()
    assert flights.done_side == "coordinator" and flights.done_by == coordinator


def test_only_the_side_that_ticked_takes_the_tick_back_and_who_and_when_are_cleared(volunteer, coordinator, placement):
    flights = item(placement, "flights")
    checklist_services.checklist_item_tick(item=flights, by=volunteer.user, side="volunteer")

    with pytest.raises(PermissionDenied, match="Only the volunteer"):
        checklist_services.checklist_item_untick(item=flights, by=coordinator, side="coordinator")
    checklist_services.checklist_item_untick(item=flights, by=volunteer.user, side="volunteer")

    flights.refresh_from_db()
    assert (flights.done_at, flights.done_by, flights.done_side) == (None, None, "")


def test_a_step_is_not_ticked_twice(volunteer, placement):
    flights = item(placement, "flights")
    checklist_services.checklist_item_tick(item=flights, by=volunteer.user, side="volunteer")

    with pytest.raises(ValidationError, match="already ticked"):
        checklist_services.checklist_item_tick(item=flights, by=volunteer.user, side="volunteer")


def test_outsiders_neither_see_nor_tick_a_checklist(client, other_volunteer, other_coordinator, placement):
    flights = item(placement, "flights")
    for user in (other_volunteer.user, other_coordinator):
        client.force_login(user)
        assert client.get(reverse("placements:checklist", args=[placement.pk])).status_code == 404
        assert client.get(reverse("placements:checklist-coordinate", args=[placement.pk])).status_code == 404
        assert client.post(reverse("placements:checklist-item-tick", args=[flights.pk])).status_code == 404
    flights.refresh_from_db()
    assert flights.done_at is None


def test_the_document_goes_to_the_volunteer_and_the_needs_coordinators_only(
    client, volunteer, coordinator, other_coordinator, site_admin, placement
):
    visa = item(placement, "visa")
    checklist_services.checklist_item_tick(
        item=visa, by=volunteer.user, side="volunteer", document=SimpleUploadedFile("visa.pdf", PDF)
    )
    url = reverse("placements:checklist-item-document", args=[visa.pk])

    for user, status in ((volunteer.user, 200), (coordinator, 200), (other_coordinator, 404), (site_admin, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status
        if status == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Disposition"].startswith("attachment")


# The coordinators' view


def test_the_need_page_lists_placements_not_ready_with_their_overdue_steps(
    client, coordinator, volunteer, organisation
):
    need = NeedFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), window_start=days(20), window_end=days(80)
    )
    placement = accepted(volunteer, need, start=days(20))
    client.force_login(coordinator)

    response = client.get(reverse("placements:need-checklists", args=[need.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "0 of 10" in page
    # The invitation letter was due 90 days before a start 20 days away: overdue.
    assert "Invitation letter from the host" in page
    assert reverse("placements:checklist-coordinate", args=[placement.pk]) in page


def test_the_rotation_page_lists_its_slots_placements(client, coordinator, volunteer, organisation):
    from programmes import team_services

    programme = ProgrammeFactory(lead_organisation=organisation)
    site = SiteFactory(organisation=organisation)
    team = team_services.team_create(programme=programme, data={"title": "IR team", "host_site": site}, by=coordinator)
    team_services.team_role_add(team=team, data={"profession": volunteer.profession, "places": 2}, by=coordinator)
    (rotation,) = team_services.team_rotations_add(team=team, dates=[(days(60), days(73))], by=coordinator)
    slot_need = rotation.slots.get().need
    accepted(volunteer, slot_need, start=days(60), end=days(73))
    client.force_login(coordinator)

    page = client.get(reverse("placements:rotation-checklists", args=[rotation.pk])).content.decode()

    assert volunteer.display_name in page
    assert "0 of 10" in page
    # The dates as every other page writes them ("28 December 2026"), not ISO dates.
    dates = f"{date_format(days(60))} – {date_format(days(73))}"
    assert f"<title>Pre-departure checklists: IR team: {dates}" in page
    assert f"<h1>Pre-departure checklists: IR team: {dates}</h1>" in page
    assert days(60).isoformat() not in page


def test_the_readiness_page_says_so_when_nobody_is_going_yet(client, coordinator, need):
    client.force_login(coordinator)

    response = client.get(reverse("placements:need-checklists", args=[need.pk]))

    assert "No accepted placement is coming up here yet" in response.content.decode()


def test_the_readiness_page_reads_a_fixed_number_of_queries(client, coordinator, organisation):
    need = NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation), places=6)
    accepted(VolunteerProfileFactory(), need)
    client.force_login(coordinator)
    url = reverse("placements:need-checklists", args=[need.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        accepted(VolunteerProfileFactory(), need)
    client.get(url)

    with CaptureQueriesContext(connection) as five:
        response = client.get(url)

    assert response.content.decode().count("0 of 10") == 5
    assert len(five.captured_queries) == len(one.captured_queries)


# The volunteer's dashboard


def test_the_dashboard_card_shows_the_next_steps_and_links_to_the_checklist(client, volunteer, placement):
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    assert "Before you go: 0 of 10 steps done" in page
    assert reverse("placements:checklist", args=[placement.pk]) in page


def test_the_dashboard_card_counts_the_overdue_steps_and_says_how_many_more_are_left(client, volunteer, organisation):
    need = NeedFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), window_start=days(20), window_end=days(80)
    )
    placement = accepted(volunteer, need, start=days(20))
    client.force_login(volunteer.user)
    checklist = client.get(reverse("placements:checklist", args=[placement.pk])).content.decode()
    overdue = checklist_selectors.placement_checklist(placement=placement, today=days(0)).overdue

    page = client.get(reverse("placements:dashboard")).content.decode()

    assert len(overdue) > 3
    said = f"{len(overdue)} steps are overdue."
    assert said in checklist
    assert said in page
    assert f"and {10 - 3} more steps" in page


# Reminders


def test_reminders_go_to_the_side_that_acts_once_per_step(
    volunteer, coordinator, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    need = NeedFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), window_start=days(20), window_end=days(80)
    )
    placement = accepted(volunteer, need, start=days(20))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = checklist_services.checklist_reminders_send()
        again = checklist_services.checklist_reminders_send()

    assert sent == 2 and again == 0
    by_address = {message.to[0]: message for message in mailoutbox}
    volunteer_mail = by_address[volunteer.user.email]
    # Due within 7 days of today: every step due 13 days or more before a start 20 days away.
    assert "Visa or entry permit" in volunteer_mail.body
    assert "Accommodation arranged" not in volunteer_mail.body
    assert reverse("placements:checklist", args=[placement.pk]) in volunteer_mail.body
    assert "Accommodation arranged" in by_address[coordinator.email].body
    assert "Security briefing" not in by_address[coordinator.email].body  # due 7 days before: 13 days away
    assert not placement.checklist_items.filter(key="visa", reminded_at__isnull=True).exists()


def test_no_reminder_for_a_step_already_done(volunteer, organisation, mailoutbox, django_capture_on_commit_callbacks):
    need = NeedFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), window_start=days(20), window_end=days(80)
    )
    placement = accepted(volunteer, need, start=days(20))
    for row in placement.checklist_items.filter(who_acts="volunteer"):
        checklist_services.checklist_item_tick(item=row, by=volunteer.user, side="volunteer", document=pdf())
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        checklist_services.checklist_reminders_send()

    assert volunteer.user.email not in [message.to[0] for message in mailoutbox]


def test_reminders_respect_the_deadline_reminders_preference(
    volunteer, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=volunteer.user, deadline_reminders=False)
    need = NeedFactory(
        programme=ProgrammeFactory(lead_organisation=organisation), window_start=days(20), window_end=days(80)
    )
    accepted(volunteer, need, start=days(20))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        checklist_services.checklist_reminders_send()

    assert volunteer.user.email not in [message.to[0] for message in mailoutbox]
    assert Notification.objects.filter(kind="checklist_due", recipient=volunteer.user).exists()


def test_reminders_are_written_in_the_readers_language(
    volunteer, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    volunteer.user.language = "es"
    volunteer.user.save(update_fields=["language"])
    need = NeedFactory(
        programme=ProgrammeFactory(lead_organisation=organisation),
        mode=Mode.ONSITE,
        window_start=days(20),
        window_end=days(80),
    )
    accepted(volunteer, need, start=days(20))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        checklist_services.checklist_reminders_send()

    (message,) = [message for message in mailoutbox if message.to == [volunteer.user.email]]
    assert "Visa o permiso de entrada" in message.body
