"""Where people land after logging in or confirming their sign-up (globalir.accounts.adapter)."""

import pytest
from django.core import mail
from django.urls import reverse

from organisations.models import Membership, Organisation
from tests.accounts.conftest import NEW_PASSWORD, link_in, log_in
from tests.factories import (
    CredentialFactory,
    MembershipFactory,
    OrganisationFactory,
    VolunteerProfileFactory,
    fresh_totp_code,
)

pytestmark = pytest.mark.django_db

WIZARD = reverse("volunteers:onboarding")
DASHBOARD = reverse("placements:dashboard")
WORKSPACE = reverse("programmes:workspace")
ADMIN = reverse("admin:index")


def test_new_volunteer_lands_on_the_profile_wizard_after_confirming_their_email(client):
    client.post(
        reverse("account_signup"),
        {"email": "sonographer@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert len(mail.outbox) == 1

    response = client.post(link_in(mail.outbox[0], "/accounts/confirm-email/"))

    assert response.status_code == 302
    assert response["Location"] == WIZARD
    assert client.get(WIZARD)["Location"] == reverse("volunteers:onboarding-step", args=["about"])


def test_user_without_a_profile_lands_on_the_profile_wizard(client, plain_user, password):
    response = log_in(client, plain_user.email, password)

    assert response["Location"] == WIZARD


def test_volunteer_who_stopped_half_way_lands_back_on_the_wizard(client, password):
    profile = VolunteerProfileFactory(onboarding_step=2, onboarding_completed_at=None)

    response = log_in(client, profile.user.email, password)

    assert response["Location"] == WIZARD
    assert client.get(WIZARD)["Location"] == reverse("volunteers:onboarding-step", args=["skills"])


def test_onboarded_volunteer_lands_on_their_dashboard(client, volunteer, password):
    response = log_in(client, "volunteer@example.org", password)

    assert response["Location"] == DASHBOARD


@pytest.mark.parametrize(
    ("role", "landing"),
    [("coordinator", WORKSPACE), ("organisation_admin", WORKSPACE), ("site_admin", ADMIN)],
)
def test_coordinators_and_site_admins_land_on_their_work_after_the_authenticator_step(
    client, request, password, role, landing
):
    user = request.getfixturevalue(role)

    password_step = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert password_step["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": fresh_totp_code()})

    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.get(landing).status_code == 200


@pytest.mark.parametrize("who", ["coordinator", "site_admin"])
def test_next_parameter_survives_the_authenticator_step(client, request, password, who):
    user = request.getfixturevalue(who)
    url = f"{reverse('account_login')}?next=/opportunities/%3Fmode%3Dremote"

    password_step = client.post(url, {"login": user.email, "password": password})
    assert password_step["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": fresh_totp_code()})

    assert response["Location"] == "/opportunities/?mode=remote"


def test_coordinator_who_also_volunteers_lands_on_the_workspace(client, coordinator, password):
    # The coordinator's work comes first; "My volunteering" is one link away in the menu.
    VolunteerProfileFactory(user=coordinator)

    response = log_in(client, coordinator.email, password)

    assert response["Location"] == WORKSPACE


def test_partner_clinician_lands_on_their_consults_not_the_volunteer_wizard(client, password):
    clinician = MembershipFactory(role=Membership.Role.CLINICIAN).user

    response = log_in(client, clinician.email, password)

    assert response["Location"] == reverse("consults:list")
    assert client.get(response["Location"]).status_code == 200


def test_partner_clinician_who_also_volunteers_lands_on_their_dashboard(client, password):
    clinician = MembershipFactory(role=Membership.Role.CLINICIAN).user
    VolunteerProfileFactory(user=clinician)

    response = log_in(client, clinician.email, password)

    assert response["Location"] == DASHBOARD


def test_member_of_an_archived_organisation_only_is_treated_as_a_volunteer(client, password):
    member = MembershipFactory(organisation__status=Organisation.Status.ARCHIVED).user
    VolunteerProfileFactory(user=member)

    response = log_in(client, member.email, password)

    assert response["Location"] == DASHBOARD


def test_site_admin_lands_on_the_queue_of_what_waits_for_review(client, site_admin, password):
    OrganisationFactory(name="Awaiting Review Trust", status=Organisation.Status.PENDING)
    OrganisationFactory(name="Already Verified Trust")
    CredentialFactory()
    CredentialFactory()

    landing = client.get(log_in(client, site_admin.email, password)["Location"])

    page = landing.content.decode()
    assert "Waiting for your review" in page
    organisations = "/admin/organisations/organisation/?status__exact=pending"
    assert f'<a href="{organisations}">1 request to list an organisation</a>' in page
    assert '<a href="/admin/volunteers/credential/?status__exact=pending">2 credentials to verify</a>' in page
    listed = client.get("/admin/organisations/organisation/?status__exact=pending").content.decode()
    assert "Awaiting Review Trust" in listed and "Already Verified Trust" not in listed


@pytest.mark.parametrize("who", ["plain_user", "volunteer", "coordinator"])
def test_next_parameter_wins_over_the_usual_landing_page(client, request, password, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)

    response = log_in(client, user.email, password, next_url="/opportunities/?mode=remote")

    assert response["Location"] == "/opportunities/?mode=remote"


def test_next_parameter_pointing_to_another_site_is_ignored(client, volunteer, password):
    response = log_in(client, "volunteer@example.org", password, next_url="https://evil.example/phish")

    assert response["Location"] == DASHBOARD


def test_page_that_asked_for_login_is_where_the_volunteer_returns(client, volunteer, password):
    asked = client.get(reverse("volunteers:credentials"))
    login_url = asked["Location"]

    response = client.post(login_url, {"login": "volunteer@example.org", "password": password})

    assert response["Location"] == reverse("volunteers:credentials")


def test_partner_clinician_who_does_not_volunteer_has_no_volunteering_link_in_the_menu(client, password):
    clinician = MembershipFactory(role=Membership.Role.CLINICIAN).user
    client.force_login(clinician)

    page = client.get(reverse("consults:list")).content.decode()

    assert 'href="' + DASHBOARD + '"' not in page
    assert 'href="' + reverse("consults:list") + '"' in page


def test_partner_clinician_who_volunteers_keeps_the_volunteering_link(client, password):
    clinician = MembershipFactory(role=Membership.Role.CLINICIAN).user
    VolunteerProfileFactory(user=clinician)
    client.force_login(clinician)

    page = client.get(reverse("consults:list")).content.decode()

    assert 'href="' + DASHBOARD + '"' in page
