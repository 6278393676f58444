"""After an account is erased, nothing in the database or in storage points at its owner any more.

The test builds an account used in every way the portal offers (volunteer and coordinator at once),
erases it through the real page, then walks every table of every installed app, third-party ones
included (allauth, sessions, admin log, audit trails): no foreign key points at the user or their
volunteer profile, no text holds their e-mail address or name, no session is signed in as them, and no file
of theirs is left in private storage. A model added later is walked too, without changing this test.
"""

import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conversations import services as conversation_services
from conversations.subjects import Subject
from globalir.accounts.models import User
from matcher.models import MatchRound, Recommendation, RoundRanking
from notifications.models import Notification, NotificationPreference
from organisations.models import Membership
from placements import certification, pipeline, services, speaking
from placements.certificates import Certificate
from placements.checklist_services import checklist_item_tick, placement_checklist_create
from placements.models import Application, Placement
from programmes.models import Need
from tests.factories import (
    ApplicationFactory,
    AvailabilityWindowFactory,
    CredentialFactory,
    FeedbackFactory,
    InvitationFactory,
    MembershipFactory,
    NeedFactory,
    OrganisationFactory,
    PlacementFactory,
    SpeakerProfileFactory,
    VolunteerProfileFactory,
    WaitingListEntryFactory,
    language,
    skill,
    today,
)
from volunteers.models import VolunteerLanguage, VolunteerProfile
from volunteers.services import credentials_verify

pytestmark = pytest.mark.django_db

EMAIL = "ngozi.erase-me@example.org"
# The name e-mails to coordinators carry, and that free text about them (coordinators' notes, a reason for
# declining, feedback) uses: none of it may survive the erasure.
SURNAME = "Quist-Adeyemi"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
DAY = datetime.timedelta(days=1)


def document() -> SimpleUploadedFile:
    return SimpleUploadedFile("licence.pdf", PDF)


def signed_in_client(user) -> Client:
    """Another device: a browser of its own, signed in, that has made a request (so the session is recorded)."""
    device = Client()
    device.force_login(user)
    device.get(reverse("home"))
    return device


