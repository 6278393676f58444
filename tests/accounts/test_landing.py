"""Where people land after logging in or confirming their sign-up (globalir.accounts.adapter)."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.conftest import NEW_PASSWORD, link_in, log_in
from tests.factories import VolunteerProfileFactory

pytestmark = pytest.mark.django_db

WIZARD = reverse("volunteers:onboarding")
DASHBOARD = reverse("programmes:dashboard")
HOME = reverse("home")


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


@pytest.mark.parametrize("role", ["coordinator", "organisation_admin", "site_admin"])
def test_coordinators_and_admins_without_a_volunteer_profile_land_on_the_home_page(client, request, password, role):
    user = request.getfixturevalue(role)

    response = log_in(client, user.email, password)

    assert response["Location"] == HOME


def test_coordinator_who_also_volunteers_lands_on_their_dashboard(client, coordinator, password):
    VolunteerProfileFactory(user=coordinator)

    response = log_in(client, coordinator.email, password)

    assert response["Location"] == DASHBOARD


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
