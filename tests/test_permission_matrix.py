"""Every URL of the portal × every verb × every role, with the status each must get.

The roles: anonymous, volunteer A (who owns the volunteer's objects: the application, the
placement, the credential, the match-round ranking, the calendar feed, the unsubscribe link),
volunteer B, a coordinator of the organisation that owns the coordinator's objects (site,
programme, need, round, members…), a coordinator of another organisation, the owning
organisation's admin, and a site admin (staff).

The house conventions: outsiders get 404 (an object's existence is not revealed), members with
too little role 403, anonymous visitors the login page; a POST action answers with a redirect. A
verb a URL does not take is 405 (anonymous visitors of a signed-in page get the login page
first); PUT, PATCH, DELETE, OPTIONS and TRACE are 405 everywhere. Token links (calendar feed,
unsubscribe, invitation) work for whoever holds the token, and a wrong token is a 404.

The world is built once for the module, in a transaction rolled back at its end; every request
runs in a savepoint of its own, rolled back after it, so a POST that carries out its action never
changes what the next request sees.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from pydicom.data import get_testdata_file

from api.services import api_token_create, api_token_revoke
from consults.models import ConsultImage, ConsultRequest
from conversations.models import Message, Thread
from matcher.host_rounds import host_round_open
from matcher.rounds import match_round_open
from notifications.services import unsubscribe_token
from organisations.models import Membership, Organisation
from organisations.selectors import invitation_token_hash
from placements.certificates import Certificate
from placements.certification import certificate_issue
from placements.checklist_services import placement_checklist_create
from placements.models import Application, Placement
from placements.visit_services import visit_create
from programmes import team_services
from programmes.models import Mode, Need, Programme
from programmes.teams import Rotation, TeamNeed
from tests.factories import (
    ApplicationFactory,
    CredentialFactory,
    HostRequestFactory,
    InvitationFactory,
    MembershipFactory,
    NeedFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    SiteFactory,
    SpeakerProfileFactory,
    SpeakingInvitationFactory,
    StaffFactory,
    VisitCandidacyFactory,
    VisitingProgrammeFactory,
    VolunteerProfileFactory,
    WaitingListEntryFactory,
    today,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "volunteer_a",
    "volunteer_b",
    "coordinator",
    "other_coordinator",
    "organisation_admin",
    "site_admin",
)
LOGIN = "login"  # a redirect to the login page
DONE = "done"  # a redirect to a page other than the login page: the action ran (or was refused with a message)
ONBOARDING = "onboarding"  # a redirect to the volunteer's profile set-up (a user without a volunteer profile)
OTHER_VERBS = ("put", "patch", "delete", "options", "trace")
PDF = b"%PDF-1.4\n% a board certificate\n%%EOF\n"

# Expected outcome per role, in the order of ROLES.
PUBLIC = (200,) * 7
NOBODY = (404,) * 7
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200, 200)
SIGNED_IN_ACT = (LOGIN, DONE, DONE, DONE, DONE, DONE, DONE)
VOLUNTEERS = (LOGIN, 200, 200, ONBOARDING, ONBOARDING, ONBOARDING, ONBOARDING)
WIZARD = (LOGIN, DONE, DONE, ONBOARDING, ONBOARDING, ONBOARDING, ONBOARDING)
OWNER = (LOGIN, 200, 404, 404, 404, 404, 404)
OWNER_ACT = (LOGIN, DONE, 404, 404, 404, 404, 404)
OWNER_FORM = (LOGIN, 400, 404, 404, 404, 404, 404)  # a POST of an invalid form
MEMBERS = (LOGIN, 404, 404, 200, 404, 200, 200)
MEMBERS_ACT = (LOGIN, 404, 404, DONE, 404, DONE, DONE)
MEMBERS_FORM = (LOGIN, 404, 404, 400, 404, 400, 400)
ADMINS = (LOGIN, 404, 404, 403, 404, 200, 200)
ADMINS_ACT = (LOGIN, 404, 404, 403, 404, DONE, DONE)
STAFF = (LOGIN, 403, 403, 403, 403, 403, 200)
DJANGO_ADMIN = (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200)
API_NO_TOKEN = (401,) * 7


@dataclass
class World:
    organisation: Organisation
    unlisted_organisation: Organisation
    users: dict
    volunteer_a: Any
    volunteer_b: Any
    site: Any
    programme: Any
    need: Any
    unlisted_need: Any
    application: Any
    placement: Any
    credential: Any
    extra_member: Any
    invitation: Any
    invitation_token: str
    match_round: Any
    unsubscribe_token: str
    sessions: dict
    visiting: dict
    speaker: Any = None  # volunteer A in the Speakers Bureau
    talk: Any = None  # the organisation's invitation to A to speak
    waiting_entry: Any = None  # A on the need's waiting list
    message: Any = None  # A's message with an attachment, on the thread of their application
    consult: Any = None  # a consult request of the organisation's site, claimed by A, with one image
    api_tokens: dict | None = None  # the organisation's API token, another organisation's, a revoked one


@dataclass(frozen=True)
class Row:
    """One URL: how to build it, and what each role gets for GET and for POST.

    None for a verb means the URL does not take it: 405 (or the login page for anonymous visitors
    of a signed-in page).
    """

    name: str  # the URL's name, "namespace:name"
    url: Callable[[World], str]
    get: tuple | None = None
    post: tuple | None = None
    patch: tuple | None = None  # the API's PATCH (every other URL answers it with 405)
    data: dict | Callable[[World], dict] | None = None
    case: str = ""  # tells apart two rows of one URL ("wrong-token")
    prepare: Callable[[World], None] | None = None  # run inside the request's savepoint

    @property
    def id(self) -> str:
        return self.name.split(":")[-1] + (f"[{self.case}]" if self.case else "")

    def expected(self, method: str, role_index: int):
        outcomes = {"get": self.get, "post": self.post, "patch": self.patch}.get(method)
        if outcomes is not None:
            return outcomes[role_index]
        if method in OTHER_VERBS:
            return 405
        accepted = self.get or self.post
        return LOGIN if role_index == 0 and accepted[0] == LOGIN else 405


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # The conftest's fast hashing is per test: the module's users would otherwise take seconds to hash.
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic():
        with fast_hashing:
            built = _build_world()
        yield built
        transaction.set_rollback(True)


def _build_world() -> World:
    organisation = OrganisationFactory(name="Owning Imaging Partners")
    other_organisation = OrganisationFactory(name="Another Imaging Charity")
    unlisted_organisation = OrganisationFactory(name="Pending Imaging Group", status=Organisation.Status.PENDING)
    volunteer_a = VolunteerProfileFactory(user__email="volunteer.a@example.org")
    volunteer_b = VolunteerProfileFactory(user__email="volunteer.b@example.org")
    coordinator = MembershipFactory(
        user__email="coordinator@example.org", organisation=organisation, role=Membership.Role.COORDINATOR
    ).user
    users = {
        "volunteer_a": volunteer_a.user,
        "volunteer_b": volunteer_b.user,
        "coordinator": coordinator,
        "other_coordinator": MembershipFactory(organisation=other_organisation, role=Membership.Role.COORDINATOR).user,
        "organisation_admin": MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user,
        "site_admin": StaffFactory(),
    }

    site = SiteFactory(organisation=organisation)
    programme = ProgrammeFactory(lead_organisation=organisation)
    need = NeedFactory(programme=programme, host_site=site, places=3)
    application = ApplicationFactory(need=need, volunteer=volunteer_a)
    unlisted_need = NeedFactory(
        programme=ProgrammeFactory(lead_organisation=organisation, status=Programme.Status.DRAFT), host_site=site
    )
    started = today() - datetime.timedelta(days=30)
    ended_need = NeedFactory(
        programme=programme,
        mode=Mode.REMOTE,
        host_site=None,
        hours_per_week=4,
        window_start=started,
        window_end=today() + datetime.timedelta(days=30),
    )
    placement = PlacementFactory(
        application__need=ended_need,
        application__volunteer=volunteer_a,
        application__proposed_start=started,
        application__proposed_end=today() - datetime.timedelta(days=1),
    )
    # The document is written to the test's own storage just before the request (see Row.prepare).
    credential = CredentialFactory(profile=volunteer_a, document="credentials/board-certificate.pdf")
    extra_member = MembershipFactory(organisation=organisation, role=Membership.Role.COORDINATOR)
    invitation = InvitationFactory(organisation=organisation)
    invitation_token = "an-invitation-token-only-volunteer-b-received"
    InvitationFactory(
        organisation=organisation, email=volunteer_b.user.email, token_hash=invitation_token_hash(invitation_token)
    )
    match_round = match_round_open(
        programme=programme, ranking_deadline=timezone.now() + datetime.timedelta(days=7), by=coordinator
    )
    _build_team(programme=programme, site=site, coordinator=coordinator, volunteer=volunteer_a)

    speaker = SpeakerProfileFactory(profile=volunteer_a)
    talk = SpeakingInvitationFactory(organisation=organisation, speaker=volunteer_a, invited_by=coordinator)
    # The attachment is written to the test's own storage just before the request (see Row.prepare).
    message = Message.objects.create(
        thread=Thread.objects.create(kind=Thread.Kind.APPLICATION, application=application),
        author=volunteer_a.user,
        body="My licence",
        attachment="conversations/licence.pdf",
    )

    consult = _build_consult(site=site, volunteer=volunteer_a)

    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value

    return World(
        organisation=organisation,
        unlisted_organisation=unlisted_organisation,
        users=users,
        volunteer_a=volunteer_a,
        volunteer_b=volunteer_b,
        site=site,
        programme=programme,
        need=need,
        unlisted_need=unlisted_need,
        application=application,
        placement=placement,
        credential=credential,
        extra_member=extra_member,
        invitation=invitation,
        invitation_token=invitation_token,
        match_round=match_round,
        unsubscribe_token=unsubscribe_token(volunteer_a.user),
        sessions=sessions,
        visiting=_build_visiting(organisation, volunteer_a, coordinator),
        speaker=speaker,
        talk=talk,
        waiting_entry=WaitingListEntryFactory(need=need, volunteer=volunteer_a),
        message=message,
        consult=consult,
        api_tokens=_build_api_tokens(organisation, other_organisation, users["organisation_admin"]),
    )


def _build_consult(*, site, volunteer):
    """A consult request of the site, claimed by A; its image is stored just before the request (Row.prepare).
    Nobody in the cast is a partner clinician: their pages are tested in tests/consults."""
    now = timezone.now()
    consult = ConsultRequest.objects.create(
        site=site,
        question="Pulmonary embolism?",
        modality="CT",
        body_part="Chest",
        language_id="en",
        status=ConsultRequest.Status.CLAIMED,
        offered_at=now,
        claimed_by=volunteer,
        claimed_at=now,
    )
    ConsultImage.objects.create(
        request=consult, kind="dicom", content_type="application/dicom", modality="CT", file="consults/matrix/ct.dcm"
    )
    return consult


def _store_the_consult_image(w: World) -> None:
    image = w.consult.images.get()
    with open(get_testdata_file("CT_small.dcm"), "rb") as source:
        image.file.storage.save(image.file.name, ContentFile(source.read()))


def _build_api_tokens(organisation, other_organisation, admin) -> dict:
    """The tokens of the API's matrix (test_every_token_gets_the_expected_answer_on_the_coordinators_api)."""
    own = api_token_create(organisation=organisation, name="Own", by=admin)
    revoked = api_token_create(organisation=organisation, name="Revoked", by=admin)
    api_token_revoke(token=revoked[0], by=admin)
    other = api_token_create(organisation=other_organisation, name="Other", by=admin)
    return {"own": own, "other_organisation": other, "revoked": revoked, "to_revoke": own[0]}


