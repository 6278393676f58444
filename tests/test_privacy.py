"""A volunteer's own data: downloading it, erasing the account, and who may open a credential's document."""

import datetime
import json
import logging
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from consults.models import ConsultImageView, ConsultMessage, ConsultReport, ConsultRequest
from conversations import services as conversation_services
from conversations.models import Message, ReadState
from conversations.subjects import Subject
from globalir import privacy
from globalir.accounts.audit import audit_login_succeeded
from globalir.accounts.models import AuditEvent, User
from matcher.models import Recommendation
from notifications.models import Notification, NotificationPreference
from organisations.models import Membership
from placements import pipeline, selectors, visit_services
from placements.certificates import Certificate
from placements.certification import certificate_issue
from placements.checklist_services import checklist_item_tick, placement_checklist_create
from placements.checklists import PlacementChecklistItem
from placements.models import Application, Feedback, Placement
from placements.talks import SpeakingInvitation
from placements.visits import Visit, VisitCandidacy, VisitFeedback
from placements.waiting_list import WaitingListEntry
from programmes.models import Need
from tests.factories import (
    ApplicationFactory,
    AvailabilityWindowFactory,
    CredentialFactory,
    FeedbackFactory,
    HostRequestFactory,
    MembershipFactory,
    NeedFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    SiteFactory,
    SpeakerProfileFactory,
    SpeakingInvitationFactory,
    VisitCandidacyFactory,
    VolunteerProfileFactory,
    WaitingListEntryFactory,
    language,
    skill,
    today,
)
from volunteers.models import AvailabilityWindow, Credential, VolunteerLanguage, VolunteerProfile
from volunteers.speakers import SpeakerProfile

pytestmark = pytest.mark.django_db

