"""Every coordinator and organisation-admin URL × every role, with the status each must get.

Roles: anonymous, a volunteer, a coordinator of another organisation, a coordinator of the
owning organisation, its organisation admin, and a site admin. Outsiders get 404 (the object's
existence is not revealed), members with too little role 403, anonymous visitors the login page.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.models import Membership
from programmes.matching.rounds import match_round_open
from programmes.models import Mode
from tests.factories import (
    ApplicationFactory,
    InvitationFactory,
    MembershipFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    SiteFactory,
    today,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "volunteer", "other_coordinator", "coordinator", "organisation_admin", "site_admin")
LOGIN = "login"  # a redirect to the login page
DONE = "done"  # a redirect elsewhere: the action was carried out

# Expected outcome per role, in the order of ROLES.
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
MEMBERS = (LOGIN, 404, 404, 200, 200, 200)
MEMBERS_ACT = (LOGIN, 404, 404, DONE, DONE, DONE)
ADMINS = (LOGIN, 404, 404, 403, 200, 200)
ADMINS_ACT = (LOGIN, 404, 404, 403, DONE, DONE)
STAFF = (LOGIN, 403, 403, 403, 403, 200)
DJANGO_ADMIN = (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200)


@dataclass
class World:
    organisation: object
    site: object
    programme: object
    need: object
    application: object
    placement: object
    extra_member: object
    invitation: object
    match_round: object


@pytest.fixture
def world(organisation, volunteer, coordinator, organisation_admin, other_coordinator, site_admin):
    site = SiteFactory(organisation=organisation)
    programme = ProgrammeFactory(lead_organisation=organisation)
    need = NeedFactory(programme=programme, host_site=site, places=3)
    application = ApplicationFactory(need=need, volunteer=volunteer)
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
        application__proposed_start=started,
        application__proposed_end=today() - datetime.timedelta(days=1),
    )
    extra_member = MembershipFactory(organisation=organisation, role=Membership.Role.COORDINATOR)
    invitation = InvitationFactory(organisation=organisation)
    match_round = match_round_open(
        programme=programme, ranking_deadline=timezone.now() + datetime.timedelta(days=7), by=coordinator
    )
    return World(organisation, site, programme, need, application, placement, extra_member, invitation, match_round)


def _cases():
    """(name, method, url builder, data builder, expected per role)."""
    slug = lambda w: w.organisation.slug  # noqa: E731
    return [
        ("workspace", "get", lambda w: reverse("programmes:workspace"), None, SIGNED_IN),
        ("organisation-request", "get", lambda w: reverse("organisations:organisation-request"), None, SIGNED_IN),
        ("my-requests", "get", lambda w: reverse("organisations:organisation-request-list"), None, SIGNED_IN),
        ("site-list", "get", lambda w: reverse("programmes:site-list", args=[slug(w)]), None, MEMBERS),
        ("site-create", "get", lambda w: reverse("programmes:site-create", args=[slug(w)]), None, MEMBERS),
        ("site-edit", "get", lambda w: reverse("programmes:site-edit", args=[w.site.pk]), None, MEMBERS),
        ("programme-create", "get", lambda w: reverse("programmes:programme-create", args=[slug(w)]), None, MEMBERS),
        (
            "programme-detail",
            "get",
            lambda w: reverse("programmes:programme-detail", args=[w.programme.pk]),
            None,
            MEMBERS,
        ),
        ("programme-edit", "get", lambda w: reverse("programmes:programme-edit", args=[w.programme.pk]), None, MEMBERS),
        (
            "programme-publish",
            "post",
            lambda w: reverse("programmes:programme-publish", args=[w.programme.pk]),
            {},
            MEMBERS_ACT,
        ),
        (
            "programme-close",
            "post",
            lambda w: reverse("programmes:programme-close", args=[w.programme.pk]),
            {},
            MEMBERS_ACT,
        ),
        ("need-create", "get", lambda w: reverse("programmes:need-create", args=[w.programme.pk]), None, MEMBERS),
        ("need-edit", "get", lambda w: reverse("programmes:need-edit", args=[w.need.pk]), None, MEMBERS),
        ("need-duplicate", "post", lambda w: reverse("programmes:need-duplicate", args=[w.need.pk]), {}, MEMBERS_ACT),
        ("need-close", "post", lambda w: reverse("programmes:need-close", args=[w.need.pk]), {}, MEMBERS_ACT),
        ("need-reopen", "post", lambda w: reverse("programmes:need-reopen", args=[w.need.pk]), {}, MEMBERS_ACT),
        ("pipeline", "get", lambda w: reverse("programmes:pipeline", args=[w.need.pk]), None, MEMBERS),
        (
            "pipeline-application",
            "get",
            lambda w: reverse("programmes:pipeline-application", args=[w.application.pk]),
            None,
            MEMBERS,
        ),
        (
            "application-shortlist",
            "post",
            lambda w: reverse("programmes:application-shortlist", args=[w.application.pk]),
            {},
            MEMBERS_ACT,
        ),
        (
            "application-offer",
            "post",
            lambda w: reverse("programmes:application-offer", args=[w.application.pk]),
            {},
            MEMBERS_ACT,
        ),
        (
            "application-decline",
            "post",
            lambda w: reverse("programmes:application-decline", args=[w.application.pk]),
            {"reason": "The places went to radiographers with CT experience."},
            MEMBERS_ACT,
        ),
        (
            "application-complete",
            "post",
            lambda w: reverse("programmes:application-complete", args=[w.placement.application.pk]),
            {},
            MEMBERS_ACT,
        ),
        (
            "application-notes",
            "post",
            lambda w: reverse("programmes:application-notes", args=[w.application.pk]),
            {"notes": "Call after the CT course."},
            MEMBERS_ACT,
        ),
        (
            "organisation-feedback",
            "get",
            lambda w: reverse("programmes:organisation-feedback", args=[w.placement.pk]),
            None,
            MEMBERS,
        ),
        (
            "programme-feedback",
            "get",
            lambda w: reverse("programmes:programme-feedback", args=[w.programme.pk]),
            None,
            MEMBERS,
        ),
        (
            "programme-report",
            "get",
            lambda w: reverse("programmes:programme-report", args=[w.programme.pk]),
            None,
            MEMBERS,
        ),
        ("placements-csv", "get", lambda w: reverse("programmes:placements-csv", args=[w.programme.pk]), None, MEMBERS),
        (
            "organisation-report",
            "get",
            lambda w: reverse("programmes:organisation-report", args=[slug(w)]),
            None,
            MEMBERS,
        ),
        ("portal-report", "get", lambda w: reverse("programmes:portal-report"), None, STAFF),
        ("member-list", "get", lambda w: reverse("organisations:member-list", args=[slug(w)]), None, ADMINS),
        (
            "invitation-create",
            "get",
            lambda w: reverse("organisations:invitation-create", args=[slug(w)]),
            None,
            ADMINS,
        ),
        (
            "invitation-create-post",
            "post",
            lambda w: reverse("organisations:invitation-create", args=[slug(w)]),
            {"email": "new.coordinator@example.org", "role": Membership.Role.COORDINATOR},
            ADMINS_ACT,
        ),
        (
            "member-role",
            "post",
            lambda w: reverse("organisations:member-role", args=[slug(w), w.extra_member.pk]),
            {"role": Membership.Role.ADMIN},
            ADMINS_ACT,
        ),
        (
            "member-remove",
            "post",
            lambda w: reverse("organisations:member-remove", args=[slug(w), w.extra_member.pk]),
            {},
            ADMINS_ACT,
        ),
        (
            "invitation-revoke",
            "post",
            lambda w: reverse("organisations:invitation-revoke", args=[slug(w), w.invitation.pk]),
            {},
            ADMINS_ACT,
        ),
        ("round-create", "get", lambda w: reverse("programmes:round-create", args=[w.programme.pk]), None, MEMBERS),
        ("round-detail", "get", lambda w: reverse("programmes:round-detail", args=[w.match_round.pk]), None, MEMBERS),
        (
            "round-progress",
            "get",
            lambda w: reverse("programmes:round-progress", args=[w.match_round.pk]),
            None,
            MEMBERS,
        ),
        (
            "round-need-ranking",
            "post",
            lambda w: reverse("programmes:round-need-ranking", args=[w.match_round.pk, w.need.pk]),
            lambda w: {f"applicant-{w.application.pk}": "1"},
            MEMBERS_ACT,
        ),
        (
            "round-dry-run",
            "post",
            lambda w: reverse("programmes:round-dry-run", args=[w.match_round.pk]),
            {},
            MEMBERS_ACT,
        ),
        ("round-run", "post", lambda w: reverse("programmes:round-run", args=[w.match_round.pk]), {}, MEMBERS_ACT),
        (
            "round-cancel",
            "post",
            lambda w: reverse("programmes:round-cancel", args=[w.match_round.pk]),
            {},
            MEMBERS_ACT,
        ),
        (
            "suggestion-invite",
            "post",
            lambda w: reverse("programmes:suggestion-invite", args=[w.need.pk, w.application.volunteer_id]),
            {},
            MEMBERS_ACT,
        ),
        (
            "admin-organisations",
            "get",
            lambda w: reverse("admin:organisations_organisation_changelist"),
            None,
            DJANGO_ADMIN,
        ),
        (
            "admin-audit-needs",
            "get",
            lambda w: reverse("admin:programmes_historicalneed_changelist"),
            None,
            DJANGO_ADMIN,
        ),
        (
            "admin-notifications",
            "get",
            lambda w: reverse("admin:notifications_notification_changelist"),
            None,
            DJANGO_ADMIN,
        ),
    ]


CASES = [
    pytest.param(method, url, data, role, expected[index], id=f"{name}-{role}")
    for name, method, url, data, expected in _cases()
    for index, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("method", "url", "data", "role", "expected"), CASES)
def test_permission_matrix(client, request, world, method, url, data, role, expected):
    if role != "anonymous":
        user = request.getfixturevalue(role)
        client.force_login(getattr(user, "user", user))
    address = url(world)

    payload = data(world) if callable(data) else data
    response = getattr(client, method)(address, payload or {})

    location = response.headers.get("Location", "")
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert "login" in location, location
    elif expected == DONE:
        assert response.status_code == 302, response.content.decode()[:500]
        assert "login" not in location, location
    else:
        assert response.status_code == expected


def test_the_matrix_covers_every_coordinator_and_admin_url():
    """A new coordinator or organisation-admin URL fails here until the matrix covers it."""
    from organisations import urls as organisation_urls
    from programmes import urls as programme_urls

    private = {
        pattern.name
        for pattern in programme_urls.urlpatterns
        if str(pattern.pattern).startswith(("coordinate/", "reports/"))
    } | {
        pattern.name
        for pattern in organisation_urls.urlpatterns
        if "/members/" in str(pattern.pattern) or "/invitations/" in str(pattern.pattern)
    }
    covered = {name for name, *_ in _cases()}

    assert private - covered == set()
