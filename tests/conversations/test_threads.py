"""Conversations on applications and placements: the volunteer and the need's coordinators write to each
other on the application's thread; everyone confirmed on a need or a rotation shares a group thread."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conversations import services
from conversations.models import Message, ReadState, Thread
from conversations.subjects import Subject
from notifications.models import Notification, NotificationPreference
from organisations.models import Membership
from placements import pipeline
from placements.models import Application
from programmes import team_services
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    SiteFactory,
    VolunteerProfileFactory,
    today,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def need(organisation):
    return NeedFactory(
        programme=ProgrammeFactory(lead_organisation=organisation, title="Lake Zone IR fellowship"),
        title="PPH embolisation teaching, Moshi",
        places=3,
    )


@pytest.fixture
def application(need, volunteer):
    return ApplicationFactory(need=need, volunteer=volunteer)


def thread_url(application) -> str:
    return reverse("conversations:application-thread", args=[application.pk])


def post(client, url, body="", **files):
    return client.post(url, {"body": body, **files})


def page(client, url, **query) -> str:
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


# --- The application's thread --------------------------------------------------------------------------------


def test_a_thread_is_empty_until_its_first_message_and_is_created_with_it(client, coordinator, application):
    client.force_login(coordinator)

    html = page(client, thread_url(application))

    assert "No messages yet. Write the first one below." in html
    assert not Thread.objects.exists()  # looking creates nothing

    response = post(client, thread_url(application), "Welcome! Your flights: we book them.")

    assert response.status_code == 302
    assert response["Location"] == thread_url(application)
    thread = Thread.objects.get()
    assert thread.application == application
    assert "Welcome! Your flights: we book them." in page(client, thread_url(application))


def test_the_volunteer_reads_the_coordinator_and_replies_and_the_coordinator_sees_the_receipt(
    client, coordinator, volunteer, application
):
    volunteer.name, volunteer.title = "Amina Okafor", "Dr"
    volunteer.save()
    client.force_login(coordinator)
    post(client, thread_url(application), "Can you start on the 3rd?")
    assert "Not read yet" in page(client, thread_url(application))

    client.force_login(volunteer.user)
    html = page(client, thread_url(application))
    assert "Can you start on the 3rd?" in html
    assert coordinator.display_name in html
    post(client, thread_url(application), "Yes, the 3rd suits me.")

    client.force_login(coordinator)
    html = page(client, thread_url(application))
    assert "Yes, the 3rd suits me." in html
    assert "Read by Dr Amina Okafor" in html


def test_a_volunteer_who_does_not_share_their_identity_is_the_boards_pseudonym_to_coordinators(
    client, coordinator, application
):
    volunteer = application.volunteer
    volunteer.name, volunteer.consent_to_share = "Amina Okafor", False
    volunteer.save()
    services.message_post(subject=Subject(application=application), author=volunteer.user, body="Hello")

    client.force_login(coordinator)
    html = page(client, thread_url(application))
    board = page(client, reverse("placements:pipeline", args=[application.need_id]))

    assert f"Volunteer #{application.pk}" in html
    assert f"Volunteer #{application.pk}" in board
    assert "Amina Okafor" not in html
    assert volunteer.user.email not in html


def test_web_addresses_become_links_and_everything_else_is_escaped(client, coordinator, application):
    client.force_login(coordinator)
    post(client, thread_url(application), "Read https://example.org/visa <script>alert(1)</script> & bring <b>ID</b>")

    html = page(client, thread_url(application))

    assert '<a href="https://example.org/visa" rel="nofollow">https://example.org/visa</a>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; bring &lt;b&gt;ID&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html


def test_an_empty_message_is_refused_with_a_clear_error(client, coordinator, application):
    client.force_login(coordinator)

    response = post(client, thread_url(application), "   ")

    assert response.status_code == 400
    assert "Write a message or attach a document." in response.content.decode()
    assert not Message.objects.exists()


def test_internal_notes_never_appear_in_the_thread(client, coordinator, volunteer, application):
    pipeline.application_notes_save(application=application, notes="Hesitant about her CT skills", by=coordinator)
    client.force_login(coordinator)
    post(client, thread_url(application), "Thank you for applying.")

    for user in (coordinator, volunteer.user):
        client.force_login(user)
        html = page(client, thread_url(application))
        assert "Thank you for applying." in html
        assert "Hesitant about her CT skills" not in html
    assert list(Message.objects.values_list("body", flat=True)) == ["Thank you for applying."]


def test_outsiders_get_404_and_visitors_the_login_page(
    client, application, other_volunteer, other_coordinator, organisation_admin, site_admin
):
    url = thread_url(application)
    assert client.get(url).status_code == 302
    for outsider in (other_volunteer.user, other_coordinator):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert post(client, url, "Hello").status_code == 404
    for member in (organisation_admin, site_admin):
        client.force_login(member)
        assert client.get(url).status_code == 200
    assert not Message.objects.exists()


def test_older_messages_are_on_the_next_pages_and_the_newest_is_at_the_bottom(client, coordinator, application):
    subject = Subject(application=application)
    for number in range(1, 31):
        services.message_post(subject=subject, author=coordinator, body=f"Note number {number:02d}.")
    client.force_login(coordinator)

    newest = page(client, thread_url(application))
    older = page(client, thread_url(application), page=2)

    assert newest.index("Note number 29.") < newest.index("Note number 30.")
    assert "Note number 06." in newest and "Note number 05." not in newest
    assert "Older messages" in newest and "Newer messages" not in newest
    assert "Note number 01." in older and "Note number 06." not in older
    assert "Newer messages" in older


# --- Attachments ---------------------------------------------------------------------------------------------


def test_an_attachment_goes_through_the_credential_checks_and_streams_to_participants_only(
    client, coordinator, volunteer, other_volunteer, other_coordinator, application
):
    client.force_login(volunteer.user)
    response = post(client, thread_url(application), "My licence", attachment=SimpleUploadedFile("licence.pdf", PDF))
    assert response.status_code == 302
    message = Message.objects.get()
    assert re.fullmatch(r"conversations/[0-9a-f]{32}\.pdf", message.attachment.name)
    download = reverse("conversations:attachment", args=[message.pk])
    assert download in page(client, thread_url(application))

    for reader in (volunteer.user, coordinator):
        client.force_login(reader)
        response = client.get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert f'filename="message-{message.pk}.pdf"' in response["Content-Disposition"]
    for outsider in (other_volunteer.user, other_coordinator):
        client.force_login(outsider)
        assert client.get(download).status_code == 404


def test_an_attachment_that_is_not_a_document_is_refused(client, volunteer, application):
    client.force_login(volunteer.user)

    response = post(client, thread_url(application), "x", attachment=SimpleUploadedFile("run.pdf", b"MZ\x90\x00"))

    assert response.status_code == 400
    assert "This file is not a PDF, JPEG or PNG document." in response.content.decode()
    assert not Message.objects.exists()


# --- Group threads -------------------------------------------------------------------------------------------


def test_everyone_confirmed_on_a_need_shares_its_group_thread_and_applicants_do_not(
    client, coordinator, need, volunteer, other_volunteer
):
    PlacementFactory(application__need=need, application__volunteer=volunteer)
    ApplicationFactory(need=need, volunteer=other_volunteer)  # still interested: not in the group
    url = reverse("conversations:need-thread", args=[need.pk])
    client.force_login(coordinator)
    post(client, url, "Briefing on Monday at 9, https://meet.example.org/briefing")

    client.force_login(volunteer.user)
    assert "Briefing on Monday at 9" in page(client, url)
    assert post(client, url, "I will be there.").status_code == 302
    client.force_login(other_volunteer.user)
    assert client.get(url).status_code == 404

    client.force_login(coordinator)
    assert "I will be there." in page(client, url)


def test_a_rotation_has_one_group_for_every_role_and_a_slot_leads_there(client, coordinator, need, volunteer):
    team = team_services.team_create(
        programme=need.programme,
        data={"title": "IR team", "host_site": SiteFactory(organisation=need.programme.lead_organisation)},
        by=coordinator,
    )
    team_services.team_role_add(team=team, data={"profession": volunteer.profession, "places": 2}, by=coordinator)
    start = today() + datetime.timedelta(days=100)
    (rotation,) = team_services.team_rotations_add(
        team=team, dates=[(start, start + datetime.timedelta(days=13))], by=coordinator
    )
    slot_need = rotation.slots.get().need
    PlacementFactory(application__need=slot_need, application__volunteer=volunteer)
    client.force_login(volunteer.user)

    response = client.get(reverse("conversations:need-thread", args=[slot_need.pk]))
    assert response["Location"] == reverse("conversations:rotation-thread", args=[rotation.pk])
    url = reverse("conversations:rotation-thread", args=[rotation.pk])
    assert url in page(client, reverse("placements:rotation-team", args=[rotation.pk]))
    post(client, url, "Who brings the ultrasound probe?")

    client.force_login(coordinator)
    assert "Who brings the ultrasound probe?" in page(client, url)


# --- Unread counts -------------------------------------------------------------------------------------------


def test_unread_counts_show_on_the_volunteers_dashboard_and_the_coordinators_board(
    client, coordinator, volunteer, need, application
):
    subject = Subject(application=application)
    services.message_post(subject=subject, author=coordinator, body="One")
    services.message_post(subject=subject, author=coordinator, body="Two")
    services.message_post(subject=subject, author=volunteer.user, body="Three")

    client.force_login(volunteer.user)
    dashboard = page(client, reverse("placements:dashboard"))
    assert thread_url(application) in dashboard
    # Read up to their own message: what the coordinator wrote before it is read.
    assert "unread" not in dashboard
    services.message_post(subject=subject, author=coordinator, body="Four")
    services.message_post(subject=subject, author=coordinator, body="Five")
    assert "2 unread" in page(client, reverse("placements:dashboard"))
    services.message_post(subject=subject, author=volunteer.user, body="Six")

    client.force_login(coordinator)
    board = page(client, reverse("placements:pipeline", args=[need.pk]))
    assert thread_url(application) in board
    assert "1 unread" in board
    page(client, thread_url(application))
    assert "unread" not in page(client, reverse("placements:pipeline", args=[need.pk]))


def test_the_coordinators_application_page_links_to_the_thread(client, coordinator, application):
    client.force_login(coordinator)

    html = page(client, reverse("placements:pipeline-application", args=[application.pk]))

    assert thread_url(application) in html
    assert "Write to the volunteer" in html


# --- E-mails -------------------------------------------------------------------------------------------------


def test_a_new_message_e_mails_the_other_participants_once_per_quarter_hour_in_their_language(
    coordinator,
    organisation_admin,
    other_coordinator,
    volunteer,
    application,
    mailoutbox,
    django_capture_on_commit_callbacks,
    settings,
):
    volunteer.user.language = "fr"
    volunteer.user.save()
    subject = Subject(application=application)

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(subject=subject, author=coordinator, body="Your visa letter is ready.")
        services.message_post(subject=subject, author=coordinator, body="And the invitation letter.")

    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([volunteer.user.email, organisation_admin.email])
    [to_volunteer] = [mail for mail in mailoutbox if mail.to == [volunteer.user.email]]
    assert "Nouveau message" in to_volunteer.subject
    assert settings.SITE_URL + thread_url(application) in to_volunteer.body
    # The e-mail says where to read, never what was written.
    assert "visa letter" not in to_volunteer.body

    # A quarter of an hour later, the next message e-mails again.
    ReadState.objects.update(last_emailed_at=timezone.now() - services.EMAIL_INTERVAL)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(subject=subject, author=volunteer.user, body="Merci !")
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([coordinator.email, organisation_admin.email])


def test_whoever_turned_off_conversation_e_mails_gets_none(
    coordinator, volunteer, application, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=volunteer.user, conversation_messages=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(subject=Subject(application=application), author=coordinator, body="Hello")

    assert mailoutbox == []
    assert Notification.objects.get(recipient=volunteer.user).status == Notification.Status.SKIPPED


# --- Privacy -------------------------------------------------------------------------------------------------


def test_the_export_holds_the_volunteers_threads_and_the_erasure_removes_their_messages(
    client, coordinator, volunteer, need, application, password
):
    subject = Subject(application=application)
    services.message_post(subject=subject, author=coordinator, body="Dear Amina, your flights are booked.")
    services.message_post(
        subject=subject,
        author=volunteer.user,
        body="Thank you!",
        attachment=SimpleUploadedFile("passport.pdf", PDF),
    )
    client.force_login(volunteer.user)

    [thread] = client.get(reverse("privacy:data-export")).json()["conversations"]

    assert thread["application"] == application.pk
    assert [(m["body"], m["written_by_you"], m["attachment"]) for m in thread["messages"]] == [
        ("Dear Amina, your flights are booked.", False, False),
        ("Thank you!", True, True),
    ]
    stored = Message.objects.get(author=volunteer.user).attachment
    assert stored.storage.exists(stored.name)

    response = client.post(reverse("privacy:account-delete"), {"password": password})

    assert response.status_code == 302
    assert list(Message.objects.values_list("body", "attachment")) == [("", ""), ("", "")]
    assert not stored.storage.exists(stored.name)
    client.force_login(coordinator)
    html = page(client, thread_url(Application.objects.get(pk=application.pk)))
    assert html.count("This message was removed.") == 2
    assert "Someone whose account was erased" in html


# --- Admin ---------------------------------------------------------------------------------------------------


def test_site_admins_list_threads_and_messages_read_only_without_their_words(client, site_admin, application):
    message = services.message_post(subject=Subject(application=application), author=site_admin, body="Secret")
    client.force_login(site_admin)

    threads = client.get(reverse("admin:conversations_thread_changelist"))
    messages = client.get(reverse("admin:conversations_message_changelist"))
    detail = client.get(reverse("admin:conversations_message_change", args=[message.pk]))

    assert threads.status_code == messages.status_code == detail.status_code == 200
    assert "Secret" not in messages.content.decode() + detail.content.decode()
    assert 'name="body"' not in detail.content.decode()
    assert (
        client.post(reverse("admin:conversations_message_change", args=[message.pk]), {"body": "x"}).status_code == 403
    )
    assert Message.objects.get().body == "Secret"


def test_a_coordinator_of_the_organisation_joining_later_reads_the_thread(client, organisation, application):
    later = MembershipFactory(organisation=organisation, role=Membership.Role.COORDINATOR).user
    services.message_post(subject=Subject(application=application), author=application.volunteer.user, body="Hi")
    client.force_login(later)

    assert "Hi" in page(client, thread_url(application))


def test_another_volunteer_named_in_a_group_is_named_as_the_board_names_them(client, coordinator, need):
    shy = VolunteerProfileFactory(name="Kofi Mensah", consent_to_share=False)
    placement = PlacementFactory(application__need=need, application__volunteer=shy)
    services.message_post(subject=Subject(need=need), author=shy.user, body="Hello team")
    client.force_login(coordinator)

    html = page(client, reverse("conversations:need-thread", args=[need.pk]))

    assert f"Volunteer #{placement.application_id}" in html
    assert "Kofi Mensah" not in html


def test_the_coordinators_team_page_links_to_each_rotations_group(client, coordinator, need):
    team = team_services.team_create(
        programme=need.programme,
        data={"title": "IR team", "host_site": SiteFactory(organisation=need.programme.lead_organisation)},
        by=coordinator,
    )
    team_services.team_role_add(team=team, data={"profession": "ir_nurse", "places": 1}, by=coordinator)
    start = today() + datetime.timedelta(days=60)
    (rotation,) = team_services.team_rotations_add(
        team=team, dates=[(start, start + datetime.timedelta(days=6))], by=coordinator
    )
    client.force_login(coordinator)

    html = page(client, reverse("programmes:team-manage", args=[team.pk]))

    assert reverse("conversations:rotation-thread", args=[rotation.pk]) in html


def test_a_group_message_e_mails_everyone_confirmed_and_not_the_applicants(
    coordinator, need, volunteer, other_volunteer, mailoutbox, django_capture_on_commit_callbacks
):
    PlacementFactory(application__need=need, application__volunteer=volunteer)
    ApplicationFactory(need=need, volunteer=other_volunteer)

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(subject=Subject(need=need), author=coordinator, body="Briefing on Monday")

    [mail] = mailoutbox
    assert mail.to == [volunteer.user.email]
    assert "everyone confirmed on “PPH embolisation teaching, Moshi”" in mail.body
    assert reverse("conversations:need-thread", args=[need.pk]) in mail.body


def test_a_thread_page_takes_as_many_queries_however_many_messages_and_people(
    client, coordinator, need, django_assert_max_num_queries
):
    def confirmed_volunteer_writes(number):
        placement = PlacementFactory(
            application__need=need,
            application__volunteer=VolunteerProfileFactory(consent_to_share=number % 2 == 0),
        )
        services.message_post(subject=Subject(need=need), author=placement.volunteer.user, body=f"Hello {number}")
        services.message_post(subject=Subject(need=need), author=coordinator, body=f"Welcome {number}")

    confirmed_volunteer_writes(0)
    client.force_login(coordinator)
    url = reverse("conversations:need-thread", args=[need.pk])
    with django_assert_max_num_queries(40) as few:
        page(client, url)
    for number in range(1, 6):
        confirmed_volunteer_writes(number)

    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(client, url)

    assert "Welcome 5" in html


def test_a_volunteer_who_applied_twice_is_named_by_the_application_that_confirmed_them(client, coordinator, need):
    shy = VolunteerProfileFactory(consent_to_share=False)
    ApplicationFactory(need=need, volunteer=shy, status=Application.Status.DECLINED)
    placement = PlacementFactory(application__need=need, application__volunteer=shy)
    ApplicationFactory(need=need, volunteer=shy, status=Application.Status.WITHDRAWN)
    services.message_post(subject=Subject(need=need), author=shy.user, body="Hello team")
    client.force_login(coordinator)

    html = page(client, reverse("conversations:need-thread", args=[need.pk]))

    assert f"Volunteer #{placement.application_id}" in html