EXPORT = reverse("privacy:data-export")
DELETE = reverse("privacy:account-delete")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def document(name: str = "licence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def export_of(client) -> dict:
    response = client.get(EXPORT)
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def rich_volunteer(volunteer):
    """The volunteer with something in every section of their data."""
    VolunteerLanguage.objects.create(profile=volunteer, language=language("fr"), proficiency=2)
    volunteer.skills.add(skill("image-guided-biopsy"))
    AvailabilityWindowFactory(profile=volunteer, hours_per_week=6)
    CredentialFactory(profile=volunteer, title="Licence to practise in Ontario", document=document())
    need = NeedFactory(title="Ultrasound teaching in Mwanza", programme__lead_organisation__name="Mwanza Imaging Trust")
    ApplicationFactory(volunteer=volunteer, need=need, message="I can teach point-of-care ultrasound.")
    placement = PlacementFactory(application__volunteer=volunteer, application__need__title="PPH embolisation, Moshi")
    # Its pre-departure checklist, with a step ticked and its document.
    placement_checklist_create(placement=placement)
    checklist_item_tick(
        item=placement.checklist_items.get(key="visa"),
        by=volunteer.user,
        side="volunteer",
        document=SimpleUploadedFile("visa.pdf", b"%PDF-1.4\n% a visa\n%%EOF\n"),
    )
    FeedbackFactory(placement=placement, rating=4, comments="Great teaching list, welcoming team.")
    Placement.objects.filter(pk=placement.pk).update(completed_at=timezone.now())
    placement.refresh_from_db()
    certificate_issue(placement=placement)
    FeedbackFactory(
        placement=placement,
        side=Feedback.Side.ORGANISATION,
        author=MembershipFactory(organisation=placement.need.programme.lead_organisation).user,
        comments="Thank you for training our fellows in embolisation.",
    )
    Recommendation.objects.create(
        volunteer=volunteer,
        need=need,
        score=87.5,
        rank_for_volunteer=1,
        factors={"languages": 12.5},
        computed_at=timezone.now(),
    )
    NotificationPreference.objects.create(user=volunteer.user, weekly_digest=True)
    Notification.objects.create(
        kind="offer_made", event_key="privacy:offer", recipient=volunteer.user, email=volunteer.user.email
    )
    SpeakerProfileFactory(profile=volunteer)
    SpeakingInvitationFactory(speaker=volunteer, decline_reason="Away that week.", status="declined")
    WaitingListEntryFactory(volunteer=volunteer)
    audit_login_succeeded(request=None, user=volunteer.user)
    visit_with_feedback(volunteer, comments="Superb hands-on sessions in Nairobi.")
    # A conversation on the placement: the coordinator wrote, the volunteer read and answered.
    conversation = Subject(application=placement.application)
    coordinator = Membership.objects.filter(organisation=placement.need.programme.lead_organisation).first().user
    conversation_services.message_post(subject=conversation, author=coordinator, body="Your visa letter is ready.")
    conversation_services.message_post(
        subject=conversation, author=volunteer.user, body="Thank you, I will collect it.", attachment=document()
    )
    return volunteer


def visit_with_feedback(volunteer, comments: str = "", start: int = -20) -> Visit:
    """A visiting-professor candidacy of the volunteer, a visit a round made of it, and its feedback."""
    candidacy = VisitCandidacyFactory(volunteer=volunteer)
    host_request = HostRequestFactory(
        programme=candidacy.programme, preferred_start=days(start), preferred_end=days(start + 5)
    )
    visit = Visit.objects.create(
        host_request=host_request, candidacy=candidacy, start_date=days(start), end_date=days(start + 5)
    )
    VisitFeedback.objects.create(
        visit=visit, side=VisitFeedback.Side.PROFESSOR, rating=5, comments=comments, given_by=volunteer.user
    )
    return visit


# Export


def test_volunteer_downloads_every_section_of_their_data_as_a_json_attachment(client, rich_volunteer):
    client.force_login(rich_volunteer.user)

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="globalir-my-data-\d{4}-\d{2}-\d{2}\.json"', response["Content-Disposition"]
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    account = data["account"]
    assert account["email"] == "volunteer@example.org"
    assert account["date_joined"]
    assert account["email_addresses"] == [{"email": "volunteer@example.org", "verified": True, "primary": True}]
    profile = data["volunteer_profile"]
    assert profile["profession"] == "ir_physician"
    assert profile["profession_display"] == "Interventional radiologist"
    assert profile["home_country"] == "CA"
    assert profile["home_country_name"] == "Canada"
    assert profile["institution"] == "Lakeside General Hospital"
    assert profile["bio"] == "Interventional radiologist keen to teach."
    assert profile["preferred_regions_display"] == ["Sub-Saharan Africa"]
    assert {(row["code"], row["proficiency"]) for row in data["languages"]} == {("en", 4), ("fr", 2)}
    assert [row["slug"] for row in data["skills"]] == ["image-guided-biopsy"]
    assert [row["hours_per_week"] for row in data["availability"]] == [6]
    [credential] = data["credentials"]
    assert credential["title"] == "Licence to practise in Ontario"
    assert credential["status"] == "pending"
    assert credential["expires_on"] == days(3 * 365).isoformat()
    assert credential["has_document"] is True
    assert "document" not in credential
    applications = {row["need"]["title"]: row for row in data["applications"]}
    assert applications["Ultrasound teaching in Mwanza"]["status"] == "interested"
    assert applications["Ultrasound teaching in Mwanza"]["message"] == "I can teach point-of-care ultrasound."
    assert applications["Ultrasound teaching in Mwanza"]["need"]["organisation"] == "Mwanza Imaging Trust"
    assert applications["PPH embolisation, Moshi"]["status"] == "accepted"
    assert applications["PPH embolisation, Moshi"]["accepted_at"]
    [placement] = data["placements"]
    assert placement["need"]["title"] == "PPH embolisation, Moshi"
    assert placement["start_date"] and placement["end_date"]
    feedback = {row["side"]: row for row in data["feedback"]}
    assert feedback["volunteer"]["comments"] == "Great teaching list, welcoming team."
    assert feedback["volunteer"]["rating"] == 4
    assert feedback["organisation"]["comments"] == "Thank you for training our fellows in embolisation."
    assert feedback["organisation"]["need"]["title"] == "PPH embolisation, Moshi"
    [candidacy] = data["visit_candidacies"]
    assert candidacy["statement"].startswith("Twenty years of embolisation teaching")
    assert candidacy["status_display"] == "Active"
    assert candidacy["topics"] == ["Embolisation"]
    [visit] = data["visits"]
    assert visit["candidacy"] == candidacy["id"]
    assert (visit["country"], visit["city"]) == ("KE", "Nairobi")
    [visit_feedback] = data["visit_feedback"]
    assert visit_feedback["visit"] == visit["id"]
    assert (visit_feedback["side"], visit_feedback["rating"]) == ("professor", 5)
    assert visit_feedback["comments"] == "Superb hands-on sessions in Nairobi."
    [conversation] = data["conversations"]
    assert conversation["need"] == "PPH embolisation, Moshi"
    assert [(row["body"], row["written_by_you"], row["attachment"]) for row in conversation["messages"]] == [
        ("Your visa letter is ready.", False, False),
        ("Thank you, I will collect it.", True, True),
    ]
    assert conversation["read_receipt"]["last_read_message_id"] == conversation["messages"][1]["id"]


def test_export_contains_nothing_of_another_volunteer(client, rich_volunteer):
    other = VolunteerProfileFactory(
        user__email="someone.else@example.org", institution="Harbour Hospital", bio="Sonographer from Lagos."
    )
    CredentialFactory(profile=other, title="Nigerian sonography registration", document=document())
    ApplicationFactory(volunteer=other, need__title="Tele-radiology reporting for Kigali")
    PlacementFactory(application__volunteer=other, application__need__title="CT protocols in Zomba")
    client.force_login(rich_volunteer.user)

    content = client.get(EXPORT).content.decode()

    for secret in (
        "someone.else@example.org",
        "Harbour Hospital",
        "Sonographer from Lagos.",
        "Nigerian sonography registration",
        "Tele-radiology reporting for Kigali",
        "CT protocols in Zomba",
    ):
        assert secret not in content


# Fields each model may keep out of the export, and why. Any other field must be exported: a new
# personal field makes this test fail until it is exported or listed here with its reason.
NOT_EXPORTED = {
    User: {
        "id": "an internal number",
        "password": "a secret (and only its hash is stored)",
        "groups": "site admins' permissions, not personal data",
        "user_permissions": "site admins' permissions, not personal data",
    },
    VolunteerProfile: {
        "id": "an internal number",
        "user": "exported as the account",
        "skills": "exported as their own section",
        "calendar_token": "a secret: the key to the calendar feed, shown on the dashboard",
    },
    VolunteerLanguage: {
        "id": "an internal number",
        "profile": "the volunteer",
        "language": "exported as code and name",
    },
    AvailabilityWindow: {"id": "an internal number", "profile": "the volunteer"},
    Credential: {
        "profile": "the volunteer",
        "document": "the file itself: downloaded from the credentials page; has_document says it exists",
        "verified_by": "a GlobalIR team member's identity, not the volunteer's data",
    },
    Application: {
        "volunteer": "the volunteer",
        "need": "exported as the need's title, programme and organisation",
        "coordinator_notes": "the organisation's internal notes, kept from volunteers (issue 4); the organisation "
        "answers a request for them as data controller",
    },
    Placement: {
        "volunteer": "the volunteer",
        "need": "exported as the need's title, programme and organisation",
        "application": "exported as the application's id",
    },
    PlacementChecklistItem: {
        "placement": "exported as the placement's id",
        "key": "exported as the step's title, in the reader's language",
        "title": "exported as the step's title",
        "position": "the order of the steps, which the export keeps",
        "document": "the file itself: downloaded from the checklist page; has_document says it exists",
        "done_by": "exported as ticked_by_you: a coordinator's identity is not the volunteer's data",
        "reminded_at": "the reminders' bookkeeping",
    },
    Certificate: {
        "id": "an internal number",
        "placement": "exported as the placement's id",
        "coordinator": "a coordinator's identity, not the volunteer's data: their name as printed is exported",
    },
    Feedback: {
        "placement": "exported as the placement's id and its need",
        "author": "the volunteer, or a coordinator whose identity is not the volunteer's data",
    },
    Recommendation: {
        "id": "an internal number",
        "volunteer": "the volunteer",
        "need": "exported as the need's title, programme and organisation",
        "fingerprint": "a hash of the exported score, ranks and factors that lets a refresh skip unchanged rows",
    },
    Membership: {"id": "an internal number", "user": "the user", "organisation": "exported as its name"},
    NotificationPreference: {"id": "an internal number", "user": "the user"},
    Notification: {
        "id": "an internal number",
        "recipient": "the user",
        "event_key": "an internal key that stops an e-mail going twice",
        "language": "the language of the page of whoever caused the e-mail, used only for an address with no account",
        "context": "the e-mail's template data, which can hold sign-in and invitation links",
        "attempts": "the sending machinery's bookkeeping",
        "last_error": "the sending machinery's bookkeeping",
        "claimed_at": "the sending machinery's bookkeeping",
    },
    AuditEvent: {"id": "an internal number", "actor": "the user", "subject": "the user"},
    SpeakerProfile: {"id": "an internal number", "profile": "the volunteer"},
    SpeakingInvitation: {
        "speaker": "the volunteer",
        "invited_by": "a coordinator's identity, not the volunteer's data",
    },
    VisitCandidacy: {
        "volunteer": "the volunteer",
        "programme": "exported as the programme's title and organisation",
        "topics": "exported as the topics' names",
    },
    Visit: {
        "candidacy": "exported as the candidacy's id",
        "host_request": "exported as the host, the request's title, country and city",
    },
    Message: {
        "thread": "exported as the conversation it belongs to",
        "author": "exported as written_by_you; a coordinator's identity is not the volunteer's data",
    },
    ReadState: {"id": "an internal number", "thread": "exported as its conversation", "user": "the user"},
    VisitFeedback: {
        "visit": "exported as the visit's id",
        "given_by": "the volunteer, or a host's coordinator whose identity is not the volunteer's data",
    },
    WaitingListEntry: {
        "volunteer": "the volunteer",
        "need": "exported as the need's title, programme and organisation",
    },
    ConsultRequest: {
        "id": "an internal number",
        "site": "the host hospital's record",
        "created_by": "the person themselves",
        "language": "how the request is routed to volunteers",
        "profession": "how the request is routed to volunteers",
        "offered_at": "the volunteers' handling of the request, not about the person asking",
        "escalated_at": "the volunteers' handling of the request, not about the person asking",
        "claimed_by": "the volunteer who answers: not the person asking",
        "claimed_at": "the volunteers' handling of the request, not about the person asking",
        "answered_at": "the volunteers' handling of the request, exported with the report to whoever wrote it",
    },
    ConsultReport: {"id": "an internal number", "author": "the person themselves"},
    ConsultMessage: {"id": "an internal number", "author": "the person themselves"},
    ConsultImageView: {
        "id": "an internal number",
        "image": "a de-identified image of a patient: not the person's data",
        "viewer": "the person themselves",
    },
}

# Models of ours that hold something pointing at a person (a link to a user or a volunteer profile, an
# e-mail or IP address) but are not part of a person's export, and why. A new such model makes
# test_every_model_that_holds_personal_data_is_exported_or_listed fail until it is classified.
NOT_EXPORTED_MODELS = {
    "organisations.Organisation": "the organisation's record: who asked to list it and who verified it",
    "organisations.Invitation": "the organisation's record of whom it invited; the membership it led to is exported",
    "matcher.MatchRound": "a programme's record: the coordinator who opened the round",
    "outbox.OutboxTask": "the portal's queue of background work: ids only, cancelled when the account is erased",
    "programmes.Elective": "a need's record: the member of the host organisation who supervises its students; "
    "the membership is exported",
    "programmes.HostRequest": "a host's request: the coordinator who posted it",
    "matcher.HostMatchRound": "a programme's record: the coordinator who opened the round",
    "api.ApiToken": "an organisation's key to its API: the admins who created and revoked it (the export lists the "
    "tokens a person created; erasure unlinks them)",
    "api.ApiTokenUse": "an organisation's record of the requests made with its token: the address of the system that "
    "sent each, no person",
}
# django-simple-history's audit trails (Historical… models) are not listed one by one: who changed a
# record and when, kept for accountability; they copy fields of records that are exported, and
# account_erase anonymises them (tests/test_erasure_walk.py proves it).


def exported_records(client, rich_volunteer, coordinator) -> dict:
    """One exported record of each model the export covers."""
    _consult_of(rich_volunteer)
    client.force_login(rich_volunteer.user)
    data = export_of(client)
    client.force_login(coordinator)
    [membership] = export_of(client)["memberships"]
    return {
        User: data["account"],
        VolunteerProfile: data["volunteer_profile"],
        VolunteerLanguage: data["languages"][0],
        AvailabilityWindow: data["availability"][0],
        Credential: data["credentials"][0],
        Application: data["applications"][0],
        Placement: data["placements"][0],
        PlacementChecklistItem: data["checklist_items"][0],
        Feedback: data["feedback"][0],
        Certificate: data["certificates"][0],
        Recommendation: data["recommendations"][0],
        Membership: membership,
        NotificationPreference: data["notification_preferences"],
        Notification: data["emails"][0],
        AuditEvent: data["security_events"][0],
        SpeakerProfile: data["speaker_profile"],
        SpeakingInvitation: data["speaking_invitations"][0],
        VisitCandidacy: data["visit_candidacies"][0],
        Visit: data["visits"][0],
        Message: data["conversations"][0]["messages"][1],
        ReadState: data["conversations"][0]["read_receipt"],
        VisitFeedback: data["visit_feedback"][0],
        WaitingListEntry: data["waiting_lists"][0],
        ConsultRequest: data["consult_requests"][0],
        ConsultReport: data["consult_reports"][0],
        ConsultMessage: data["consult_messages"][0],
        ConsultImageView: data["consult_image_views"][0],
    }


def _consult_of(profile) -> None:
    """A consult the person both asked (as a partner clinician) and answered, with a message and an image view."""
    consult = ConsultRequest.objects.create(
        site=SiteFactory(),
        created_by=profile.user,
        question="Pneumothorax?",
        modality="CR",
        body_part="Chest",
        language_id="en",
        status=ConsultRequest.Status.ANSWERED,
        claimed_by=profile,
        claimed_at=timezone.now(),
    )
    ConsultReport.objects.create(request=consult, author=profile, findings="No.", impression="No.", confidence="high")
    ConsultMessage.objects.create(request=consult, author=profile.user, body="Which side?")
    ConsultImageView.objects.create(request_public_id=consult.public_id, viewer=profile.user, how="preview")


def personal_models() -> list[type[models.Model]]:
    """Our own apps' models (not third-party ones) that point at a person: a link to a user or a
    volunteer profile, an e-mail address or an IP address."""
    ours = [config for config in apps.get_app_configs() if Path(config.path).is_relative_to(settings.BASE_DIR)]
    ours = [config for config in ours if ".venv" not in Path(config.path).parts]
    found = []
    for config in ours:
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if (field.is_relation and field.related_model in (User, VolunteerProfile)) or isinstance(
                    field, (models.EmailField, models.GenericIPAddressField)
                ):
                    found.append(model)
                    break
    return found


def test_the_walk_finds_the_models_that_hold_personal_data():
    labels = {model._meta.label for model in personal_models()}

    assert {
        "accounts.User",
        "accounts.AuditEvent",
        "volunteers.VolunteerProfile",
        "volunteers.Credential",
        "placements.Application",
        "matcher.Recommendation",
        "notifications.Notification",
        "notifications.NotificationPreference",
        "organisations.Invitation",
        "organisations.HistoricalMembership",
    } <= labels


def test_every_model_that_holds_personal_data_is_exported_or_listed(client, rich_volunteer, coordinator):
    exported = exported_records(client, rich_volunteer, coordinator)

    unclassified = [
        model._meta.label
        for model in personal_models()
        if model not in exported
        and model._meta.label not in NOT_EXPORTED_MODELS
        and not (model.__name__.startswith("Historical") and hasattr(model, "instance_type"))
    ]
    assert unclassified == [], (
        f"Export these models in programmes.selectors.volunteer_data_export, or say in NOT_EXPORTED_MODELS "
        f"why they are not: {unclassified}"
    )
    stale = [label for label in NOT_EXPORTED_MODELS if label not in {m._meta.label for m in personal_models()}]
    assert stale == [], f"These models no longer hold personal data, or are gone: {stale}"


def test_export_carries_every_personal_field_of_the_volunteers_models(client, rich_volunteer, coordinator):
    exported = exported_records(client, rich_volunteer, coordinator)

    missing = []
    for model, record in exported.items():
        names = {field.name for field in model._meta.get_fields() if field.concrete}
        for name in sorted(names - set(record) - set(NOT_EXPORTED[model])):
            missing.append(f"{model.__name__}.{name}")
    assert missing == [], f"Export these fields, or say in NOT_EXPORTED why they are not: {missing}"


def test_user_without_a_volunteer_profile_gets_their_account_data(client, coordinator):
    client.force_login(coordinator)

    data = export_of(client)

    assert data["account"]["email"] == "coordinator@example.org"
    assert data["memberships"] == [
        {
            "organisation": "Road to IR Test Partners",
            "role": "coordinator",
            "role_display": "Programme coordinator",
            "created_at": data["memberships"][0]["created_at"],
        }
    ]
    assert data["volunteer_profile"] is None
    assert data["credentials"] == data["applications"] == data["placements"] == data["feedback"] == []
    assert data["recommendations"] == []
    assert data["visit_candidacies"] == data["visits"] == data["visit_feedback"] == []


def test_export_takes_the_same_few_queries_however_much_data(client, rich_volunteer, django_assert_max_num_queries):
    for n in range(3):
        AvailabilityWindowFactory(profile=rich_volunteer)
        CredentialFactory(profile=rich_volunteer)
        SpeakingInvitationFactory(speaker=rich_volunteer)
        # One after the other: a volunteer cannot be on site in two places at once.
        placement = PlacementFactory(
            application__volunteer=rich_volunteer,
            application__proposed_start=days(100 + 30 * n),
            application__proposed_end=days(110 + 30 * n),
        )
        conversation_services.message_post(
            subject=Subject(application=placement.application), author=rich_volunteer.user, body="Hello"
        )
        visit_with_feedback(rich_volunteer, start=-100 - 10 * n)
    client.force_login(rich_volunteer.user)

    # Session, user and allauth's record of the session (3), then the export's (the linked ORCID iD; the speaker
    # profile's topics and languages among them; the visiting-professor candidacies, their topics, visits and feedback;
    # the waiting lists; the conversations, their messages and read receipts; the checklists' steps; the
    # certificates of service; the consults asked and answered, their messages and image views; the API tokens
    # they created).
    with django_assert_max_num_queries(35):
        export_of(client)


def test_export_is_logged_with_the_user_number_and_none_of_the_data(client, rich_volunteer, caplog):
    client.force_login(rich_volunteer.user)

    with caplog.at_level(logging.INFO, logger="programmes"):
        export_of(client)

    assert f"User {rich_volunteer.user.pk} exported their personal data" in caplog.text
    assert "volunteer@example.org" not in caplog.text
    assert "Lakeside" not in caplog.text


def test_profile_page_links_to_the_export_and_to_account_deletion(client, volunteer):
    client.force_login(volunteer.user)

    page = client.get(reverse("volunteers:profile")).content.decode()

    assert f'href="{EXPORT}"' in page
    assert f'href="{DELETE}"' in page


# Signing in first


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "privacy:data-export"),
        ("get", "privacy:account-delete"),
        ("post", "privacy:account-delete"),
        ("post", "placements:calendar-token-reset"),
    ],
)
def test_anonymous_visitor_is_sent_to_log_in(client, method, name):
    url = reverse(name)

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


