"""Applications' part of a person's export and erasure (globalir.privacy): their applications, placements
and the feedback on them. Partners report on past placements: the erasure keeps these records,
anonymised, and withdraws what is still in progress."""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from globalir.privacy import export_record
from programmes.privacy import need_export_record
from programmes.services import NeedChange, need_status_change
from volunteers.models import VolunteerProfile
from volunteers.selectors import volunteer_label

from .calendar import placement_location
from .certificates import Certificate
from .certification import certificates_revoke, certificates_unsign
from .checklists import PlacementChecklistItem
from .emails import applications_coordinator_emails_rename
from .models import Application, Feedback, Placement
from .selectors import placement_calendar_list
from .speaking import speaking_invitations_erase
from .talks import SpeakingInvitation
from .transitions import application_transition
from .visits import Visit, VisitCandidacy, VisitFeedback
from .waiting_list import WaitingListEntry

EXPORT_APPLICATION_FIELDS = (
    "id",
    "message",
    "proposed_start",
    "proposed_end",
    "status",
    "decline_reason",
    "created_at",
    "shortlisted_at",
    "offered_at",
    "accepted_at",
    "declined_at",
    "withdrawn_at",
    "completed_at",
    "updated_at",
)
EXPORT_PLACEMENT_FIELDS = ("id", "mode", "start_date", "end_date", "hours_per_week", "completed_at", "created_at")
EXPORT_CHECKLIST_FIELDS = ("id", "who_acts", "due_on", "needs_document", "document_uploaded_at", "done_at", "done_side")
EXPORT_FEEDBACK_FIELDS = ("id", "side", "rating", "comments", "created_at")
EXPORT_CERTIFICATE_FIELDS = (
    "code",
    "holder_name",
    "organisation_name",
    "programme_title",
    "need_title",
    "profession",
    "mode",
    "site_name",
    "site_city",
    "site_country",
    "start_date",
    "end_date",
    "hours_per_week",
    "days_on_site",
    "remote_hours",
    "coordinator_name",
    "issued_at",
    "revoked_at",
)
EXPORT_TALK_FIELDS = (
    "id",
    "event",
    "topic",
    "date",
    "format",
    "location",
    "audience",
    "message",
    "status",
    "decline_reason",
    "answered_at",
    "created_at",
    "updated_at",
)
EXPORT_WAITING_LIST_FIELDS = ("id", "joined_at", "left_at", "offered_at")
EXPORT_CANDIDACY_FIELDS = ("id", "statement", "status", "created_at")
EXPORT_VISIT_FIELDS = ("id", "start_date", "end_date", "status", "created_at")
EXPORT_VISIT_FEEDBACK_FIELDS = ("id", "side", "rating", "comments", "created_at")


def _visiting_export(user: User) -> dict[str, Any]:
    """Their visiting-professor candidacies, the visits match rounds made of them, and both sides' feedback
    on those visits (as for placements: the author's identity is not the volunteer's data)."""
    candidacies = (
        VisitCandidacy.objects.filter(volunteer__user=user)
        .select_related("programme__lead_organisation")
        .prefetch_related("topics")
        .order_by("created_at", "pk")
    )
    visits = (
        Visit.objects.filter(candidacy__volunteer__user=user)
        .select_related("host_request__host_organisation")
        .order_by("start_date", "pk")
    )
    feedback = VisitFeedback.objects.filter(visit__candidacy__volunteer__user=user).order_by("created_at", "pk")
    return {
        "visit_candidacies": [
            {
                **export_record(candidacy, EXPORT_CANDIDACY_FIELDS),
                "programme": candidacy.programme.title,
                "organisation": candidacy.programme.lead_organisation.name,
                "topics": [topic.name for topic in candidacy.topics.all()],
            }
            for candidacy in candidacies
        ],
        "visits": [
            {
                **export_record(visit, EXPORT_VISIT_FIELDS),
                "candidacy": visit.candidacy_id,
                "host": visit.host_request.host_organisation.name,
                "host_request": visit.host_request.title,
                "country": visit.host_request.country.code,
                "city": visit.host_request.city,
            }
            for visit in visits
        ],
        "visit_feedback": [
            {**export_record(row, EXPORT_VISIT_FEEDBACK_FIELDS), "visit": row.visit_id} for row in feedback
        ],
    }