def _build_visiting(organisation, volunteer_a, coordinator) -> dict:
    """A visiting-professor programme of the owning organisation, which also hosts: an open round in
    which A is a candidate, and A's visit to another of its requests."""
    programme = VisitingProgrammeFactory(lead_organisation=organisation)
    host_request = HostRequestFactory(programme=programme, host_organisation=organisation)
    candidacy = VisitCandidacyFactory(programme=programme, volunteer=volunteer_a)
    host_round = host_round_open(
        programme=programme, ranking_deadline=timezone.now() + datetime.timedelta(days=7), by=coordinator
    )
    visited = HostRequestFactory(programme=programme, host_organisation=organisation)
    visit = visit_create(host_request=visited, candidacy=candidacy)
    return {"programme": programme, "host_request": host_request, "round": host_round, "visit": visit}


@pytest.fixture(scope="module")
def matrix_client():
    """One test client for the module: a client loads the middleware on its first request (WhiteNoise
    then indexes the static files), which would otherwise be most of each test's time."""
    return Client()


def _build_team(*, programme, site, coordinator, volunteer) -> None:
    """A team on rotations in the programme: one role, one rotation, volunteer A confirmed on it."""
    team = team_services.team_create(programme=programme, data={"title": "IR team", "host_site": site}, by=coordinator)
    team_services.team_role_add(team=team, data={"profession": volunteer.profession, "places": 2}, by=coordinator)
    start = today() + datetime.timedelta(days=200)
    end = start + datetime.timedelta(days=13)
    (rotation,) = team_services.team_rotations_add(team=team, dates=[(start, end)], by=coordinator)
    slot_need = rotation.slots.get().need
    PlacementFactory(
        application__need=slot_need,
        application__volunteer=volunteer,
        application__proposed_start=start,
        application__proposed_end=end,
    )