# Erasing the account


def test_delete_page_says_what_is_erased_and_what_stays(client, rich_volunteer):
    PlacementFactory(
        application__volunteer=rich_volunteer,
        application__need__title="Fluoroscopy training, Blantyre",
        application__need__programme__lead_organisation__name="Blantyre Radiology Partners",
        # After the fixture's placement: a volunteer cannot be on site in two places at once.
        application__proposed_start=days(200),
        application__proposed_end=days(214),
    )
    client.force_login(rich_volunteer.user)

    response = client.get(DELETE)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "What is erased" in page
    assert "What stays, without your name" in page
    assert "Your 1 credential, with its uploaded document." in page
    assert "What organisations wrote about you: their internal notes on your applications" in page
    # The application in progress is listed as one that will be withdrawn …
    assert "Ultrasound teaching in Mwanza (Interested)" in page
    # … and the volunteer is told that placements still to come are given up with the account.
    assert "Fluoroscopy training, Blantyre with Blantyre Radiology Partners" in page
    assert "Those that have not started yet are given up with your account" in page
    assert "So do the visits you made as a visiting professor" in page
    assert '<input type="password" name="password"' in page
    assert reverse("privacy:data-export") in page


def test_wrong_password_deletes_nothing(client, rich_volunteer):
    client.force_login(rich_volunteer.user)
    [credential] = Credential.objects.filter(profile=rich_volunteer)

    response = client.post(DELETE, {"password": "not-my-password"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your account was not deleted" in page
    assert "Incorrect password." in page
    assert User.objects.filter(pk=rich_volunteer.user.pk).exists()
    assert VolunteerProfile.objects.filter(pk=rich_volunteer.pk).exists()
    assert Credential.objects.filter(pk=credential.pk).exists()
    assert default_storage.exists(credential.document.name)
    assert Application.objects.filter(volunteer=rich_volunteer, status=Application.Status.INTERESTED).exists()
    assert client.get(EXPORT).status_code == 200  # still signed in


def test_right_password_erases_the_volunteer_and_keeps_anonymised_applications_and_placements(
    client, rich_volunteer, other_volunteer, password, django_capture_on_commit_callbacks
):
    user_pk, profile_pk, token = rich_volunteer.user.pk, rich_volunteer.pk, rich_volunteer.calendar_token
    [credential] = Credential.objects.filter(profile=rich_volunteer)
    others = CredentialFactory(profile=other_volunteer, document=document())
    in_progress = Application.objects.get(volunteer=rich_volunteer, status=Application.Status.INTERESTED)
    placement = Placement.objects.get(volunteer=rich_volunteer)
    client.force_login(rich_volunteer.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"password": password})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not User.objects.filter(pk=user_pk).exists()
    assert not EmailAddress.objects.filter(email="volunteer@example.org").exists()
    assert not VolunteerProfile.objects.filter(pk=profile_pk).exists()
    assert not Credential.objects.filter(pk=credential.pk).exists()
    assert not VolunteerLanguage.objects.filter(profile_id=profile_pk).exists()
    assert not AvailabilityWindow.objects.filter(profile_id=profile_pk).exists()
    assert not default_storage.exists(credential.document.name)
    # Other volunteers keep their documents.
    assert default_storage.exists(others.document.name)
    # The application still in progress is withdrawn, anonymised, and its message blanked.
    in_progress.refresh_from_db()
    assert in_progress.volunteer is None
    assert in_progress.status == Application.Status.WITHDRAWN
    assert in_progress.withdrawn_at is not None
    assert in_progress.message == ""
    # The placement still to come is given up; it stays for the organisation's reports, without the volunteer.
    placement.refresh_from_db()
    assert placement.volunteer is None
    assert placement.application.volunteer is None
    assert placement.application.status == Application.Status.WITHDRAWN
    # The calendar link dies with the account.
    assert client.get(reverse("placements:calendar-feed"), {"token": token}).status_code == 404
    # Signed out, and told so.
    assert client.get(EXPORT).status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert "Your account and your personal data have been erased." in home


def test_erasure_blanks_every_text_about_the_volunteer_and_keeps_the_feedback_ratings(
    client, rich_volunteer, coordinator, organisation, password
):
    # Notes about a person and a reason addressed to them are personal data, whoever wrote them; so are
    # the organisation's comments on their placement, and their own.
    in_progress = Application.objects.get(volunteer=rich_volunteer, status=Application.Status.INTERESTED)
    pipeline.application_notes_save(application=in_progress, notes="Dr Reyes: call after 6 pm.", by=coordinator)
    declined = pipeline.application_decline(
        application=ApplicationFactory(
            volunteer=rich_volunteer, need=NeedFactory(programme__lead_organisation=organisation)
        ),
        reason="Dr Reyes, the places went to radiographers with CT experience.",
        by=coordinator,
    )
    placement = Placement.objects.get(volunteer=rich_volunteer)
    client.force_login(rich_volunteer.user)

    response = client.post(DELETE, {"password": password})

    assert response.status_code == 302
    assert (
        list(
            Application.objects.filter(pk__in=[in_progress.pk, declined.pk]).values_list(
                "coordinator_notes", "decline_reason", "message"
            )
        )
        == [("", "", "")] * 2
    )
    assert set(Application.history.filter(id=declined.pk).values_list("decline_reason", flat=True)) == {""}
    assert sorted(Feedback.objects.filter(placement=placement).values_list("side", "rating", "comments")) == [
        (Feedback.Side.ORGANISATION, 5, ""),
        (Feedback.Side.VOLUNTEER, 4, ""),
    ]


def test_erasure_keeps_a_visit_that_took_place_in_the_programmes_report_without_the_volunteer(
    client, rich_volunteer, password
):
    past = Visit.objects.get(candidacy__volunteer=rich_volunteer)
    VisitFeedback.objects.create(visit=past, side=VisitFeedback.Side.HOST, rating=3, comments="Dr Reyes was late.")
    upcoming = visit_with_feedback(rich_volunteer, start=60)
    VisitFeedback.objects.filter(visit=upcoming).delete()
    unmatched = VisitCandidacyFactory(volunteer=rich_volunteer)
    report = visit_services.visit_report(programme=past.candidacy.programme)
    client.force_login(rich_volunteer.user)

    assert client.post(DELETE, {"password": password}).status_code == 302

    candidacy = VisitCandidacy.objects.get(pk=past.candidacy_id)
    assert (candidacy.volunteer, candidacy.statement, candidacy.status) == (None, "", VisitCandidacy.Status.WITHDRAWN)
    assert sorted(VisitFeedback.objects.filter(visit=past).values_list("side", "rating", "comments")) == [
        (VisitFeedback.Side.HOST, 3, ""),
        (VisitFeedback.Side.PROFESSOR, 5, ""),
    ]
    assert visit_services.visit_report(programme=past.candidacy.programme) == report
    # A visit still to come is given up with the account; so is a candidacy that led to no visit.
    assert not Visit.objects.filter(pk=upcoming.pk).exists()
    assert not VisitCandidacy.objects.filter(pk__in=[upcoming.candidacy_id, unmatched.pk]).exists()


def test_coordinator_without_a_volunteer_profile_can_erase_their_account(client, coordinator, password):
    client.force_login(coordinator)

    response = client.post(DELETE, {"password": password})

    assert response.status_code == 302
    assert not User.objects.filter(email="coordinator@example.org").exists()
    assert not Membership.objects.filter(user_id=coordinator.pk).exists()


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        ("site_admin", "Site admin accounts are closed by another site admin"),
        ("organisation_admin", "You are the only admin of Road to IR Test Partners."),
    ],
)
def test_accounts_others_depend_on_cannot_be_erased(client, request, password, who, reason):
    user = request.getfixturevalue(who)
    client.force_login(user)

    page = client.get(DELETE).content.decode()
    response = client.post(DELETE, {"password": password})

    assert reason in page
    assert '<input type="password"' not in page
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_organisation_admin_can_erase_their_account_once_another_admin_exists(
    client, organisation, organisation_admin, password
):
    MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    client.force_login(organisation_admin)

    response = client.post(DELETE, {"password": password})

    assert response.status_code == 302
    assert not User.objects.filter(pk=organisation_admin.pk).exists()


