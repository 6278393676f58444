"""E-mails of the pipeline: application received, offer made, offer accepted or declined, application declined."""

import pytest
from django.db import transaction
from django.urls import reverse

from notifications.models import Notification, NotificationPreference
from placements import emails, pipeline, services
from placements.models import Application
from tests.factories import ApplicationFactory, NeedFactory, VolunteerProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(organisation):
    return NeedFactory(
        programme__lead_organisation=organisation,
        programme__title="Road2IR embolisation training",
        title="PPH embolisation teaching, Moshi",
        places=2,
    )


@pytest.fixture
def applicant():
    return VolunteerProfileFactory(
        user__email="ana.pereira@example.org", user__first_name="Ana", user__last_name="Pereira"
    )


@pytest.fixture
def everyone(coordinator, organisation_admin, other_coordinator):
    """Both members of the organisation, and a coordinator of another one who must hear nothing."""
    return coordinator, organisation_admin, other_coordinator


def link(settings, name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def html_of(mail) -> str:
    [(html, kind)] = mail.alternatives
    assert kind == "text/html"
    return html


def submit(applicant, need):
    return services.application_submit(
        volunteer=applicant,
        need=need,
        message="I have taught this twice.",
        proposed_start=need.window_start,
        proposed_end=need.window_end,
    )


def test_coordinators_of_the_lead_organisation_hear_of_a_new_application(
    applicant, need, everyone, mailoutbox, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(applicant, need)

    assert sorted(mail.to[0] for mail in mailoutbox) == ["coordinator@example.org", "org.admin@example.org"]
    mail = mailoutbox[0]
    assert mail.subject == "[GlobalIR] New application for “PPH embolisation teaching, Moshi”"
    url = link(settings, "placements:pipeline-application", application.pk)
    assert url in mail.body
    assert url in html_of(mail)
    assert (
        "Ana Pereira has applied for “PPH embolisation teaching, Moshi” (Road2IR embolisation training)." in mail.body
    )
    # Optional: the e-mail says how to stop it.
    assert "Stop e-mails like this one" in mail.body

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            emails.notify_application_received(application)
    assert len(mailoutbox) == 2


def test_a_coordinator_who_opted_out_gets_no_application_e_mails(
    applicant, need, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=coordinator, application_updates=False)

    with django_capture_on_commit_callbacks(execute=True):
        submit(applicant, need)

    assert mailoutbox == []


def test_the_volunteer_is_e_mailed_an_offer_with_a_link_to_the_dashboard(
    client, applicant, need, coordinator, mailoutbox, django_capture_on_commit_callbacks, settings
):
    application = ApplicationFactory(need=need, volunteer=applicant)
    # An offer is essential: it is sent even to someone who turned every optional e-mail off.
    NotificationPreference.objects.create(
        user=applicant.user,
        application_updates=False,
        deadline_reminders=False,
        feedback_requests=False,
        weekly_digest=False,
    )
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("placements:application-offer", args=[application.pk]))

    [mail] = mailoutbox
    assert mail.to == ["ana.pereira@example.org"]
    assert mail.subject == "[GlobalIR] You are offered a place: “PPH embolisation teaching, Moshi”"
    assert link(settings, "placements:dashboard") in mail.body
    assert link(settings, "placements:dashboard") in html_of(mail)
    assert "Road to IR Test Partners (R2T) offers you a place" in mail.body
    assert "Stop e-mails like this one" not in mail.body

    # The same event once more sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            emails.notify_offer_made(application)
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(event_key=f"offer-made:{application.pk}").count() == 1


@pytest.mark.parametrize(
    ("view", "subject"),
    [
        ("placements:offer-accept", "[GlobalIR] Ana Pereira accepted the offer for “PPH embolisation teaching, Moshi”"),
        (
            "placements:offer-decline",
            "[GlobalIR] Ana Pereira declined the offer for “PPH embolisation teaching, Moshi”",
        ),
    ],
)
def test_coordinators_hear_when_the_volunteer_answers_an_offer(
    client, applicant, need, everyone, mailoutbox, django_capture_on_commit_callbacks, settings, view, subject
):
    application = ApplicationFactory(need=need, volunteer=applicant, status=Application.Status.OFFERED)
    client.force_login(applicant.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(view, args=[application.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(view, args=[application.pk]))  # a second click: nothing more

    assert sorted(mail.to[0] for mail in mailoutbox) == ["coordinator@example.org", "org.admin@example.org"]
    assert {mail.subject for mail in mailoutbox} == {subject}
    target = "placements:pipeline-application" if view == "placements:offer-accept" else "placements:pipeline"
    target_pk = application.pk if view == "placements:offer-accept" else need.pk
    assert link(settings, target, target_pk) in mailoutbox[0].body
    assert link(settings, target, target_pk) in html_of(mailoutbox[0])


def test_the_volunteer_is_e_mailed_the_reason_when_declined(
    client, applicant, need, coordinator, mailoutbox, django_capture_on_commit_callbacks, settings
):
    application = ApplicationFactory(need=need, volunteer=applicant, status=Application.Status.SHORTLISTED)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("placements:application-decline", args=[application.pk]),
            {"reason": "We chose someone who speaks Swahili <fluently>."},
        )

    [mail] = mailoutbox
    assert mail.to == ["ana.pereira@example.org"]
    assert mail.subject == "[GlobalIR] Your application for “PPH embolisation teaching, Moshi”"
    assert "We chose someone who speaks Swahili <fluently>." in mail.body
    assert "We chose someone who speaks Swahili &lt;fluently&gt;." in html_of(mail)
    assert link(settings, "placements:dashboard") in mail.body

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            emails.notify_application_declined(application)
    assert len(mailoutbox) == 1


def test_no_e_mail_when_the_change_is_refused(
    applicant, need, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(need=need, volunteer=applicant, status=Application.Status.ACCEPTED)

    with django_capture_on_commit_callbacks(execute=True):
        for action in (
            lambda: services.application_offer(application=application, by=coordinator),
            lambda: pipeline.application_decline(application=application, reason="No.", by=coordinator),
        ):
            with pytest.raises(Exception, match="cannot"):
                action()

    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_a_volunteer_who_withdrew_consent_is_named_by_number_in_coordinators_e_mails(
    client, need, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    private = VolunteerProfileFactory(user__first_name="Hidden", user__last_name="Name", consent_to_share=False)
    application = ApplicationFactory(need=need, volunteer=private, status=Application.Status.OFFERED)
    client.force_login(private.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("placements:offer-accept", args=[application.pk]))

    [mail] = mailoutbox
    assert f"Volunteer #{application.pk} accepted" in mail.subject
    assert "Hidden" not in mail.body