def _store_the_credential_document(w: World) -> None:
    credential = w.credential
    credential.document.storage.save(credential.document.name, ContentFile(PDF))


def _store_the_attachment(w: World) -> None:
    attachment = w.message.attachment
    attachment.storage.save(attachment.name, ContentFile(PDF))


def _checklist_item(w: World, key: str):
    """A step of A's placement's checklist (made on first view), as the world has it."""
    placement_checklist_create(placement=w.placement)
    return w.placement.checklist_items.get(key=key)


def _store_a_checklist_document(w: World) -> None:
    item = _checklist_item(w, "data_sharing")
    item.document = ContentFile(PDF, name="agreement.pdf")
    item.save()


def _complete(w: World) -> None:
    """The coordinators marked A's placement completed: it has a certificate."""
    Placement.objects.filter(pk=w.placement.pk).update(completed_at=timezone.now())
    Application.objects.filter(pk=w.placement.application_id).update(
        status=Application.Status.COMPLETED, completed_at=timezone.now()
    )


MATRIX_CERTIFICATE_CODE = "MATRXCERT234"


def _certify(w: World) -> None:
    _complete(w)
    certificate = certificate_issue(placement=Placement.objects.get(pk=w.placement.pk))
    Certificate.objects.filter(pk=certificate.pk).update(code=MATRIX_CERTIFICATE_CODE)


def _fill(w: World) -> None:
    Need.objects.filter(pk=w.need.pk).update(status=Need.Status.FILLED)


def _close(w: World) -> None:
    Need.objects.filter(pk=w.need.pk).update(status=Need.Status.CLOSED)


def _url(name: str, *args: Callable[[World], Any], query: Callable[[World], str] | None = None):
    def build(w: World) -> str:
        address = reverse(name, args=[arg(w) for arg in args])
        return f"{address}?{query(w)}" if query else address

    return build


slug = lambda w: w.organisation.slug  # noqa: E731
programme = lambda w: w.programme.pk  # noqa: E731
need = lambda w: w.need.pk  # noqa: E731
application = lambda w: w.application.pk  # noqa: E731
match_round = lambda w: w.match_round.pk  # noqa: E731
team = lambda w: TeamNeed.objects.get(programme=w.programme).pk  # noqa: E731
rotation = lambda w: Rotation.objects.get(team__programme=w.programme).pk  # noqa: E731
THREAD = (LOGIN, 200, 404, 200, 404, 200, 200)
THREAD_ACT = (LOGIN, DONE, 404, DONE, 404, DONE, DONE)
MESSAGE = {"body": "When do we meet?"}
# Consults: the claiming volunteer (A) and site admins; a partner clinician of the site too (not in this cast).
CONSULT = (LOGIN, 200, 404, 404, 404, 404, 200)
CONSULT_CLAIMER_ACT = (LOGIN, DONE, 404, 404, 404, 404, 403)
CONSULT_CLINICIAN_ACT = (LOGIN, 403, 404, 404, 404, 404, 403)
CLINICIANS = (LOGIN, 403, 403, 403, 403, 403, 403)


def public_id(w: World) -> str:
    return w.consult.public_id


def consult_image(w: World) -> int:
    return w.consult.images.get().pk


INVALID = {"submitted": "1"}  # a bound form with nothing filled in: refused with 400 where the page says so

