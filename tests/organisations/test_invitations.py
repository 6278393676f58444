"""Invitations: an organisation admin invites by e-mail; the link works once, expires and joins only the invitee."""

import datetime
import hashlib
import re

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from globalir.accounts.models import User
from notifications.models import Notification
from organisations.models import Invitation, Membership
from organisations.services import invitation_accept, invitation_create
from tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
NEW_PASSWORD = "a-long-enough-passphrase"


def accept_path(token):
    return reverse("organisations:invitation-accept", kwargs={"token": token})


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/organisations/invitations/[^/\s]+/)", message.body)
    assert match, f"No invitation link in:\n{message.body}"
    return match.group(1)


def stored_invitation(token, **kwargs):
    """An invitation whose link is known to the test, as if an admin had just sent it."""
    return InvitationFactory(token_hash=hashlib.sha256(token.encode()).hexdigest(), **kwargs)


@pytest.fixture
def admin_client(client, organisation_admin):
    client.force_login(organisation_admin)
    return client


def invite(client, organisation, email="dr.juma@example.org", role=Role.COORDINATOR, **kwargs):
    return client.post(
        reverse("organisations:invitation-create", kwargs={"slug": organisation.slug}),
        {"email": email, "role": role},
        **kwargs,
    )


# Sending


def test_admin_invites_by_email_and_the_email_holds_a_single_use_link(
    admin_client, organisation, organisation_admin, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.INVITATION_DAYS = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client, organisation, email=" Dr.Juma@Example.org ", follow=True)

    invitation = Invitation.objects.get()
    assert invitation.email == "dr.juma@example.org"
    assert invitation.role == Role.COORDINATOR
    assert invitation.invited_by == organisation_admin
    assert invitation.is_pending
    assert abs(invitation.expires_at - (timezone.now() + datetime.timedelta(days=10))) < datetime.timedelta(minutes=1)
    page = response.content.decode()
    assert "Invitation sent to dr.juma@example.org. The link works for 10 days." in page
    assert "dr.juma@example.org" in page.split("Invitations waiting for an answer")[1]

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["dr.juma@example.org"]
    assert message.subject == "[GlobalIR] Invitation to join Road to IR Test Partners (R2T) on GlobalIR"
    assert "invites you to join Road to IR Test Partners (R2T) on GlobalIR as: Programme coordinator." in message.body
    path = link_in(message)
    assert path in message.alternatives[0][0]
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_the_token_is_never_stored_raw(organisation, organisation_admin):
    invitation, token = invitation_create(
        organisation=organisation, email="dr.juma@example.org", role=Role.ADMIN, by=organisation_admin
    )

    assert len(token) >= 40
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert all(token not in str(value) for value in stored.values())
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()


def test_invitation_to_someone_with_an_account_is_addressed_to_them(
    organisation, organisation_admin, django_capture_on_commit_callbacks, mailoutbox
):
    existing = UserFactory(email="nurse.anna@example.org", first_name="Anna", last_name="Kimaro")

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organisation=organisation, email="Nurse.Anna@example.org", role=Role.COORDINATOR, by=organisation_admin
        )

    assert Notification.objects.get(kind="invitation").recipient == existing
    assert mailoutbox[0].body.startswith("Hello Anna Kimaro,")


def test_a_new_invitation_to_the_same_address_replaces_the_pending_one(client, organisation, organisation_admin):
    first, first_token = invitation_create(
        organisation=organisation, email="dr.juma@example.org", role=Role.COORDINATOR, by=organisation_admin
    )
    second, _token = invitation_create(
        organisation=organisation, email="DR.JUMA@example.org", role=Role.ADMIN, by=organisation_admin
    )

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_pending
    assert list(Invitation.objects.pending()) == [second]
    response = client.get(accept_path(first_token))
    assert response.status_code == 410
    assert "This invitation was withdrawn." in response.content.decode()


def test_an_address_that_is_already_a_member_is_refused(admin_client, organisation, coordinator):
    response = invite(admin_client, organisation, email="Coordinator@example.org")

    assert response.status_code == 200
    assert response.context["invite_form"].errors["email"] == [
        "coordinator@example.org is already a member of Road to IR Test Partners (R2T): change their role in the "
        "list instead."
    ]
    assert not Invitation.objects.exists()


def test_a_member_known_by_a_second_confirmed_address_is_refused_too(organisation, organisation_admin, coordinator):
    EmailAddress.objects.create(user=coordinator, email="c.work@example.org", verified=True, primary=False)

    with pytest.raises(ValidationError) as refusal:
        invitation_create(organisation=organisation, email="c.work@example.org", role=Role.ADMIN, by=organisation_admin)

    assert "already a member" in refusal.value.messages[0]


def test_invitation_form_says_what_is_wrong(admin_client, organisation):
    response = invite(admin_client, organisation, email="not-an-address", role="owner")

    errors = response.context["invite_form"].errors
    assert errors["email"] == ["Enter a valid email address."]
    assert "Select a valid choice." in errors["role"][0]
    assert "The invitation was not sent" in response.content.decode()
    assert not Invitation.objects.exists()


