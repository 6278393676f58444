"""Two-factor authentication (allauth.mfa: an authenticator app and recovery codes) is required of
coordinators, organisation admins and staff; volunteers may use it but are never forced."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse

from globalir.accounts.backends import EmailModelBackend
from globalir.accounts.selectors import user_mfa_status
from organisations.models import Membership
from tests.accounts.conftest import log_in, reauthenticate
from tests.factories import MembershipFactory, StaffFactory, fresh_totp_code, totp_code

pytestmark = pytest.mark.django_db

WORKSPACE = reverse("programmes:workspace")
ENROL = reverse("mfa_activate_totp")


@pytest.fixture
def unenrolled_coordinator(organisation):
    return MembershipFactory(
        user__email="new.coordinator@example.org",
        organisation=organisation,
        role=Membership.Role.COORDINATOR,
        mfa=False,
    ).user


@pytest.fixture
def unenrolled_staff(db):
    return StaffFactory(email="new.admin@example.org", mfa=False)


@pytest.fixture
def unenrolled_organisation_admin(organisation):
    return MembershipFactory(
        user__email="new.org.admin@example.org", organisation=organisation, role=Membership.Role.ADMIN, mfa=False
    ).user


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("unenrolled_coordinator", WORKSPACE),
        ("unenrolled_coordinator", "/admin/"),
        ("unenrolled_coordinator", reverse("placements:dashboard")),
        ("unenrolled_organisation_admin", WORKSPACE),
        ("unenrolled_staff", "/admin/"),
        ("unenrolled_staff", WORKSPACE),
    ],
)
def test_an_unenrolled_coordinator_admin_or_staff_member_is_sent_to_enrolment(client, request, who, url):
    client.force_login(request.getfixturevalue(who))

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == ENROL


@pytest.mark.parametrize("url", [reverse("mfa_index"), reverse("account_reauthenticate"), reverse("account_logout")])
def test_an_unenrolled_coordinator_can_still_reach_enrolment_and_logout(client, unenrolled_coordinator, url):
    client.force_login(unenrolled_coordinator)

    assert client.get(url).status_code == 200


def test_an_unenrolled_coordinator_can_still_log_out_and_change_language(client, unenrolled_coordinator):
    client.force_login(unenrolled_coordinator)

    language = client.post(reverse("set_language"), {"language": "fr", "next": ENROL})
    logout = client.post(reverse("account_logout"))

    assert language["Location"] == ENROL
    assert logout.status_code == 302
    assert "_auth_user_id" not in client.session


def test_volunteers_are_not_forced_to_enrol(client, volunteer, password):
    response = log_in(client, "volunteer@example.org", password)

    assert response["Location"] == reverse("placements:dashboard")
    assert client.get(reverse("placements:dashboard")).status_code == 200


def test_a_coordinator_enrols_with_a_code_from_their_app_and_then_reaches_the_workspace(
    client, unenrolled_coordinator, password
):
    log_in(client, unenrolled_coordinator.email, password)
    assert client.get(WORKSPACE)["Location"] == ENROL
    # allauth asks for the password again before enrolment.
    asked = client.get(ENROL)
    assert asked["Location"] == f"{reverse('account_reauthenticate')}?next={ENROL.replace('/', '%2F')}"
    reauthenticate(client, password)
    enrolment_page = client.get(ENROL)
    assert enrolment_page.status_code == 200
    secret = enrolment_page.context["form"].secret
    assert secret in enrolment_page.content.decode()  # for typing into the app by hand

    wrong = client.post(ENROL, {"code": f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=unenrolled_coordinator).exists()

    response = client.post(ENROL, {"code": fresh_totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    codes_page = client.get(response["Location"])
    assert codes_page.status_code == 200
    assert len(codes_page.context["unused_codes"]) == 10
    assert client.get(WORKSPACE).status_code == 200
    assert user_mfa_status(user=unenrolled_coordinator).enrolled


def test_an_enrolled_coordinators_login_asks_for_the_code(client, coordinator, password):
    response = client.post(reverse("account_login"), {"login": coordinator.email, "password": password})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    code_page = client.get(reverse("mfa_authenticate"))
    assert 'class="site-header"' in code_page.content.decode()
    assert "<script" not in code_page.content.decode()
    assert not code_page.context["user"].is_authenticated
    assert client.get(WORKSPACE)["Location"].startswith(reverse("account_login"))

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code() != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()

    code = fresh_totp_code()
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert client.get(WORKSPACE).status_code == 200

    # A code lets one login through: replayed from another browser, it is refused.
    thief = Client()
    thief.post(reverse("account_login"), {"login": coordinator.email, "password": password})
    replay = thief.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200
    assert thief.get(WORKSPACE)["Location"].startswith(reverse("account_login"))


def test_a_recovery_code_signs_in_once(client, coordinator, password):
    recovery_code = RecoveryCodes.activate(coordinator).get_unused_codes()[0]

    response = log_in(client, coordinator.email, password, code=recovery_code)

    assert response.status_code == 302
    assert client.get(WORKSPACE).status_code == 200
    client.post(reverse("account_logout"))

    again = log_in(client, coordinator.email, password, code=recovery_code)

    assert again.status_code == 200
    assert "Incorrect code." in again.content.decode()
    assert client.get(WORKSPACE)["Location"].startswith(reverse("account_login"))


def test_who_must_use_mfa_is_worked_out_in_one_query(coordinator, volunteer, django_assert_num_queries):
    with django_assert_num_queries(1):
        coordinator_status = user_mfa_status(user=coordinator)
    with django_assert_num_queries(1):
        volunteer_status = user_mfa_status(user=volunteer.user)

    assert (coordinator_status.required, coordinator_status.enrolled) == (True, True)
    # The signed-in user of a request is loaded with what it takes: no query at all.
    loaded = EmailModelBackend().get_user(coordinator.pk)
    with django_assert_num_queries(0):
        assert user_mfa_status(user=loaded).enrolled
    assert (volunteer_status.required, volunteer_status.enrolled) == (False, False)


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("unenrolled_coordinator", "mfa_activate_totp"),
        ("unenrolled_coordinator", "mfa_index"),
        ("coordinator", "mfa_index"),
        ("coordinator", "mfa_deactivate_totp"),
        ("coordinator", "usersessions_list"),
    ],
)
def test_the_mfa_and_session_pages_use_the_site_layout_without_inline_script_or_style(
    client, request, password, who, url_name
):
    client.force_login(request.getfixturevalue(who))
    reauthenticate(client, password)

    response = client.get(reverse(url_name))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in page
    assert 'class="account-nav"' in page
    assert "<script" not in page
    assert " style=" not in page