ROWS = [
    # Public pages.
    Row("home", _url("home"), get=PUBLIC),
    Row("organisations:organisation-list", _url("organisations:organisation-list"), get=PUBLIC),
    Row("organisations:organisation-detail", _url("organisations:organisation-detail", slug), get=PUBLIC),
    Row(
        "organisations:organisation-detail",
        _url("organisations:organisation-detail", lambda w: w.unlisted_organisation.slug),
        get=NOBODY,
        case="pending",
    ),
    Row("programmes:opportunity-list", _url("programmes:opportunity-list"), get=PUBLIC),
    Row("programmes:opportunity-feed", _url("programmes:opportunity-feed", query=lambda w: "country=TZ"), get=PUBLIC),
    Row("programmes:opportunity-map", _url("programmes:opportunity-map"), get=PUBLIC),
    Row("programmes:embed", _url("programmes:embed", slug), get=PUBLIC),
    Row(
        "programmes:embed", _url("programmes:embed", lambda w: w.unlisted_organisation.slug), get=NOBODY, case="pending"
    ),
    Row("programmes:need-detail", _url("programmes:need-detail", need), get=PUBLIC),
    Row(
        "programmes:need-detail",
        _url("programmes:need-detail", lambda w: w.unlisted_need.pk),
        get=NOBODY,
        case="draft-programme",
    ),
    # A filled need stays public; a closed one is kept for those who applied (A) and its coordinators.
    Row("programmes:need-detail", _url("programmes:need-detail", need), get=PUBLIC, case="filled", prepare=_fill),
    Row(
        "programmes:need-detail",
        _url("programmes:need-detail", need),
        get=(404, 200, 404, 200, 404, 200, 200),
        case="closed",
        prepare=_close,
    ),
    # Token links: the token is the key, whoever is signed in.
    Row(
        "placements:calendar-feed",
        _url("placements:calendar-feed", query=lambda w: f"token={w.volunteer_a.calendar_token}"),
        get=PUBLIC,
    ),
    Row(
        "placements:calendar-feed",
        _url("placements:calendar-feed", query=lambda w: "token=" + "x" * 43),
        get=NOBODY,
        case="wrong-token",
    ),
    Row(
        "notifications:unsubscribe",
        _url("notifications:unsubscribe", lambda w: w.unsubscribe_token),
        get=PUBLIC,
        post=PUBLIC,
    ),
    Row(
        "notifications:unsubscribe",
        _url("notifications:unsubscribe", lambda w: w.unsubscribe_token[:-3] + "abc"),
        get=NOBODY,
        post=NOBODY,
        case="wrong-token",
    ),
    Row(
        "organisations:invitation-accept",
        _url("organisations:invitation-accept", lambda w: w.invitation_token),
        get=PUBLIC,
        # Only the invited address may join; anybody else holding the link is refused.
        post=(LOGIN, 403, DONE, 403, 403, 403, 403),
    ),
    Row(
        "organisations:invitation-accept",
        _url("organisations:invitation-accept", lambda w: "not-" + w.invitation_token),
        get=NOBODY,
        post=(LOGIN, 404, 404, 404, 404, 404, 404),
        case="wrong-token",
    ),
    # Anyone signed in: their own pages.
    Row(
        "organisations:organisation-request", _url("organisations:organisation-request"), get=SIGNED_IN, post=SIGNED_IN
    ),
    Row("organisations:organisation-request-list", _url("organisations:organisation-request-list"), get=SIGNED_IN),
    Row("notifications:preferences", _url("notifications:preferences"), get=SIGNED_IN, post=SIGNED_IN_ACT),
    Row("programmes:workspace", _url("programmes:workspace"), get=SIGNED_IN),
    Row("privacy:data-export", _url("privacy:data-export"), get=SIGNED_IN),
    Row(
        "privacy:account-delete",
        _url("privacy:account-delete"),
        get=SIGNED_IN,
        post=SIGNED_IN,  # the wrong password: nothing is erased
        data={"password": "not-the-password"},
    ),
    # The wizard's start: on to the profile (volunteers) or to its first step (everybody else).
    Row("volunteers:onboarding", _url("volunteers:onboarding"), get=WIZARD, post=WIZARD),
    # The address people guess for the wizard: everybody is sent to it, and it decides.
    Row("welcome", _url("welcome"), get=(ONBOARDING,) * 7),
    Row(
        "volunteers:onboarding-step",
        _url("volunteers:onboarding-step", lambda w: "about"),
        get=SIGNED_IN,
        post=SIGNED_IN,  # an invalid step is shown again with its errors
        data=INVALID,
    ),
    Row(
        "volunteers:onboarding-step",
        _url("volunteers:onboarding-step", lambda w: "no-such-step"),
        get=(LOGIN, 404, 404, 404, 404, 404, 404),
        post=(LOGIN, 404, 404, 404, 404, 404, 404),
        case="unknown",
    ),
    # A volunteer's own pages and objects.
    Row("placements:dashboard", _url("placements:dashboard"), get=VOLUNTEERS),
    Row("placements:placement-record", _url("placements:placement-record"), get=VOLUNTEERS),
    Row("volunteers:profile", _url("volunteers:profile"), get=VOLUNTEERS),
    Row(
        "volunteers:consent",
        _url("volunteers:consent"),
        get=VOLUNTEERS,
        post=(LOGIN, 400, 400, ONBOARDING, ONBOARDING, ONBOARDING, ONBOARDING),  # giving it without the box ticked
        data={"action": "give"},
    ),
    Row("volunteers:credentials", _url("volunteers:credentials"), get=VOLUNTEERS, post=VOLUNTEERS, data=INVALID),
    Row(
        "placements:calendar-token-reset",
        _url("placements:calendar-token-reset"),
        post=(LOGIN, DONE, DONE, ONBOARDING, ONBOARDING, ONBOARDING, ONBOARDING),
    ),
    Row(
        "placements:application-create",
        _url("placements:application-create", need),
        get=SIGNED_IN_ACT,  # back to the need's page
        # A already applied (back to the need); B's empty application is refused; others have no profile.
        post=(LOGIN, DONE, 400, ONBOARDING, ONBOARDING, ONBOARDING, ONBOARDING),
    ),
    Row("placements:application-withdraw", _url("placements:application-withdraw", application), post=OWNER_ACT),
    # A need's waiting list: joining takes a volunteer profile (the need has places left: refused with a message),
    # leaving is for the volunteer on it, offering to the first on it for the lead organisation's members.
    Row("placements:waiting-list-join", _url("placements:waiting-list-join", need), post=WIZARD),
    Row(
        "placements:waiting-list-leave",
        _url("placements:waiting-list-leave", lambda w: w.waiting_entry.pk),
        post=OWNER_ACT,
    ),
    Row("placements:waiting-list-offer", _url("placements:waiting-list-offer", need), post=MEMBERS_ACT),
    Row("placements:offer-accept", _url("placements:offer-accept", application), post=OWNER_ACT),
    # Its confirmation page; the application has no offer, so the owner is sent back with a message.
    Row("placements:offer-decline", _url("placements:offer-decline", application), get=OWNER_ACT, post=OWNER_ACT),
    Row(
        "placements:volunteer-feedback",
        _url("placements:volunteer-feedback", lambda w: w.placement.pk),
        get=OWNER,
        post=OWNER_FORM,
        data=INVALID,
    ),
    # Certificates of service: the holder's PDF once the placement is completed, a message before; anyone
    # with the code checks one.
    Row(
        "placements:certificate-download",
        _url("placements:certificate-download", lambda w: w.placement.pk),
        get=OWNER,
        prepare=_complete,
    ),
    Row(
        "placements:certificate-download",
        _url("placements:certificate-download", lambda w: w.placement.pk),
        get=OWNER_ACT,
        case="not-completed",
    ),
    Row(
        "placements:year-summary-download",
        _url("placements:year-summary-download", lambda w: w.placement.start_date.year),
        get=(LOGIN, 200, DONE, ONBOARDING, ONBOARDING, ONBOARDING, ONBOARDING),
        prepare=_complete,
    ),
    Row(
        "placements:certificate-verify",
        _url("placements:certificate-verify", lambda w: MATRIX_CERTIFICATE_CODE),
        get=PUBLIC,
        prepare=_certify,
    ),
    Row(
        "placements:certificate-verify",
        _url("placements:certificate-verify", lambda w: "NOSUCHCODE23"),
        get=NOBODY,
        case="unknown",
    ),
    Row(
        "matcher:round-volunteer",
        _url("matcher:round-volunteer", match_round),
        get=OWNER,
        post=OWNER_ACT,  # an empty ranking is saved as it is
    ),
    Row(
        "placements:credential-document",
        _url("placements:credential-document", lambda w: w.credential.pk),
        # The coordinators of the organisation A applied to may check A's documents.
        get=(LOGIN, 200, 404, 200, 404, 200, 200),
        prepare=_store_the_credential_document,
    ),
    Row(
        "volunteers:credential-delete", _url("volunteers:credential-delete", lambda w: w.credential.pk), post=OWNER_ACT
    ),
    # The coordinator's workspace.
    Row("programmes:site-list", _url("programmes:site-list", slug), get=MEMBERS),
    Row("programmes:site-create", _url("programmes:site-create", slug), get=MEMBERS, post=MEMBERS_FORM, data=INVALID),
    Row(
        "programmes:site-edit",
        _url("programmes:site-edit", lambda w: w.site.pk),
        get=MEMBERS,
        post=MEMBERS_FORM,
        data=INVALID,
    ),
    Row(
        "programmes:programme-create",
        _url("programmes:programme-create", slug),
        get=MEMBERS,
        post=MEMBERS_FORM,
        data=INVALID,
    ),
    Row("programmes:programme-detail", _url("programmes:programme-detail", programme), get=MEMBERS),
    # The workspace's section of a programme's needs: without htmx, members are sent to the programme's page.
    Row(
        "programmes:workspace-needs",
        _url("programmes:workspace-needs", programme),
        get=(LOGIN, 404, 404, DONE, 404, DONE, DONE),
    ),
    Row(
        "programmes:programme-edit",
        _url("programmes:programme-edit", programme),
        get=MEMBERS,
        post=MEMBERS_FORM,
        data=INVALID,
    ),
    Row("programmes:programme-publish", _url("programmes:programme-publish", programme), post=MEMBERS_ACT),
    Row("programmes:programme-close", _url("programmes:programme-close", programme), post=MEMBERS_ACT),
    Row(
        "programmes:need-create",
        _url("programmes:need-create", programme),
        get=MEMBERS,
        post=MEMBERS_FORM,
        data=INVALID,
    ),
    Row("programmes:need-edit", _url("programmes:need-edit", need), get=MEMBERS, post=MEMBERS_FORM, data=INVALID),
    Row("programmes:need-duplicate", _url("programmes:need-duplicate", need), post=MEMBERS_ACT),
    Row("programmes:need-close", _url("programmes:need-close", need), post=MEMBERS_ACT),
    Row("programmes:need-reopen", _url("programmes:need-reopen", need), post=MEMBERS_ACT),
    Row("placements:pipeline", _url("placements:pipeline", need), get=MEMBERS),
    # Pre-departure checklists: A's placement for A, and for the lead organisation's members; a step is
    # ticked by either side (A is told when the step is the coordinators'), its document goes to A and the
    # members only (not to site admins).
    Row("placements:checklist", _url("placements:checklist", lambda w: w.placement.pk), get=OWNER),
    Row(
        "placements:checklist-coordinate",
        _url("placements:checklist-coordinate", lambda w: w.placement.pk),
        get=MEMBERS,
    ),
    Row(
        "placements:checklist-item-tick",
        _url("placements:checklist-item-tick", lambda w: _checklist_item(w, "pacs_access").pk),
        post=(LOGIN, DONE, 404, DONE, 404, DONE, DONE),
    ),
    Row(
        "placements:checklist-item-untick",
        _url("placements:checklist-item-untick", lambda w: _checklist_item(w, "pacs_access").pk),
        post=(LOGIN, DONE, 404, DONE, 404, DONE, DONE),
    ),
    Row(
        "placements:checklist-item-document",
        _url("placements:checklist-item-document", lambda w: _checklist_item(w, "data_sharing").pk),
        get=(LOGIN, 200, 404, 200, 404, 200, 404),
        prepare=_store_a_checklist_document,
    ),
    Row("placements:need-checklists", _url("placements:need-checklists", need), get=MEMBERS),
    Row("placements:rotation-checklists", _url("placements:rotation-checklists", rotation), get=MEMBERS),
    Row(
        "programmes:checklist-template",
        _url("programmes:checklist-template", programme),
        get=MEMBERS,
        post=MEMBERS_FORM,
        data=INVALID,
    ),
    # Teams on rotations: the team page is public, applying takes a volunteer profile, a rotation's team is
    # seen by the volunteers confirmed on it (A), and the team is managed by the lead organisation's members.
    Row("placements:team-detail", _url("placements:team-detail", team), get=PUBLIC),
    Row(
        "placements:team-apply",
        _url("placements:team-apply", team),
        post=(LOGIN, 400, 400, ONBOARDING, ONBOARDING, ONBOARDING, ONBOARDING),
        data=INVALID,
    ),
    Row("placements:rotation-team", _url("placements:rotation-team", rotation), get=OWNER),
    # Conversations: an application's thread is its volunteer's (A) and the lead organisation's members'; a
    # group thread is for the volunteers confirmed (A, on the placement's need and on the rotation) and them.
    Row(
        "conversations:application-thread",
        _url("conversations:application-thread", application),
        get=THREAD,
        post=THREAD_ACT,
        data=MESSAGE,
    ),
    Row(
        "conversations:need-thread",
        _url("conversations:need-thread", lambda w: w.placement.need_id),
        get=THREAD,
        post=THREAD_ACT,
        data=MESSAGE,
    ),
    Row(
        "conversations:rotation-thread",
        _url("conversations:rotation-thread", rotation),
        get=THREAD,
        post=THREAD_ACT,
        data=MESSAGE,
    ),
    Row(
        "conversations:attachment",
        _url("conversations:attachment", lambda w: w.message.pk),
        get=THREAD,
        prepare=_store_the_attachment,
    ),
    # Case consults.
    Row("consults:list", _url("consults:list"), get=SIGNED_IN),
    Row("consults:new", _url("consults:new"), get=CLINICIANS, post=CLINICIANS, data=INVALID),
    Row("consults:turnaround", _url("consults:turnaround"), get=(LOGIN, 403, 403, 200, 200, 200, 200)),
    Row("consults:detail", _url("consults:detail", public_id), get=CONSULT),
    Row("consults:check", _url("consults:check", public_id), post=CONSULT_CLINICIAN_ACT),
    Row("consults:claim", _url("consults:claim", public_id), post=CONSULT_CLINICIAN_ACT),
    Row("consults:report", _url("consults:report", public_id), post=CONSULT_CLAIMER_ACT, data=INVALID),
    Row("consults:message", _url("consults:message", public_id), post=CONSULT_CLAIMER_ACT, data=MESSAGE),
    Row("consults:close", _url("consults:close", public_id), post=CONSULT_CLINICIAN_ACT),
    Row(
        "consults:image-preview",
        _url("consults:image-preview", consult_image),
        get=CONSULT,
        prepare=_store_the_consult_image,
    ),
    Row(
        "consults:image-download",
        _url("consults:image-download", consult_image),
        get=CONSULT,
        prepare=_store_the_consult_image,
    ),
    Row(
        "admin:consults_consultimageview_changelist",
        _url("admin:consults_consultimageview_changelist"),
        get=DJANGO_ADMIN,
        post=DJANGO_ADMIN,
    ),
    Row(
        "admin:conversations_thread_changelist",
        _url("admin:conversations_thread_changelist"),
        get=DJANGO_ADMIN,
        post=DJANGO_ADMIN,
    ),
    Row(
        "programmes:team-create",
        _url("programmes:team-create", programme),
        get=MEMBERS,
        post=MEMBERS_FORM,
        data=INVALID,
    ),
    Row("programmes:team-manage", _url("programmes:team-manage", team), get=MEMBERS),
    Row("programmes:team-role-add", _url("programmes:team-role-add", team), post=MEMBERS_FORM, data=INVALID),
    Row("programmes:team-rotations-add", _url("programmes:team-rotations-add", team), post=MEMBERS_FORM, data=INVALID),
    Row(
        "admin:programmes_teamneed_changelist",
        _url("admin:programmes_teamneed_changelist"),
        get=DJANGO_ADMIN,
        post=DJANGO_ADMIN,
    ),
    Row("placements:pipeline-application", _url("placements:pipeline-application", application), get=MEMBERS),
    Row("placements:application-shortlist", _url("placements:application-shortlist", application), post=MEMBERS_ACT),
    Row("placements:application-offer", _url("placements:application-offer", application), post=MEMBERS_ACT),
    Row(
        "placements:application-decline",
        _url("placements:application-decline", application),
        post=MEMBERS_ACT,
        data={"reason": "The places went to radiographers with CT experience."},
    ),
    Row(
        "placements:application-complete",
        _url("placements:application-complete", lambda w: w.placement.application_id),
        post=MEMBERS_ACT,
    ),
    Row(
        "placements:application-notes",
        _url("placements:application-notes", application),
        post=MEMBERS_ACT,
        data={"notes": "Call after the CT course."},
    ),
    Row(
        "placements:organisation-feedback",
        _url("placements:organisation-feedback", lambda w: w.placement.pk),
        get=MEMBERS,
        post=MEMBERS_FORM,
        data=INVALID,
    ),
    Row("placements:programme-feedback", _url("placements:programme-feedback", programme), get=MEMBERS),
    Row(
        "matcher:suggestion-invite",
        _url("matcher:suggestion-invite", need, lambda w: w.volunteer_a.pk),
        post=MEMBERS_ACT,
    ),
    Row("matcher:round-create", _url("matcher:round-create", programme), get=MEMBERS, post=MEMBERS_FORM),
    Row("matcher:round-detail", _url("matcher:round-detail", match_round), get=MEMBERS),
    Row("matcher:round-progress", _url("matcher:round-progress", match_round), get=MEMBERS),
    Row(
        "matcher:round-need-ranking",
        _url("matcher:round-need-ranking", match_round, need),
        post=MEMBERS_ACT,
        data=lambda w: {f"applicant-{w.application.pk}": "1"},
    ),
    Row("matcher:round-dry-run", _url("matcher:round-dry-run", match_round), post=MEMBERS_ACT),
    Row("matcher:round-run", _url("matcher:round-run", match_round), post=MEMBERS_ACT),
    Row("matcher:round-cancel", _url("matcher:round-cancel", match_round), post=MEMBERS_ACT),
    # Electives: every signed-in user sees the electives they supervise (none, for most), never another's.
    Row("placements:elective-students", _url("placements:elective-students"), get=SIGNED_IN),
    # Reports and the export.
    Row("placements:programme-report", _url("placements:programme-report", programme), get=MEMBERS),
    Row("placements:placements-csv", _url("placements:placements-csv", programme), get=MEMBERS),
    Row("placements:organisation-report", _url("placements:organisation-report", slug), get=MEMBERS),
    Row("placements:portal-report", _url("placements:portal-report"), get=STAFF),
    # The Speakers Bureau: an organisation's coordinators search and invite; the speaker (A) answers.
    Row("volunteers:speaker", _url("volunteers:speaker"), get=VOLUNTEERS, post=WIZARD),  # an empty form: not listed
    Row("placements:speaker-list", _url("placements:speaker-list", slug), get=MEMBERS),
    Row(
        "placements:speaker-invite",
        _url("placements:speaker-invite", slug, lambda w: w.speaker.pk),
        get=MEMBERS,
        post=MEMBERS_FORM,
        data=INVALID,
    ),
    Row("placements:talk-list", _url("placements:talk-list", slug), get=MEMBERS),
    Row("placements:talk-detail", _url("placements:talk-detail", lambda w: w.talk.pk), get=OWNER),
    Row("placements:talk-accept", _url("placements:talk-accept", lambda w: w.talk.pk), post=OWNER_ACT),
    Row("placements:talk-decline", _url("placements:talk-decline", lambda w: w.talk.pk), post=OWNER_ACT),
    # An organisation's members and invitations: its admins only.
    Row("organisations:member-list", _url("organisations:member-list", slug), get=ADMINS),
    Row(
        "organisations:embed-settings",
        _url("organisations:embed-settings", slug),
        get=ADMINS,
        post=ADMINS_ACT,
        data={"embed_origins": "https://www.partner.example"},
    ),
    Row(
        "organisations:embed-settings",
        _url("organisations:embed-settings", slug),
        get=ADMINS,
        post=(LOGIN, 404, 404, 403, 404, 400, 400),
        data={"embed_origins": "http://not-secure.example"},
        case="invalid",
    ),
    Row(
        "organisations:invitation-create",
        _url("organisations:invitation-create", slug),
        get=ADMINS,
        post=ADMINS_ACT,
        data={"email": "new.coordinator@example.org", "role": Membership.Role.COORDINATOR},
    ),
    Row(
        "organisations:member-role",
        _url("organisations:member-role", slug, lambda w: w.extra_member.pk),
        post=ADMINS_ACT,
        data={"role": Membership.Role.ADMIN},
    ),
    Row(
        "organisations:member-remove",
        _url("organisations:member-remove", slug, lambda w: w.extra_member.pk),
        post=ADMINS_ACT,
    ),
    Row(
        "organisations:invitation-revoke",
        _url("organisations:invitation-revoke", slug, lambda w: w.invitation.pk),
        post=ADMINS_ACT,
    ),
    # An organisation's API tokens, from its members page: its admins only (creating one shows it, once).
    Row(
        "api:token-create",
        _url("api:token-create", slug),
        post=(LOGIN, 404, 404, 403, 404, 200, 200),
        data={"name": "Partner website"},
    ),
    Row("api:token-revoke", _url("api:token-revoke", slug, lambda w: w.api_tokens["to_revoke"].pk), post=ADMINS_ACT),
    # The API: public reads for everyone; the coordinators' endpoints take an organisation's token, never a
    # session (401 without one; test_every_token_gets_the_expected_answer_on_the_coordinators_api has the tokens).
    Row("api:organisation-list", _url("api:organisation-list"), get=PUBLIC),
    Row("api:organisation-detail", _url("api:organisation-detail", lambda w: w.organisation.pk), get=PUBLIC),
    Row(
        "api:organisation-detail",
        _url("api:organisation-detail", lambda w: w.unlisted_organisation.pk),
        get=NOBODY,
        case="unlisted",
    ),
    Row("api:programme-list", _url("api:programme-list"), get=PUBLIC),
    Row("api:programme-detail", _url("api:programme-detail", programme), get=PUBLIC),
    Row("api:need-list", _url("api:need-list"), get=PUBLIC),
    Row("api:need-detail", _url("api:need-detail", need), get=PUBLIC),
    Row("api:need-detail", _url("api:need-detail", lambda w: w.unlisted_need.pk), get=NOBODY, case="unlisted"),
    # REST framework asks for the token before it looks at the verb: without one, every verb it is sent is a 401.
    *(
        Row(name, _url(name, *args), get=API_NO_TOKEN, post=API_NO_TOKEN, patch=API_NO_TOKEN)
        for name, args in (
            ("api:coordinator-need-list", ()),
            ("api:coordinator-need-detail", (need,)),
            ("api:coordinator-need-close", (need,)),
        )
    ),
    Row("api:schema", _url("api:schema"), get=PUBLIC),
    Row("api:docs", _url("api:docs"), get=PUBLIC),
    # Visiting professors and their hosts: the owning organisation leads the programme and hosts too.
    Row("matcher:visiting-list", _url("matcher:visiting-list"), get=PUBLIC),
    Row(
        "matcher:candidacy-create",
        _url("matcher:candidacy-create", lambda w: w.visiting["programme"].pk),
        get=VOLUNTEERS,
        post=(LOGIN, 400, 400, ONBOARDING, ONBOARDING, ONBOARDING, ONBOARDING),
        data=INVALID,
    ),
    Row("matcher:my-visiting", _url("matcher:my-visiting"), get=VOLUNTEERS),
    Row(
        "matcher:host-round-candidate",
        _url("matcher:host-round-candidate", lambda w: w.visiting["round"].pk),
        get=OWNER,
        post=OWNER_ACT,  # an empty ranking is saved as it is
    ),
    Row(
        "matcher:visit-feedback",
        _url("matcher:visit-feedback", lambda w: w.visiting["visit"].pk),
        # The visiting professor (A) and the host's members; the visit is not over, so a POST is sent back.
        get=(LOGIN, 200, 404, 200, 404, 200, 200),
        post=(LOGIN, DONE, 404, DONE, 404, DONE, DONE),
        data=INVALID,
    ),
    Row("matcher:host-request-list", _url("matcher:host-request-list", slug), get=MEMBERS),
    Row(
        "matcher:host-request-create",
        _url("matcher:host-request-create", slug),
        get=MEMBERS,
        post=MEMBERS_FORM,
        data=INVALID,
    ),
    Row(
        "matcher:host-request-detail",
        _url("matcher:host-request-detail", lambda w: w.visiting["host_request"].pk),
        get=MEMBERS,
        post=MEMBERS_ACT,  # an empty ranking of the candidates
    ),
    Row(
        "matcher:host-request-close",
        _url("matcher:host-request-close", lambda w: w.visiting["host_request"].pk),
        post=MEMBERS_ACT,
    ),
    Row(
        "matcher:visiting-programme",
        _url("matcher:visiting-programme", lambda w: w.visiting["programme"].pk),
        get=MEMBERS,
        post=MEMBERS_FORM,
        data=INVALID,
    ),
    Row("matcher:visit-report", _url("matcher:visit-report", lambda w: w.visiting["programme"].pk), get=MEMBERS),
    Row("matcher:host-round-detail", _url("matcher:host-round-detail", lambda w: w.visiting["round"].pk), get=MEMBERS),
    Row("matcher:host-round-run", _url("matcher:host-round-run", lambda w: w.visiting["round"].pk), post=MEMBERS_ACT),
    Row(
        "matcher:host-round-cancel",
        _url("matcher:host-round-cancel", lambda w: w.visiting["round"].pk),
        post=MEMBERS_ACT,
    ),
    # The Django admin (site admins only): the change pages of the most sensitive objects.
    Row("admin:index", _url("admin:index"), get=DJANGO_ADMIN, post=DJANGO_ADMIN),
    Row(
        "admin:volunteers_credential_change",
        _url("admin:volunteers_credential_change", lambda w: w.credential.pk),
        get=DJANGO_ADMIN,
        post=DJANGO_ADMIN,
    ),
    Row(
        "admin:volunteers_volunteerprofile_change",
        _url("admin:volunteers_volunteerprofile_change", lambda w: w.volunteer_a.pk),
        get=DJANGO_ADMIN,
        post=DJANGO_ADMIN,
    ),
    Row(
        "admin:placements_application_change",
        _url("admin:placements_application_change", application),
        get=DJANGO_ADMIN,
        post=DJANGO_ADMIN,
    ),
    Row(
        "admin:organisations_organisation_change",
        _url("admin:organisations_organisation_change", lambda w: w.organisation.pk),
        get=DJANGO_ADMIN,
        post=DJANGO_ADMIN,
    ),
    Row(
        "admin:accounts_user_change",
        _url("admin:accounts_user_change", lambda w: w.volunteer_a.user_id),
        get=DJANGO_ADMIN,
        post=DJANGO_ADMIN,
    ),
    Row(
        "admin:programmes_historicalneed_changelist",
        _url("admin:programmes_historicalneed_changelist"),
        get=DJANGO_ADMIN,
        post=DJANGO_ADMIN,
    ),
]

