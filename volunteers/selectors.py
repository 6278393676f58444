"""Reads of a volunteer's own profile and credentials, always scoped to the user who asks."""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from globalir.accounts.models import User

from .models import (
    LICENCE_TO_PRACTISE,
    LICENCE_TO_PRACTISE_KINDS,
    AvailabilityWindow,
    Credential,
    Skill,
    VolunteerLanguage,
    VolunteerProfile,
    credential_requirement_label,
)
from .validators import document_type_of

EXPIRY_WARNING_DAYS = 60


def volunteer_profile_for_user(*, user: User, annotations: Mapping[str, Any] | None = None) -> VolunteerProfile | None:
    """The user's volunteer profile, or None when they have not started one; with `annotations` (name: expression
    over the profile), read in the same query, when a page needs more of what hangs on the profile."""
    if not user.is_authenticated:
        return None
    return VolunteerProfile.objects.filter(user=user).annotate(**(annotations or {})).first()


def volunteer_role_annotations(*, user_ref: OuterRef) -> dict[str, Exists]:
    """Whether the user `user_ref` points to volunteers (`volunteers`) and offers remote work (`remote`), as
    annotations of a user query: read with other flags in one query."""
    return {
        "volunteers": Exists(VolunteerProfile.objects.filter(user=user_ref)),
        "remote": Exists(VolunteerProfile.objects.filter(user=user_ref, offers_remote=True)),
    }


def volunteer_profile_detail(*, user: User) -> VolunteerProfile | None:
    """The user's profile with everything the profile page shows, in a fixed number of queries.

    Only availability that is not over yet is included (`current_availability`).
    """
    today = timezone.localdate()
    return (
        VolunteerProfile.objects.filter(user=user)
        .prefetch_related(
            Prefetch("languages", queryset=VolunteerLanguage.objects.select_related("language")),
            Prefetch("skills", queryset=Skill.objects.order_by("category", "name")),
            Prefetch(
                "availability",
                queryset=AvailabilityWindow.objects.filter(end_date__gte=today).order_by("start_date"),
                to_attr="current_availability",
            ),
        )
        .first()
    )


def volunteer_label(*, volunteer: VolunteerProfile | None, number: int) -> str:
    """How a volunteer is named to coordinators, everywhere they are: the pipeline board, e-mails,
    feedback pages, match rounds and CSV exports.

    `number` is the application's (or its placement's application's): a volunteer who does not share
    their profile is "Volunteer #<number>", so that the same person is not linked across needs. One
    whose account was erased is a former volunteer; one who shares, their name as they gave it.
    """
    if volunteer is None:
        return _erased_volunteer_label()
    if not volunteer.consent_to_share:
        return _("Volunteer #%(number)s") % {"number": number}
    return volunteer.display_name


def volunteer_admin_label(volunteer: VolunteerProfile | None) -> str:
    """How a volunteer is named to site admins, who see who they are whatever they shared:
    "Dr Amina Okafor <amina@…>". One whose account was erased is named as coordinators see them."""
    if volunteer is None:
        return _erased_volunteer_label()
    name, email = volunteer.display_name, volunteer.user.email
    return email if name == email else f"{name} <{email}>"


def _erased_volunteer_label() -> str:
    # The volunteer's rows stay for the organisations' reports with the profile set to NULL (SET_NULL);
    # pages, CSV exports, the admin and the e-mails renamed at erasure all say this.
    return _("Former volunteer (account erased)")


def volunteer_current_availability(*, profile: VolunteerProfile) -> list[AvailabilityWindow]:
    """Availability windows that are not over yet, the ones the volunteer can still edit."""
    return list(profile.availability.filter(end_date__gte=timezone.localdate()).order_by("start_date"))


@dataclass(frozen=True)
class CredentialRow:
    credential: Credential
    expiry: str  # "expired", "expiring" (within EXPIRY_WARNING_DAYS), "valid" or "none" (no expiry date)
    days_left: int | None

    @property
    def needs_attention(self) -> bool:
        return self.expiry in {"expired", "expiring"}


def credential_expiry(*, credential: Credential, today: datetime.date) -> tuple[str, int | None]:
    if credential.expires_on is None:
        return "none", None
    days_left = (credential.expires_on - today).days
    if days_left < 0:
        return "expired", days_left
    if days_left <= EXPIRY_WARNING_DAYS:
        return "expiring", days_left
    return "valid", days_left


def credential_owned_queryset(*, user: User) -> QuerySet[Credential]:
    """The credentials the user uploaded; anybody else's are simply not there."""
    return Credential.objects.filter(profile__user=user).select_related("profile")