def export(user: User) -> dict[str, Any]:
    applications = (
        Application.objects.filter(volunteer__user=user)
        .select_related("need__programme__lead_organisation")
        .order_by("created_at", "pk")
    )
    placements = (
        Placement.objects.filter(volunteer__user=user)
        .select_related("need__programme__lead_organisation", "need__host_site")
        .order_by("start_date", "pk")
    )
    # Both sides' feedback on the volunteer's placements; the author's identity is not the volunteer's data.
    feedback = (
        Feedback.objects.filter(placement__volunteer__user=user)
        .select_related("placement__need__programme__lead_organisation")
        .order_by("created_at", "pk")
    )
    return {
        "applications": [
            {**export_record(application, EXPORT_APPLICATION_FIELDS), "need": need_export_record(application.need)}
            for application in applications
        ],
        "placements": [
            {
                **export_record(placement, EXPORT_PLACEMENT_FIELDS),
                "application": placement.application_id,
                "need": need_export_record(placement.need),
                "location": placement_location(placement),
            }
            for placement in placements
        ],
        "feedback": [
            {
                **export_record(row, EXPORT_FEEDBACK_FIELDS),
                "placement": row.placement_id,
                "need": need_export_record(row.placement.need),
            }
            for row in feedback
        ],
        # The pre-departure checklists of their placements; the documents are downloaded one by one.
        "checklist_items": [
            {
                **export_record(item, EXPORT_CHECKLIST_FIELDS),
                "placement": item.placement_id,
                "step": item.label,
                "has_document": bool(item.document),
                "ticked_by_you": item.done_by_id == user.pk,
            }
            for item in PlacementChecklistItem.objects.filter(placement__volunteer__user=user).order_by(
                "placement_id", "due_on", "position", "pk"
            )
        ],
        # Certificates of service, as printed (the coordinator named on them signed in their organisation's name).
        "certificates": [
            {**export_record(certificate, EXPORT_CERTIFICATE_FIELDS), "placement": certificate.placement_id}
            for certificate in Certificate.objects.filter(placement__volunteer__user=user).order_by("start_date", "pk")
        ],
        # Invitations to speak (the Speakers Bureau); an accepted one is a talk in their placements.
        "speaking_invitations": [
            {**export_record(invitation, EXPORT_TALK_FIELDS), "organisation": invitation.organisation.name}
            for invitation in SpeakingInvitation.objects.filter(speaker__user=user)
            .select_related("organisation")
            .order_by("date", "pk")
        ],
        # The waiting lists of full needs they joined, and how each ended (left, or offered a place).
        "waiting_lists": [
            {
                **export_record(entry, EXPORT_WAITING_LIST_FIELDS),
                "application": entry.application_id,
                "need": need_export_record(entry.need),
            }
            for entry in WaitingListEntry.objects.filter(volunteer__user=user)
            .select_related("need__programme__lead_organisation")
            .order_by("joined_at", "pk")
        ],
        **_visiting_export(user),
    }


def _withdrawn_on_erasure(profile: VolunteerProfile, today: datetime.date):
    """Applications still in progress, and accepted placements that have not started: given up with the
    account, so that coordinators are not left waiting and the place can go to someone else."""
    return Application.objects.filter(volunteer=profile).filter(
        Q(status__in=Application.UNDECIDED_STATUSES)
        | Q(status=Application.Status.ACCEPTED, placement__start_date__gt=today)
    )


def erase_preview(user: User, today: datetime.date) -> dict[str, Any]:
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        return {
            "withdrawing": [],
            "upcoming_placements": [],
            "talks_withdrawing": [],
            "visiting_professor": False,
            "certificates_revoking": 0,
        }
    return {
        "certificates_revoking": Certificate.objects.filter(
            placement__volunteer=profile, revoked_at__isnull=True
        ).count(),
        "visiting_professor": VisitCandidacy.objects.filter(volunteer=profile).exists(),
        "talks_withdrawing": list(
            SpeakingInvitation.objects.pending().filter(speaker=profile).select_related("organisation")
        ),
        "withdrawing": list(
            Application.objects.undecided().filter(volunteer=profile).select_related("need").order_by("created_at")
        ),
        "upcoming_placements": [
            placement for placement in placement_calendar_list(profile=profile) if placement.end_date >= today
        ],
    }


