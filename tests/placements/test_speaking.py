"""Invitations to speak: a coordinator finds a speaker in the bureau and invites them; the speaker accepts or
declines; e-mails go both ways in each recipient's language; an accepted talk joins the speaker's placements
and calendar."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from globalir.accounts.models import User
from globalir.privacy import account_erase
from organisations.models import Organisation
from placements import speaking
from placements.talks import SpeakingInvitation
from tests.factories import SpeakerProfileFactory, SpeakingInvitationFactory, today

pytestmark = pytest.mark.django_db


def html_of(mail) -> str:
    [(html, kind)] = mail.alternatives
    assert kind == "text/html"
    return html


@pytest.fixture
def speaker(volunteer):
    return SpeakerProfileFactory(profile=volunteer, topics=["embolisation"])


def talk(**changes) -> dict:
    return {
        "event": "Annual meeting of the national IR society",
        "topic": "Embolisation for post-partum haemorrhage",
        "date": (today() + datetime.timedelta(days=40)).isoformat(),
        "format": "onsite",
        "location": "Dar es Salaam, Kilimanjaro Hall",
        "audience": "About 150 radiologists",
        "message": "We would be honoured.",
        **changes,
    }


# The coordinator's side


def test_coordinator_searches_the_bureau_with_filters_in_the_query_string(client, coordinator, organisation, speaker):
    SpeakerProfileFactory(profile__name="Another Speaker", topics=["ct"])
    client.force_login(coordinator)

    response = client.get(reverse("placements:speaker-list", args=[organisation.slug]), {"topic": "embolisation"})

    assert response.status_code == 200
    page = response.content.decode()
    assert speaker.profile.display_name in page
    assert "Another Speaker" not in page
    assert reverse("placements:speaker-invite", args=[organisation.slug, speaker.pk]) in page


def test_the_bureau_never_shows_a_hidden_field_or_the_e_mail_address(client, coordinator, organisation):
    hidden = SpeakerProfileFactory(
        bio="Private notes about my keynote",
        self_description="A very personal description",
        show_bio=False,
        show_identity=False,
    )
    client.force_login(coordinator)

    page = client.get(reverse("placements:speaker-list", args=[organisation.slug])).content.decode()

    assert hidden.profile.display_name in page
    assert "Private notes" not in page
    assert "A very personal description" not in page
    assert '<li class="badge">Woman in IR</li>' not in page
    assert hidden.profile.user.email not in page


def test_a_pending_organisation_cannot_use_the_bureau(client, coordinator, organisation, speaker):
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.PENDING)
    client.force_login(coordinator)

    assert client.get(reverse("placements:speaker-list", args=[organisation.slug])).status_code == 403
    assert client.get(reverse("placements:speaker-invite", args=[organisation.slug, speaker.pk])).status_code == 403


def test_a_speaker_who_is_not_listed_cannot_be_invited(client, coordinator, organisation):
    gone = SpeakerProfileFactory(is_listed=False)
    client.force_login(coordinator)

    response = client.get(reverse("placements:speaker-invite", args=[organisation.slug, gone.pk]))

    assert response.status_code == 404


def test_inviting_a_speaker_e_mails_them_in_their_language(
    client, coordinator, organisation, speaker, mailoutbox, django_capture_on_commit_callbacks, settings
):
    User.objects.filter(pk=speaker.profile.user_id).update(language="fr")
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placements:speaker-invite", args=[organisation.slug, speaker.pk]), talk())

    assert response.status_code == 302
    assert response.url == reverse("placements:talk-list", args=[organisation.slug])
    invitation = SpeakingInvitation.objects.get()
    assert invitation.speaker == speaker.profile
    assert invitation.invited_by == coordinator
    assert invitation.status == SpeakingInvitation.Status.PENDING
    [mail] = mailoutbox
    assert mail.to == [speaker.profile.user.email]
    assert "Road to IR Test Partners" in mail.subject
    assert "vous invite" in mail.subject  # written in French, the speaker's language
    link = settings.SITE_URL + reverse("placements:talk-detail", args=[invitation.pk])
    assert link in mail.body and link in html_of(mail)
    assert "Kilimanjaro Hall" in mail.body


def test_an_invitation_needs_a_venue_on_site_and_a_date_to_come(client, coordinator, organisation, speaker):
    client.force_login(coordinator)
    url = reverse("placements:speaker-invite", args=[organisation.slug, speaker.pk])

    no_venue = client.post(url, talk(location=""))
    past = client.post(url, talk(date=(today() - datetime.timedelta(days=1)).isoformat()))

    assert no_venue.status_code == 400
    assert "Say where the talk is given." in no_venue.content.decode()
    assert past.status_code == 400
    assert "Choose a date from today on." in past.content.decode()
    assert not SpeakingInvitation.objects.exists()


def test_a_remote_talk_keeps_no_venue(coordinator, organisation, speaker):
    invitation = speaking.speaking_invitation_send(
        organisation=organisation,
        speaker=speaker,
        by=coordinator,
        data={**talk(format="remote"), "date": today() + datetime.timedelta(days=3)},
    )

    assert invitation.location == ""


def test_the_organisation_lists_its_invitations_and_sees_an_accepting_speakers_address(
    client, coordinator, organisation, speaker, other_organisation
):
    SpeakingInvitationFactory(organisation=organisation, speaker=speaker.profile, event="Waiting talk")
    SpeakingInvitationFactory(
        organisation=organisation, speaker=speaker.profile, event="Accepted talk", status="accepted"
    )
    SpeakingInvitationFactory(organisation=other_organisation, speaker=speaker.profile, event="Someone else's talk")
    client.force_login(coordinator)

    page = client.get(reverse("placements:talk-list", args=[organisation.slug])).content.decode()

    assert "Waiting talk" in page and "Accepted talk" in page
    assert "Someone else&#x27;s talk" not in page and "Someone else's talk" not in page
    assert page.count(speaker.profile.user.email) == 2  # the mailto link of the accepted one only


# The speaker's side


@pytest.fixture
def invitation(organisation, coordinator, speaker):
    return SpeakingInvitationFactory(organisation=organisation, speaker=speaker.profile, invited_by=coordinator)


def test_the_speaker_sees_the_invitation_on_their_dashboard_and_its_page(client, invitation):
    client.force_login(invitation.speaker.user)

    dashboard = client.get(reverse("placements:dashboard")).content.decode()
    detail = client.get(reverse("placements:talk-detail", args=[invitation.pk])).content.decode()

    assert invitation.event in dashboard
    assert reverse("placements:talk-detail", args=[invitation.pk]) in dashboard
    assert reverse("placements:talk-accept", args=[invitation.pk]) in detail
    assert reverse("placements:talk-decline", args=[invitation.pk]) in detail


def test_accepting_tells_the_inviter_in_their_language_with_the_speakers_address(
    client, invitation, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=coordinator.pk).update(language="es")
    client.force_login(invitation.speaker.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placements:talk-accept", args=[invitation.pk]))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == SpeakingInvitation.Status.ACCEPTED
    assert invitation.answered_at is not None
    [mail] = mailoutbox
    assert mail.to == [coordinator.email]
    assert "aceptó" in mail.subject  # Spanish, the coordinator's language
    assert invitation.speaker.user.email in mail.body


def test_an_accepted_talk_is_in_the_speakers_placements_and_calendar(client, invitation):
    speaking.speaking_invitation_accept(invitation=invitation, by=invitation.speaker.user)
    client.force_login(invitation.speaker.user)

    record = client.get(reverse("placements:placement-record")).content.decode()
    feed = client.get(
        reverse("placements:calendar-feed"), {"token": invitation.speaker.calendar_token}
    ).content.decode()

    assert invitation.event in record
    assert f"UID:talk-{invitation.pk}@globalir" in feed
    assert f"DTSTART;VALUE=DATE:{invitation.date:%Y%m%d}" in feed


def test_declining_tells_the_organisation_with_the_reason(
    client, invitation, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(invitation.speaker.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("placements:talk-decline", args=[invitation.pk]), {"reason": "I am on call that week."})

    invitation.refresh_from_db()
    assert invitation.status == SpeakingInvitation.Status.DECLINED
    assert invitation.decline_reason == "I am on call that week."
    [mail] = mailoutbox
    assert mail.to == [coordinator.email]
    assert "declined" in mail.subject
    assert "I am on call that week." in mail.body
    assert invitation.speaker.user.email not in mail.body


def test_when_the_inviter_has_left_every_coordinator_hears_the_answer(
    invitation, coordinator, organisation_admin, mailoutbox, django_capture_on_commit_callbacks
):
    coordinator.memberships.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        speaking.speaking_invitation_decline(invitation=invitation, by=invitation.speaker.user)

    assert [mail.to for mail in mailoutbox] == [[organisation_admin.email]]


def test_an_invitation_is_answered_once(invitation):
    speaking.speaking_invitation_accept(invitation=invitation, by=invitation.speaker.user)

    with pytest.raises(ValidationError, match="already been answered"):
        speaking.speaking_invitation_decline(invitation=invitation, by=invitation.speaker.user)


def test_only_the_invited_speaker_can_answer(client, invitation, other_volunteer):
    with pytest.raises(PermissionDenied):
        speaking.speaking_invitation_accept(invitation=invitation, by=other_volunteer.user)

    client.force_login(other_volunteer.user)
    assert client.get(reverse("placements:talk-detail", args=[invitation.pk])).status_code == 404
    assert client.post(reverse("placements:talk-accept", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == SpeakingInvitation.Status.PENDING


def test_erasing_the_speaker_withdraws_waiting_invitations_and_keeps_the_organisations_record(invitation):
    accepted = SpeakingInvitationFactory(
        organisation=invitation.organisation, speaker=invitation.speaker, status="accepted", message="Dear Dr Okafor"
    )

    account_erase(user=invitation.speaker.user)

    invitation.refresh_from_db()
    accepted.refresh_from_db()
    assert invitation.status == SpeakingInvitation.Status.WITHDRAWN
    assert invitation.speaker is None and accepted.speaker is None
    assert accepted.status == SpeakingInvitation.Status.ACCEPTED
    assert accepted.message == ""


def test_the_erasure_page_says_the_speaker_profile_goes_and_waiting_invitations_are_withdrawn(client, invitation):
    client.force_login(invitation.speaker.user)

    page = client.get(reverse("privacy:account-delete")).content.decode()

    assert "Your speaker profile in the Speakers Bureau" in page
    assert "These invitations to speak still wait for your answer." in page
    assert invitation.event in page