def filled_need_held_by(volunteer, *, starts_in_days: int, deadline_in_days: int = 30):
    """A one-place need, filled by `volunteer`'s accepted placement that starts in `starts_in_days`."""
    need = NeedFactory(
        places=1,
        status=Need.Status.FILLED,
        filled_at=timezone.now(),
        window_start=today() + datetime.timedelta(days=min(starts_in_days, 0)),
        window_end=today() + datetime.timedelta(days=90),
        application_deadline=today() + datetime.timedelta(days=deadline_in_days),
    )
    placement = PlacementFactory(
        application__need=need,
        application__volunteer=volunteer,
        application__proposed_start=days(starts_in_days),
        application__proposed_end=days(starts_in_days + 20),
    )
    return need, placement


def test_erasing_a_volunteer_who_held_the_last_place_reopens_the_need(client, volunteer, password):
    need, placement = filled_need_held_by(volunteer, starts_in_days=40)
    client.force_login(volunteer.user)

    client.post(DELETE, {"password": password})

    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
    assert need.filled_at is None
    placement.application.refresh_from_db()
    assert placement.application.status == Application.Status.WITHDRAWN
    assert placement.application.withdrawn_at is not None


@pytest.mark.parametrize(
    ("starts_in_days", "deadline_in_days", "why"),
    [(-5, 30, "the placement is under way"), (40, -1, "the need's application deadline has passed")],
)
def test_need_stays_filled_when_the_place_cannot_go_to_someone_else(
    client, volunteer, password, starts_in_days, deadline_in_days, why
):
    need, placement = filled_need_held_by(volunteer, starts_in_days=starts_in_days, deadline_in_days=deadline_in_days)
    client.force_login(volunteer.user)

    client.post(DELETE, {"password": password})

    need.refresh_from_db()
    assert need.status == Need.Status.FILLED, why
    placement.application.refresh_from_db()
    expected = Application.Status.ACCEPTED if starts_in_days < 0 else Application.Status.WITHDRAWN
    assert placement.application.status == expected