CASES = [pytest.param(row, index, id=f"{row.id}-{role}") for row in ROWS for index, role in enumerate(ROLES)]
VERBS = ("get", "post", *OTHER_VERBS)


def _outcome(response) -> Any:
    if response.status_code != 302:
        return response.status_code
    location = response.headers.get("Location", "")
    if location.startswith((reverse("account_login"), reverse("admin:login"))):
        return LOGIN
    if location.startswith(reverse("volunteers:onboarding")):
        return ONBOARDING
    return DONE


@pytest.mark.parametrize(("row", "role_index"), CASES)
def test_every_role_gets_the_expected_answer_on_every_url_and_verb(world, matrix_client, row, role_index):
    role = ROLES[role_index]
    client = matrix_client
    client.cookies.clear()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    address = row.url(world)
    payload = row.data(world) if callable(row.data) else (row.data or {})

    wrong = []
    for verb in VERBS:
        expected = row.expected(verb, role_index)
        with transaction.atomic():
            if row.prepare:
                row.prepare(world)
            if verb == "post":
                response = client.post(address, payload)
            elif verb == "patch":
                response = client.patch(address, payload, content_type="application/json")
            else:
                response = getattr(client, verb)(address)
            transaction.set_rollback(True)
        got = _outcome(response)
        if got != expected:
            wrong.append(f"{verb.upper()} {address}: expected {expected}, got {got}")

    assert not wrong, "\n".join(wrong)