@pytest.fixture
def rich_account(organisation, site_admin):
    """One person who used everything: a volunteer with a full record who also coordinates for an organisation."""
    profile = VolunteerProfileFactory(user__email=EMAIL, user__first_name="Ngozi", user__last_name=SURNAME)
    user = profile.user
    VolunteerLanguage.objects.create(profile=profile, language=language("fr"), proficiency=3)
    profile.skills.add(skill("image-guided-biopsy"))
    AvailabilityWindowFactory(profile=profile)
    CredentialFactory(profile=profile, document=document())
    verified = CredentialFactory(profile=profile, document=document())
    # Verified by a site admin: the change is in the credentials' audit trail.
    credentials_verify(credentials=[verified], by=site_admin)

    # A coordinator too, in an organisation that keeps another admin; invited, and inviting others.
    MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    MembershipFactory(user=user, organisation=organisation)
    InvitationFactory(organisation=organisation, email=EMAIL, accepted_at=timezone.now(), accepted_by=user)
    InvitationFactory(organisation=organisation, email="a.colleague@example.org", invited_by=user)
    OrganisationFactory(name="Clinic the volunteer asked to list", status="pending", requested_by=user)

    # Applications in every state: in progress, offered, a placement to come (its need now filled),
    # and a completed placement with feedback both ways.
    interested = services.application_submit(
        volunteer=profile,
        need=NeedFactory(programme__lead_organisation=organisation),
        message="I speak French and teach ultrasound.",
        proposed_start=None,
        proposed_end=None,
    )
    ApplicationFactory(volunteer=profile, status=Application.Status.OFFERED, offered_at=timezone.now())
    # What coordinators wrote about them: internal notes, and a reason for declining addressed to them.
    coordinator = MembershipFactory(organisation=organisation).user
    pipeline.application_notes_save(
        application=interested, notes=f"Spoke to Dr {SURNAME}: strong on PPH embolisation.", by=coordinator
    )
    pipeline.application_decline(
        application=ApplicationFactory(volunteer=profile, need=NeedFactory(programme__lead_organisation=organisation)),
        reason=f"Dear Dr {SURNAME}, the places went to radiographers with CT experience.",
        by=coordinator,
    )
    upcoming = PlacementFactory(application__volunteer=profile, application__need__places=1)
    Need.objects.filter(pk=upcoming.need_id).update(status=Need.Status.FILLED, filled_at=timezone.now())
    # Its pre-departure checklist: a step ticked with their document.
    placement_checklist_create(placement=upcoming)
    checklist_item_tick(item=upcoming.checklist_items.get(key="visa"), by=user, side="volunteer", document=document())
    past = PlacementFactory(
        application__volunteer=profile,
        application__status=Application.Status.COMPLETED,
        application__need__window_start=today() - 90 * DAY,
        application__need__window_end=today() - 10 * DAY,
        application__need__application_deadline=today() - 100 * DAY,
        application__proposed_start=today() - 80 * DAY,
        application__proposed_end=today() - 20 * DAY,
    )
    # Feedback both ways: their own words, and the organisation's about them.
    FeedbackFactory(placement=past, comments=f"A great team. Dr {SURNAME}, Lakeside General Hospital.")
    FeedbackFactory(
        placement=past,
        side="organisation",
        author=MembershipFactory().user,
        comments=f"Dr {SURNAME} taught our fellows so much.",
    )

    # On a full need's waiting list.
    WaitingListEntryFactory(volunteer=profile)
    # Their certificate of service for it (with their name), and one they signed as a coordinator.
    Placement.objects.filter(pk=past.pk).update(completed_at=timezone.now())
    past.refresh_from_db()
    certification.certificate_issue(placement=past)
    signed = PlacementFactory(application__status=Application.Status.COMPLETED, completed_at=timezone.now())
    Certificate.objects.filter(pk=certification.certificate_issue(placement=signed).pk).update(
        coordinator=user, coordinator_name=user.get_full_name()
    )

    # The Speakers Bureau: their speaker profile, and invitations to speak accepted, declined and waiting.
    speaker = SpeakerProfileFactory(profile=profile, self_description=f"The first of the {SURNAME} family in IR.")
    talk = {"event": "Regional IR meeting", "date": today() + 30 * DAY, "format": "remote", "audience": "Fellows"}
    for answer in ("accept", "decline", None):
        invitation = speaking.speaking_invitation_send(
            organisation=organisation, speaker=speaker, by=coordinator, data={**talk, "message": f"Dear Dr {SURNAME},"}
        )
        if answer == "accept":
            speaking.speaking_invitation_accept(invitation=invitation, by=user)
        elif answer == "decline":
            speaking.speaking_invitation_decline(invitation=invitation, by=user, reason=f"Dr {SURNAME} is away.")

    # What the matcher and match rounds keep about them.
    Recommendation.objects.create(
        volunteer=profile,
        need=interested.need,
        score=80,
        rank_for_need=1,
        rank_for_volunteer=1,
        computed_at=timezone.now(),
    )
    match_round = MatchRound.objects.create(
        programme=interested.need.programme, ranking_deadline=timezone.now() + 5 * DAY, created_by=user
    )
    RoundRanking.objects.create(match_round=match_round, application=interested, volunteer_rank=1, need_rank=1)

    # E-mail preferences and e-mails, one of them sent to the address before the account existed.
    NotificationPreference.objects.create(user=user, weekly_digest=True)
    Notification.objects.create(kind="offer_made", event_key="walk:offer", recipient=user, email=EMAIL)
    Notification.objects.create(kind="invitation", event_key="walk:invitation", recipient=None, email=EMAIL)

    # Conversations: on their application (a coordinator names them, they answer with a document), with the
    # group of their placement to come, and as a coordinator to another organisation's volunteer.
    application_thread = Subject(application=interested)
    conversation_services.message_post(
        subject=application_thread, author=coordinator, body=f"Dear Dr {SURNAME}, please send your licence."
    )
    conversation_services.message_post(
        subject=application_thread, author=user, body=f"Here it is. {SURNAME}", attachment=document()
    )
    conversation_services.message_post(subject=Subject(need=upcoming.need), author=user, body=f"{SURNAME} here.")
    conversation_services.message_post(
        subject=Subject(application=ApplicationFactory(need=NeedFactory(programme__lead_organisation=organisation))),
        author=user,
        body=f"Dr {SURNAME}, coordinator, writing to you.",
    )

    # A site admin edited their account in the admin: the admin's log names the account.
    LogEntry.objects.log_actions(
        user_id=site_admin.pk, queryset=[user], action_flag=CHANGE, change_message="Changed e-mail."
    )
    return profile