def test_erasure_renames_the_volunteer_in_e_mails_about_their_placements_and_nobody_else(coordinator):
    # Feedback requests are keyed by placement, the other e-mails by application: with the two numbers
    # apart, an e-mail about someone else's placement must not be mistaken for one about theirs.
    leaving = VolunteerProfileFactory()
    ApplicationFactory(volunteer=leaving)
    placement = PlacementFactory(application__volunteer=leaving)
    assert placement.pk != placement.application_id

    def email(key: str, name: str) -> Notification:
        return Notification.objects.create(
            kind="feedback_request",
            event_key=key,
            recipient=coordinator,
            email=coordinator.email,
            context={"volunteer_name": name},
        )

    theirs = email(f"feedback-request:{placement.pk}:organisation:{coordinator.pk}", "Ngozi Quist")
    someone_elses = email(f"feedback-request:{placement.application_id}:organisation:{coordinator.pk}", "Grace")

    privacy.account_erase(user=leaving.user)

    theirs.refresh_from_db()
    someone_elses.refresh_from_db()
    assert theirs.context["volunteer_name"] == "Former volunteer (account erased)"
    assert someone_elses.context["volunteer_name"] == "Grace"


def test_erasure_is_logged_with_the_user_number_only(client, rich_volunteer, password, caplog):
    client.force_login(rich_volunteer.user)
    user_pk = rich_volunteer.user.pk

    with caplog.at_level(logging.INFO, logger="programmes"):
        client.post(DELETE, {"password": password})

    # Both messages of the thread on their placement, the application in progress and the placement still
    # to come; the waiting list they were on; the completed placement's certificate.
    assert (
        f"Account {user_pk} erased: 2 messages removed, 2 applications withdrawn, 1 waiting list entries deleted, "
        "1 checklist documents deleted, 1 certificates revoked, 1 credential documents deleted" in caplog.text
    )
    assert "volunteer@example.org" not in caplog.text
    assert password not in caplog.text