def test_admin_withdraws_a_pending_invitation_and_its_link_stops_working(
    admin_client, client, organisation, organisation_admin
):
    invitation, token = invitation_create(
        organisation=organisation, email="dr.juma@example.org", role=Role.COORDINATOR, by=organisation_admin
    )

    response = admin_client.post(
        reverse("organisations:invitation-revoke", args=[organisation.slug, invitation.pk]), follow=True
    )
    again = admin_client.post(
        reverse("organisations:invitation-revoke", args=[organisation.slug, invitation.pk]), follow=True
    )

    assert "The invitation to dr.juma@example.org was withdrawn" in response.content.decode()
    assert "can no longer be withdrawn" in again.content.decode()
    assert not response.context["invitations"]
    admin_client.logout()
    page = client.get(accept_path(token))
    assert page.status_code == 410
    assert "This invitation was withdrawn." in page.content.decode()


def test_an_invitation_of_another_organisation_cannot_be_withdrawn_from_this_one(
    admin_client, organisation, other_organisation
):
    theirs = InvitationFactory(organisation=other_organisation)

    response = admin_client.post(reverse("organisations:invitation-revoke", args=[organisation.slug, theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# Accepting


def test_anonymous_visitor_sees_who_invites_them_to_what_and_links_to_sign_up_or_log_in(
    client, organisation, organisation_admin
):
    _invitation, token = invitation_create(
        organisation=organisation, email="dr.juma@example.org", role=Role.ADMIN, by=organisation_admin
    )

    response = client.get(accept_path(token))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Join Road to IR Test Partners (R2T)" in page
    assert "Organisation admin" in page
    assert organisation_admin.get_full_name() in page
    assert "dr.juma@example.org" in page
    next_param = f"?next=/organisations/invitations/{token}/"
    assert f'href="{reverse("account_signup")}{next_param}"' in page
    assert f'href="{reverse("account_login")}{next_param}"' in page
    assert client.session["account_verified_email"] == "dr.juma@example.org"


def test_a_new_user_signs_up_with_the_invited_address_from_the_email_link_and_joins(
    client, organisation, organisation_admin, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organisation=organisation, email="dr.juma@example.org", role=Role.COORDINATOR, by=organisation_admin
        )
    path = link_in(mailoutbox[0])

    # The e-mail's link, then its "Sign up" link, then allauth's sign-up form.
    page = client.get(path)
    signup_url = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', page.content.decode()).group(1)
    signup_page = client.get(signup_url)
    assert signup_page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        signed_up = client.post(
            signup_url,
            {"email": "dr.juma@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "next": path},
        )

    # No confirmation e-mail: following the invitation proved the address.
    assert signed_up.status_code == 302
    assert signed_up["Location"] == path
    assert len(mailoutbox) == 1
    user = User.objects.get(email="dr.juma@example.org")
    assert EmailAddress.objects.get(user=user).verified
    invitation_page = client.get(path)
    assert invitation_page.context["user"] == user
    assert 'type="submit" class="button">Join Road to IR Test Partners (R2T)' in invitation_page.content.decode()

    joined = client.post(path)

    assert joined.status_code == 302
    assert joined["Location"] == reverse("programmes:workspace")
    assert Membership.objects.get(user=user, organisation=organisation).role == Role.COORDINATOR
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None


def test_an_existing_user_logs_in_from_the_invitation_and_joins(client, organisation, organisation_admin, password):
    existing = UserFactory(email="dr.juma@example.org")
    _invitation, token = invitation_create(
        organisation=organisation, email="dr.juma@example.org", role=Role.ADMIN, by=organisation_admin
    )

    logged_in = client.post(
        f"{reverse('account_login')}?next={accept_path(token)}", {"login": "dr.juma@example.org", "password": password}
    )
    assert logged_in["Location"] == accept_path(token)
    response = client.post(accept_path(token), follow=True)

    assert response.redirect_chain[0] == (reverse("programmes:workspace"), 302)
    assert Membership.objects.get(user=existing, organisation=organisation).role == Role.ADMIN


def test_anonymous_post_is_sent_to_log_in(client, organisation, organisation_admin):
    _invitation, token = invitation_create(
        organisation=organisation, email="dr.juma@example.org", role=Role.ADMIN, by=organisation_admin
    )

    response = client.post(accept_path(token))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Invitation.objects.get().accepted_at


def test_a_link_works_only_once(client, organisation):
    user = UserFactory(email="dr.juma@example.org")
    stored_invitation("single-use-token", organisation=organisation, email="dr.juma@example.org")
    client.force_login(user)

    first = client.post(accept_path("single-use-token"))
    Membership.objects.filter(user=user).delete()  # say they left since
    again = client.post(accept_path("single-use-token"))

    assert first.status_code == 302
    assert again.status_code == 410
    assert "This invitation has already been used." in again.content.decode()
    assert not Membership.objects.filter(user=user).exists()
    with pytest.raises(ValidationError, match="already been used"):
        invitation_accept(token="single-use-token", user=user)


def test_an_expired_link_is_refused_with_a_clear_page(client, organisation):
    user = UserFactory(email="dr.juma@example.org")
    stored_invitation(
        "expired-token",
        organisation=organisation,
        email=user.email,
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )

    anonymous = client.get(accept_path("expired-token"))
    client.force_login(user)
    refused = client.post(accept_path("expired-token"))

    assert anonymous.status_code == 410
    assert "This invitation has expired. Ask the organisation" in anonymous.content.decode()
    assert "account_verified_email" not in client.session or not client.session["account_verified_email"]
    assert refused.status_code == 410
    assert not Membership.objects.filter(user=user).exists()


def test_an_unknown_link_is_a_clear_not_found_page(client, plain_user):
    anonymous = client.get(accept_path("no-such-token"))
    client.force_login(plain_user)
    posted = client.post(accept_path("no-such-token"))

    assert anonymous.status_code == 404
    assert "This invitation link is not valid." in anonymous.content.decode()
    assert posted.status_code == 404


def test_a_user_signed_in_with_another_address_is_told_where_the_invitation_was_sent(client, organisation, plain_user):
    stored_invitation("for-someone-else", organisation=organisation, email="dr.juma@example.org")
    client.force_login(plain_user)

    page = client.get(accept_path("for-someone-else"))
    refused = client.post(accept_path("for-someone-else"))

    assert "This invitation was sent to dr.juma@example.org, but you are logged in as someone@example.org." in (
        page.content.decode()
    )
    assert 'class="button">Join' not in page.content.decode()
    assert refused.status_code == 403
    assert (
        "This invitation was sent to dr.juma@example.org. Log in with that address, or add it to your account and "
        "confirm it, to accept." in refused.content.decode()
    )
    assert not Membership.objects.filter(user=plain_user).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_unconfirmed_address_is_not_enough(organisation):
    user = UserFactory(email="dr.juma@example.org", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    stored_invitation("unconfirmed", organisation=organisation, email=user.email)

    with pytest.raises(ValidationError) as refusal:
        invitation_accept(token="unconfirmed", user=user)

    assert refusal.value.code == "wrong_email"
    assert not Membership.objects.filter(user=user).exists()


def test_an_existing_member_takes_the_invited_role(organisation, coordinator):
    stored_invitation("promotion", organisation=organisation, email=coordinator.email, role=Role.ADMIN)

    membership = invitation_accept(token="promotion", user=coordinator)

    assert membership.role == Role.ADMIN
    assert Membership.objects.filter(user=coordinator).count() == 1


def test_the_only_admin_accepting_a_coordinator_invitation_stays_admin(organisation, organisation_admin):
    stored_invitation("demotion", organisation=organisation, email=organisation_admin.email, role=Role.COORDINATOR)

    membership = invitation_accept(token="demotion", user=organisation_admin)

    assert membership.role == Role.ADMIN


def test_invitation_admin_hides_the_token_hash_and_cannot_create_invitations(client, site_admin, organisation):
    invitation = stored_invitation("admin-view", organisation=organisation, email="dr.juma@example.org")
    client.force_login(site_admin)

    listing = client.get(reverse("admin:organisations_invitation_changelist"))
    detail = client.get(reverse("admin:organisations_invitation_change", args=[invitation.pk]))
    add = client.get(reverse("admin:organisations_invitation_add"))

    assert "dr.juma@example.org" in listing.content.decode()
    assert "Waiting" in listing.content.decode()
    assert detail.status_code == 200
    assert invitation.token_hash not in detail.content.decode()
    assert add.status_code == 403


def test_site_admin_withdraws_invitations_from_the_admin(client, site_admin, organisation):
    invitation = stored_invitation("admin-revoke", organisation=organisation)
    used = stored_invitation("admin-used", organisation=organisation, accepted_at=timezone.now())
    client.force_login(site_admin)

    response = client.post(
        reverse("admin:organisations_invitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk, used.pk]},
        follow=True,
    )

    assert "1 invitation withdrawn." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_membership_admin_has_a_history_page(client, site_admin, organisation, coordinator):
    membership = MembershipFactory(organisation=organisation)
    client.force_login(site_admin)

    response = client.get(reverse("admin:organisations_membership_history", args=[membership.pk]))

    assert response.status_code == 200


def test_the_outbox_forgets_the_invitation_link_once_the_email_has_gone(
    organisation, organisation_admin, mailoutbox, django_capture_on_commit_callbacks
):
    from notifications.models import Notification
    from organisations.services import invitation_create

    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = invitation_create(
            organisation=organisation, email="new.person@example.org", role="coordinator", by=organisation_admin
        )

    assert token in mailoutbox[0].body
    stored = Notification.objects.get(kind="invitation")
    assert stored.status == Notification.Status.SENT
    assert token not in str(stored.context)
