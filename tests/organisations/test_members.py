"""An organisation's admins manage its members: roles, removal, and never an organisation without an admin."""

import pytest
from django.urls import reverse

from organisations.models import Invitation, Membership, Organisation
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role


def members_url(organisation):
    return reverse("organisations:member-list", kwargs={"slug": organisation.slug})


def membership_of(user, organisation):
    return Membership.objects.get(user=user, organisation=organisation)


@pytest.fixture
def other_organisation_admin(other_organisation):
    return MembershipFactory(
        user__email="other.admin@example.org", organisation=other_organisation, role=Role.ADMIN
    ).user


@pytest.fixture
def admin_client(client, organisation_admin):
    client.force_login(organisation_admin)
    return client


# Who may open and use the members pages.

CAST = {
    "anonymous": None,
    "volunteer": "volunteer",
    "coordinator of another organisation": "other_coordinator",
    "admin of another organisation": "other_organisation_admin",
    "coordinator": "coordinator",
    "organisation admin": "organisation_admin",
    "site admin": "site_admin",
}


def log_in(request, client, who):
    fixture = CAST[who]
    if fixture is None:
        return None
    user = request.getfixturevalue(fixture)
    user = getattr(user, "user", user)  # the volunteer fixture is a profile
    client.force_login(user)
    return user


def members_pages(organisation, membership, invitation):
    slug = organisation.slug
    return {
        "members": ("get", members_url(organisation), {}),
        "invite": (
            "post",
            reverse("organisations:invitation-create", kwargs={"slug": slug}),
            {"email": "new.person@example.org", "role": Role.COORDINATOR},
        ),
        "role": (
            "post",
            reverse("organisations:member-role", kwargs={"slug": slug, "pk": membership.pk}),
            {"role": Role.ADMIN},
        ),
        "remove": ("post", reverse("organisations:member-remove", kwargs={"slug": slug, "pk": membership.pk}), {}),
        "revoke": (
            "post",
            reverse("organisations:invitation-revoke", kwargs={"slug": slug, "pk": invitation.pk}),
            {},
        ),
    }


EXPECTED = {
    # who: status for (GET members page, each POST action)
    "anonymous": (302, 302),
    "volunteer": (404, 404),
    "coordinator of another organisation": (404, 404),
    "admin of another organisation": (404, 404),
    "coordinator": (403, 403),
    "organisation admin": (200, 302),
    "site admin": (200, 302),
}


@pytest.mark.parametrize("page", ["members", "invite", "role", "remove", "revoke"])
@pytest.mark.parametrize("who", list(CAST))
def test_only_the_organisations_admins_and_site_admins_manage_its_members(
    request, client, organisation, organisation_admin, who, page
):
    member = MembershipFactory(organisation=organisation, user__email="member@example.org")
    invitation = InvitationFactory(organisation=organisation)
    method, url, data = members_pages(organisation, member, invitation)[page]
    log_in(request, client, who)

    response = getattr(client, method)(url, data)

    expected = EXPECTED[who][0 if method == "get" else 1]
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    elif expected == 302:
        assert response["Location"] == members_url(organisation)
    if expected in (403, 404):
        # Nothing changed.
        assert membership_of(member.user, organisation).role == Role.COORDINATOR
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
        assert Invitation.objects.count() == 1


def test_actions_on_members_need_a_post(admin_client, organisation, organisation_admin):
    member = membership_of(organisation_admin, organisation)

    remove = admin_client.get(reverse("organisations:member-remove", args=[organisation.slug, member.pk]))
    role = admin_client.get(reverse("organisations:member-role", args=[organisation.slug, member.pk]))
    invite = admin_client.get(reverse("organisations:invitation-create", args=[organisation.slug]))

    assert remove.status_code == 405
    assert role.status_code == 405
    assert invite.status_code == 200  # the members page, with its invitation form
    assert "Send the invitation" in invite.content.decode()
    assert Membership.objects.filter(pk=member.pk, role=Role.ADMIN).exists()


def test_archived_organisations_members_page_is_gone(admin_client, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.ARCHIVED)

    assert admin_client.get(members_url(organisation)).status_code == 404


def test_members_page_lists_members_with_role_and_join_date_and_pending_invitations(
    admin_client, organisation, organisation_admin, coordinator
):
    InvitationFactory(organisation=organisation, email="waiting@example.org", invited_by=organisation_admin)
    InvitationFactory(organisation=organisation, email="used@example.org", accepted_at="2026-01-01T00:00Z")

    response = admin_client.get(members_url(organisation))

    page = response.content.decode()
    assert [m.user for m in response.context["memberships"]] == [organisation_admin, coordinator]
    assert "coordinator@example.org" in page
    assert "Programme coordinator" in page
    assert "Organisation admin" in page
    assert "The only admin" in page
    assert [invitation.email for invitation in response.context["invitations"]] == ["waiting@example.org"]
    assert "used@example.org" not in page