# Credential documents


@pytest.fixture
def applied_credential(volunteer, organisation):
    """A credential of the volunteer, who applied to a need of `organisation`'s programme."""
    ApplicationFactory(volunteer=volunteer, need=NeedFactory(programme__lead_organisation=organisation))
    return CredentialFactory(profile=volunteer, document=document())


def document_url(credential) -> str:
    return reverse("placements:credential-document", args=[credential.pk])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("other_volunteer", 404),
        ("coordinator", 200),
        ("organisation_admin", 200),
        ("other_coordinator", 404),
        ("plain_user", 404),
        ("site_admin", 200),
        ("anonymous", 302),
    ],
)
def test_only_the_owner_admins_and_coordinators_of_the_need_open_a_credential_document(
    client, request, applied_credential, who, expected
):
    if who == "owner":
        client.force_login(applied_credential.profile.user)
    elif who == "other_volunteer":
        client.force_login(request.getfixturevalue(who).user)
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    url = document_url(applied_credential)

    response = client.get(url)

    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
    if who == "anonymous":
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_credential_document_is_an_attachment_typed_from_its_content_and_never_cached(client, volunteer):
    credential = CredentialFactory(profile=volunteer, document=document("scan.png", PNG))
    client.force_login(volunteer.user)

    response = client.get(document_url(credential))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="credential-{credential.pk}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PNG