def stored_files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def references_left(*, user_pk: int, profile_pk: int) -> list[str]:
    """Every row, in every installed app's tables, that still points at the user or their profile."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        manager = model._base_manager
        if model is User and manager.filter(pk=user_pk).exists():
            found.append("the account itself")
        if model is VolunteerProfile and manager.filter(pk=profile_pk).exists():
            found.append("the volunteer profile itself")
        for field in model._meta.concrete_fields:
            label = f"{model._meta.label}.{field.name}"
            if field.is_relation and field.related_model is User:
                if manager.filter(**{field.attname: user_pk}).exists():
                    found.append(label)
            elif field.is_relation and field.related_model is VolunteerProfile:
                if manager.filter(**{field.attname: profile_pk}).exists():
                    found.append(label)
            elif isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                text = manager.annotate(walked_text=Cast(field.attname, models.TextField()))
                for what, value in (("the e-mail address", EMAIL), ("the name", SURNAME)):
                    if text.filter(walked_text__icontains=value).exists():
                        found.append(f"{label} ({what})")
    # Generic references: the admin's log of changes made to the account or the profile.
    for target, pk in ((User, user_pk), (VolunteerProfile, profile_pk)):
        if LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(target), object_id=str(pk)).exists():
            found.append(f"admin.LogEntry about {target._meta.label}")
    # Sessions hold the user's id inside their signed data.
    for session in Session.objects.all():
        if session.get_decoded().get("_auth_user_id") == str(user_pk):
            found.append(f"a session signed in as them ({session.session_key[:6]}…)")
    return sorted(found)


def test_after_erasure_no_row_points_at_the_user_and_no_file_of_theirs_remains(
    client, rich_account, password, private_media_in_tmp, django_capture_on_commit_callbacks
):
    user, profile = rich_account.user, rich_account
    other = CredentialFactory(profile=VolunteerProfileFactory(), document=document())
    theirs = stored_files(private_media_in_tmp) - {other.document.name}
    assert len(theirs) == 4  # two credentials' documents, an attachment and a checklist step's document
    upcoming_need = Need.objects.get(status=Need.Status.FILLED, places=1)
    phone, laptop = signed_in_client(user), signed_in_client(user)
    # A session from before sessions were tracked: only the session store itself knows it.
    untracked = SessionStore()
    untracked.update({"_auth_user_id": str(user.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend"})
    untracked.create()
    # Sanity: the walk sees the account before it is erased.
    assert references_left(user_pk=user.pk, profile_pk=profile.pk)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:account-delete"), {"password": password})

    assert response.status_code == 302, response.content.decode()[:2000]
    left = references_left(user_pk=user.pk, profile_pk=profile.pk)
    assert left == [], f"Still pointing at the erased account: {left}"
    assert stored_files(private_media_in_tmp) == {other.document.name}
    # The other devices are signed out at once.
    for device in (phone, laptop):
        assert device.get(reverse("placements:dashboard")).status_code == 302
    assert not SessionStore().exists(untracked.session_key)
    # The place they held on a need that was full goes back to the organisation.
    upcoming_need.refresh_from_db()
    assert upcoming_need.status == Need.Status.OPEN
    assert upcoming_need.filled_at is None