def test_members_page_runs_a_fixed_number_of_queries(
    admin_client, organisation, organisation_admin, django_assert_max_num_queries
):
    for _ in range(15):
        MembershipFactory(organisation=organisation)
        InvitationFactory(organisation=organisation, invited_by=organisation_admin)

    with django_assert_max_num_queries(10):
        response = admin_client.get(members_url(organisation))

    assert len(response.context["memberships"]) == 16
    assert len(response.context["invitations"]) == 15


def test_requester_of_a_pending_organisation_manages_its_members(client):
    requester = UserFactory()
    pending = OrganisationFactory(status=Organisation.Status.PENDING, requested_by=requester)
    MembershipFactory(user=requester, organisation=pending, role=Role.ADMIN)
    client.force_login(requester)

    response = client.get(members_url(pending))

    assert response.status_code == 200
    assert "waiting for the GlobalIR team's review" in response.content.decode()


def test_admin_makes_a_coordinator_an_admin_and_back(admin_client, organisation, coordinator):
    url = reverse("organisations:member-role", args=[organisation.slug, membership_of(coordinator, organisation).pk])

    promoted = admin_client.post(url, {"role": Role.ADMIN}, follow=True)
    assert membership_of(coordinator, organisation).role == Role.ADMIN
    assert "is now: Organisation admin." in promoted.content.decode()

    admin_client.post(url, {"role": Role.COORDINATOR})
    assert membership_of(coordinator, organisation).role == Role.COORDINATOR


def test_role_change_is_recorded_in_the_memberships_history(
    admin_client, organisation, organisation_admin, coordinator
):
    membership = membership_of(coordinator, organisation)

    admin_client.post(reverse("organisations:member-role", args=[organisation.slug, membership.pk]), {"role": "admin"})

    latest = membership.history.first()
    assert latest.role == Role.ADMIN
    assert latest.history_user == organisation_admin


def test_an_unknown_role_is_refused_clearly(admin_client, organisation, coordinator):
    membership = membership_of(coordinator, organisation)

    response = admin_client.post(
        reverse("organisations:member-role", args=[organisation.slug, membership.pk]), {"role": "owner"}, follow=True
    )

    assert "Choose a role: programme coordinator or organisation admin." in response.content.decode()
    assert membership_of(coordinator, organisation).role == Role.COORDINATOR


def test_the_only_admin_cannot_be_demoted(admin_client, organisation, organisation_admin):
    membership = membership_of(organisation_admin, organisation)

    response = admin_client.post(
        reverse("organisations:member-role", args=[organisation.slug, membership.pk]),
        {"role": "coordinator"},
        follow=True,
    )

    assert response.redirect_chain == [(members_url(organisation), 302)]
    assert "is the organisation&#x27;s only admin, so they cannot become a coordinator" in response.content.decode()
    assert membership_of(organisation_admin, organisation).role == Role.ADMIN


def test_the_only_admin_cannot_be_removed_even_by_a_site_admin(client, site_admin, organisation, organisation_admin):
    client.force_login(site_admin)
    membership = membership_of(organisation_admin, organisation)

    response = client.post(reverse("organisations:member-remove", args=[organisation.slug, membership.pk]), follow=True)

    assert "is the organisation&#x27;s only admin, so they cannot be removed" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_with_a_second_admin_the_first_can_step_down(admin_client, organisation, organisation_admin, coordinator):
    membership_of(coordinator, organisation)
    Membership.objects.filter(user=coordinator).update(role=Role.ADMIN)
    own = membership_of(organisation_admin, organisation)

    admin_client.post(reverse("organisations:member-role", args=[organisation.slug, own.pk]), {"role": "coordinator"})

    assert membership_of(organisation_admin, organisation).role == Role.COORDINATOR
    # Now a coordinator, they can no longer manage members.
    assert admin_client.get(members_url(organisation)).status_code == 403


def test_admin_removes_a_coordinator(admin_client, organisation, coordinator):
    membership = membership_of(coordinator, organisation)

    response = admin_client.post(
        reverse("organisations:member-remove", args=[organisation.slug, membership.pk]), follow=True
    )

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert "is no longer a member of" in response.content.decode()


def test_an_admin_who_leaves_is_taken_to_the_workspace(admin_client, organisation, organisation_admin, coordinator):
    Membership.objects.filter(user=coordinator).update(role=Role.ADMIN)
    own = membership_of(organisation_admin, organisation)

    response = admin_client.post(reverse("organisations:member-remove", args=[organisation.slug, own.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:workspace")
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_a_member_of_another_organisation_cannot_be_reached_through_this_one(
    admin_client, organisation, other_coordinator, other_organisation
):
    theirs = membership_of(other_coordinator, other_organisation)

    role = admin_client.post(
        reverse("organisations:member-role", args=[organisation.slug, theirs.pk]), {"role": "admin"}
    )
    remove = admin_client.post(reverse("organisations:member-remove", args=[organisation.slug, theirs.pk]))

    assert role.status_code == 404
    assert remove.status_code == 404
    assert membership_of(other_coordinator, other_organisation).role == Role.COORDINATOR