def test_coordinator_cannot_open_the_document_of_a_volunteer_who_withdrew_consent(
    client, applied_credential, coordinator
):
    VolunteerProfile.objects.filter(pk=applied_credential.profile_id).update(consent_to_share=False)
    client.force_login(coordinator)

    assert client.get(document_url(applied_credential)).status_code == 404


@pytest.mark.parametrize("status", [Application.Status.DECLINED, Application.Status.WITHDRAWN])
def test_coordinator_of_the_lead_organisation_opens_documents_whatever_became_of_the_application(
    client, volunteer, status
):
    lead = OrganisationFactory(name="Lead Charity")
    ApplicationFactory(volunteer=volunteer, need=NeedFactory(programme__lead_organisation=lead), status=status)
    credential = CredentialFactory(profile=volunteer, document=document())
    client.force_login(MembershipFactory(organisation=lead).user)

    assert client.get(document_url(credential)).status_code == 200


def test_a_partner_organisation_named_by_the_lead_cannot_open_applicants_documents(client, volunteer):
    # Any coordinator can name any organisation a partner: that alone must not open volunteers' documents.
    partner = OrganisationFactory(name="Partner Hospital Foundation")
    programme = ProgrammeFactory(lead_organisation=OrganisationFactory(name="Lead Charity"))
    programme.partners.add(partner)
    ApplicationFactory(volunteer=volunteer, need=NeedFactory(programme=programme))
    credential = CredentialFactory(profile=volunteer, document=document())
    client.force_login(MembershipFactory(organisation=partner).user)

    assert client.get(document_url(credential)).status_code == 404