def erase(user: User) -> dict[str, int] | None:
    """Applications still in progress (interested, shortlisted, offered) are withdrawn, and so are accepted
    placements that have not started: a filled need whose place is free again reopens. The records stay
    for the organisations' reports, but no words about the person: the messages they wrote; the
    coordinators' internal notes on them and the reasons they were given for a refusal, which are personal
    data about them however they are worded; and the comments of the feedback on their placements, their
    own and the organisation's about them. The ratings stay: figures that name nobody. Placements under way
    or completed keep their status. The volunteer is set to NULL when their profile goes (SET_NULL). They leave
    every waiting list: its entries are deleted.

    Their certificates of service are revoked: the code then answers "revoked" and shows no name. A
    coordinator's name comes off the certificates they signed, which stay valid."""
    unsigned = certificates_unsign(user=user)
    # The lock offer_accept takes too: no offer can be accepted while the profile is being erased.
    profile = VolunteerProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        return {"certificates unsigned": unsigned} if unsigned else None
    # Off every waiting list first, so that the places the withdrawals below free up are not told as theirs.
    waiting_deleted = WaitingListEntry.objects.filter(volunteer=profile).delete()[0]
    # While every placement is still there to find its documents by.
    documents = _checklists_erase(profile=profile, user=user)
    withdrawn = [
        application_transition(
            application=application,
            to=Application.Status.WITHDRAWN,
            refusal=_("An application that is %(status)s cannot be withdrawn."),
            code="cannot_withdraw",
            validate=False,
        )
        for application in _withdrawn_on_erasure(profile, timezone.localdate()).order_by("pk")
    ]
    need_status_change(needs=[application.need for application in withdrawn], change=NeedChange.FREE_PLACES)
    mine = Application.objects.filter(volunteer=profile)
    mine.update(message="", coordinator_notes="", decline_reason="")
    Feedback.objects.filter(placement__application__volunteer=profile).exclude(comments="").update(comments="")
    applications_coordinator_emails_rename(
        application_pks=mine.values_list("pk", flat=True),
        label_of=lambda pk: volunteer_label(volunteer=None, number=pk),
    )
    # The audit trail keeps what happened, not who it happened to.
    Application.history.filter(volunteer_id=profile.pk).update(volunteer_id=None, decline_reason="")
    done = {"applications withdrawn": len(withdrawn)}
    if waiting_deleted:
        done["waiting list entries deleted"] = waiting_deleted
    if documents:
        done["checklist documents deleted"] = documents
    if unsigned:
        done["certificates unsigned"] = unsigned
    revoked = certificates_revoke(profile=profile)
    if revoked:
        done["certificates revoked"] = revoked
    talks_withdrawn = speaking_invitations_erase(profile=profile)
    if talks_withdrawn:
        done["invitations to speak withdrawn"] = talks_withdrawn
    done.update(_visiting_erase(profile, timezone.localdate()))
    return done


def _visiting_erase(profile: VolunteerProfile, today: datetime.date) -> dict[str, int]:
    """Visits that took place (planned, started by today) stay in the programme's report: their candidacy
    is kept, withdrawn and without the statement, and loses its volunteer when the profile goes
    (SET_NULL); the comments of both sides' feedback on them go, the ratings stay. Every other candidacy
    and every visit still to come is deleted, with its feedback and round rankings."""
    candidacies = VisitCandidacy.objects.filter(volunteer=profile)
    happened = Visit.objects.filter(candidacy__volunteer=profile, status=Visit.Status.PLANNED, start_date__lte=today)
    kept = set(happened.values_list("candidacy_id", flat=True))
    Visit.objects.filter(candidacy__volunteer=profile).exclude(pk__in=happened.values("pk")).delete()
    deleted = candidacies.exclude(pk__in=kept).delete()[1].get(VisitCandidacy._meta.label, 0)
    VisitFeedback.objects.filter(visit__candidacy__in=kept).exclude(comments="").update(comments="")
    candidacies.filter(pk__in=kept).update(statement="", status=VisitCandidacy.Status.WITHDRAWN)
    return {"visiting-professor candidacies deleted": deleted} if deleted else {}


def _checklists_erase(*, profile: VolunteerProfile, user: User) -> int:
    """The documents uploaded to their placements' checklists are deleted from storage once the erasure
    is committed; the ticks stay (the coordinators' record that a step was done), with nobody named."""
    items = PlacementChecklistItem.objects.filter(placement__volunteer=profile)
    files = [(item.document.storage, item.document.name) for item in items.exclude(document="")]
    items.exclude(document="").update(document="", document_uploaded_at=None)
    PlacementChecklistItem.objects.filter(done_by=user).update(done_by=None)
    for storage, name in files:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    return len(files)