# The coordinators' API with each token: the organisation's own, another organisation's (its needs are 404) and a
# revoked one (401). Per token: GET and POST of the list, GET and PATCH of the need, POST of its close.
TOKENS = ("none", "own", "other_organisation", "revoked")
TOKEN_CASES = {
    "list": (
        lambda w: reverse("api:coordinator-need-list"),
        {"get": (401, 200, 200, 401), "post": (401, 400, 400, 401)},
    ),
    "detail": (
        lambda w: reverse("api:coordinator-need-detail", args=[w.need.pk]),
        {"get": (401, 200, 404, 401), "patch": (401, 200, 404, 401), "put": (405,) * 4, "delete": (405,) * 4},
    ),
    "close": (
        lambda w: reverse("api:coordinator-need-close", args=[w.need.pk]),
        # REST framework asks for the token before it looks at the verb.
        {"get": (401, 405, 405, 401), "post": (401, 200, 404, 401)},
    ),
}


@pytest.mark.parametrize("case", sorted(TOKEN_CASES))
@pytest.mark.parametrize("token_index", range(len(TOKENS)))
def test_every_token_gets_the_expected_answer_on_the_coordinators_api(world, matrix_client, case, token_index):
    token = TOKENS[token_index]
    headers = {} if token == "none" else {"HTTP_AUTHORIZATION": f"Bearer {world.api_tokens[token][1]}"}
    url, expected = TOKEN_CASES[case]
    matrix_client.cookies.clear()
    wrong = []
    for verb, outcomes in expected.items():
        with transaction.atomic():
            if verb in ("post", "patch"):
                response = getattr(matrix_client, verb)(
                    url(world), {"title": "Renamed"}, content_type="application/json", **headers
                )
            else:
                response = getattr(matrix_client, verb)(url(world), **headers)
            transaction.set_rollback(True)
        got, wanted = response.status_code, outcomes[token_index]
        if got != wanted:
            wrong.append(f"{verb.upper()} {url(world)} with {token}: expected {wanted}, got {got}")
    assert not wrong, "\n".join(wrong)


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    """(route, "namespace:name") of every URL pattern under ``resolver``."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}:{entry.name}" if namespace else entry.name


# Third-party URL trees, each tested where it lives: allauth's (its key and token links are
# allauth's own and covered by tests/accounts), the Django admin (every view goes through
# AdminSite.admin_view, staff only: rows above sample its object pages), and the language switch.
NOT_OURS = ("accounts/", "admin/", "i18n/")


def test_the_matrix_has_a_row_for_every_url_of_the_portal():
    """A new URL fails here until it has a row, above all one that names an object (a path converter)."""
    every = list(_patterns(get_resolver()))
    ours = [(route, name) for route, name in every if not route.startswith(NOT_OURS)]
    covered = {row.name for row in ROWS}

    assert sorted({name for _, name in ours} - covered) == []
    assert sorted(covered - {name for _, name in every}) == []  # no row for a URL that is gone
    # The walk reaches into every included URLconf: it found the object URLs.
    assert sum("<" in route for route, _ in ours) >= 50