def test_a_pending_organisations_coordinator_cannot_open_applicants_documents(client, volunteer):
    pending = OrganisationFactory(name="Unreviewed Imaging Group", status="pending")
    ApplicationFactory(volunteer=volunteer, need=NeedFactory(programme__lead_organisation=pending))
    credential = CredentialFactory(profile=volunteer, document=document())
    client.force_login(MembershipFactory(organisation=pending).user)

    assert client.get(document_url(credential)).status_code == 404


def test_credential_without_a_document_or_whose_file_is_gone_is_a_clear_404(client, volunteer):
    without = CredentialFactory(profile=volunteer)
    gone = CredentialFactory(profile=volunteer, document=document())
    default_storage.delete(gone.document.name)
    client.force_login(volunteer.user)

    assert client.get(document_url(without)).status_code == 404
    assert client.get(document_url(gone)).status_code == 404


def test_document_download_is_logged_with_who_and_which_credential(client, applied_credential, coordinator, caplog):
    client.force_login(coordinator)

    with caplog.at_level(logging.INFO, logger="programmes"):
        response = client.get(document_url(applied_credential))
        b"".join(response.streaming_content)

    assert f"User {coordinator.pk} downloaded the document of credential {applied_credential.pk}" in caplog.text


def test_deciding_access_takes_one_query(applied_credential, coordinator, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.credential_for_download(user=coordinator, pk=applied_credential.pk) == applied_credential


def test_erasure_removes_the_words_and_attachments_of_the_volunteers_conversations(
    client, rich_volunteer, password, django_capture_on_commit_callbacks
):
    attachment = Message.objects.get(author=rich_volunteer.user).attachment
    assert default_storage.exists(attachment.name)
    client.force_login(rich_volunteer.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(DELETE, {"password": password})

    # Both sides of the thread of their placement: what was written to them is about them too.
    assert list(Message.objects.values_list("body", "attachment", "author")) == [
        ("", "", Message.objects.first().author_id),
        ("", "", None),
    ]
    assert Message.objects.filter(removed_at__isnull=True).count() == 0
    assert not default_storage.exists(attachment.name)
    assert not ReadState.objects.filter(user_id=rich_volunteer.user_id).exists()