def credential_pending_review_count() -> int:
    """How many uploaded credentials wait for a site admin's verification."""
    return Credential.objects.filter(status=Credential.Status.PENDING).count()


def credentials_to_review() -> dict:
    """globalir.hooks.review_queue: credentials to verify."""
    count = credential_pending_review_count()
    return {
        "label": ngettext("%(count)s credential to verify", "%(count)s credentials to verify", count)
        % {"count": count},
        "count": count,
        "url": reverse("admin:volunteers_credential_changelist") + "?status__exact=pending",
    }


def credential_rows(*, profile: VolunteerProfile, today: datetime.date | None = None) -> list[CredentialRow]:
    """The volunteer's credentials, newest first, each with its expiry state."""
    today = today or timezone.localdate()
    rows = []
    for credential in Credential.objects.filter(profile=profile).order_by("-created_at", "-pk"):
        expiry, days_left = credential_expiry(credential=credential, today=today)
        rows.append(CredentialRow(credential=credential, expiry=expiry, days_left=days_left))
    return rows


# Calendar apps cannot sign in: the feed is found by the volunteer's secret token. Tokens are URL-safe
# base64 (models.new_calendar_token); anything else is no token and never reaches the database.
CALENDAR_TOKEN_MAX_LENGTH = 64
CALENDAR_TOKEN_FORMAT = re.compile(rf"[A-Za-z0-9_-]{{1,{CALENDAR_TOKEN_MAX_LENGTH}}}")


def volunteer_profile_for_calendar_token(*, token: str) -> VolunteerProfile | None:
    """The profile whose calendar feed token is exactly `token`, or None for a missing, malformed or
    unknown token."""
    if not CALENDAR_TOKEN_FORMAT.fullmatch(token or ""):
        return None
    return VolunteerProfile.objects.filter(calendar_token=token).first()


# A credential's document, for those placements.selectors.credential_for_download lets open it.


@dataclass(frozen=True)
class CredentialDocument:
    file: File
    content_type: str
    filename: str  # what the browser saves it as; never the uploader's name


def credential_document_open(*, credential: Credential) -> CredentialDocument | None:
    """The credential's document opened for reading, typed from its content; None when the file is missing."""
    storage, name = credential.document.storage, credential.document.name
    try:
        file = storage.open(name, "rb")
    except OSError:
        return None
    kind = document_type_of(file)
    if kind is None:
        # Uploads are checked, so only a file changed behind our back gets here: never let a browser render it.
        return CredentialDocument(
            file=file, content_type="application/octet-stream", filename=f"credential-{credential.pk}"
        )
    return CredentialDocument(
        file=file, content_type=kind.content_type, filename=f"credential-{credential.pk}{kind.extensions[0]}"
    )


def _kinds_meeting(requirement: str) -> tuple[str, ...]:
    return LICENCE_TO_PRACTISE_KINDS if requirement == LICENCE_TO_PRACTISE else (requirement,)


@dataclass(frozen=True)
class CredentialShortfall:
    """A credential a need requires that the volunteer has not verified through `through`."""

    requirement: str  # a key of CREDENTIAL_REQUIREMENT_LABELS
    through: datetime.date  # the last day it must be valid on: the placement's end
    credential: Credential | None  # the verified one lasting longest, when there is one (it expires too soon)

    @property
    def label(self) -> str:
        return credential_requirement_label(self.requirement)

    @property
    def expires_on(self) -> datetime.date | None:
        return self.credential.expires_on if self.credential is not None else None


def credential_best_for(credentials, *, requirement: str) -> Credential | None:
    """Of `credentials`, the verified one meeting `requirement` that lasts longest (no expiry lasts longest)."""
    kinds = _kinds_meeting(requirement)
    verified = [c for c in credentials if c.kind in kinds and c.status == Credential.Status.VERIFIED]
    return max(verified, key=lambda c: c.expires_on or datetime.date.max, default=None)


def credential_shortfalls(
    *,
    profile: VolunteerProfile,
    requirements,
    through: datetime.date,
    credentials: list[Credential] | None = None,
) -> list[CredentialShortfall]:
    """The `requirements` the volunteer's verified credentials do not cover through `through` (a placement's
    last day), in the order given. `credentials` saves the query when they are loaded already."""
    requirements = list(requirements)
    if not requirements:
        return []
    if credentials is None:
        credentials = list(Credential.objects.filter(profile=profile, status=Credential.Status.VERIFIED))
    shortfalls = []
    for requirement in requirements:
        best = credential_best_for(credentials, requirement=requirement)
        if best is None or (best.expires_on is not None and best.expires_on < through):
            shortfalls.append(CredentialShortfall(requirement=requirement, through=through, credential=best))
    return shortfalls
