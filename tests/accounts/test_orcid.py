"""Sign-in with ORCID, through the whole OAuth flow against a fake ORCID server on loopback.

The test client plays the browser: it starts the sign-in on the portal, follows the redirect to the fake
ORCID itself (urllib), and comes back to the portal's callback with what ORCID put in the address. The
portal then exchanges the code and reads the record over HTTP, as it would from orcid.org.
"""

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.test import Client
from django.urls import reverse

from globalir.accounts.models import User
from globalir.privacy import account_erase, volunteer_data_export
from tests.accounts.conftest import link_in, log_in, reauthenticate
from tests.accounts.orcid_server import CLIENT_ID, FakeOrcid, OrcidPerson, portal_uses
from tests.factories import ApplicationFactory, NeedFactory, VolunteerProfileFactory, fresh_totp_code

pytestmark = pytest.mark.django_db

ORCID_ID = "0000-0002-1825-0097"
OTHER_ORCID_ID = "0000-0001-5109-3700"


@pytest.fixture
def orcid(settings, monkeypatch):
    """The fake ORCID, and the portal configured to use it (as ORCID_CLIENT_ID and friends would)."""
    # The calls to the fake server must not go through a proxy the machine may have configured.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with FakeOrcid() as fake:
        portal_uses(settings, fake)
        yield fake


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the redirect comes back as an HTTPError, whose Location the test follows itself


def through_orcid(client: Client, orcid: FakeOrcid, *, process: str = "login"):
    """Press the ORCID button, let ORCID send the browser back, and return the portal's answer to the
    callback."""
    start = client.post(f"{reverse('orcid_login')}?{urlencode({'process': process})}")
    assert start.status_code == 302, start.content.decode()[:500]
    authorize = start["Location"]
    assert authorize.startswith(f"{orcid.url}/oauth/authorize?")
    assert f"client_id={CLIENT_ID}" in authorize
    opener = urllib.request.build_opener(_KeepRedirects)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(authorize, timeout=5)  # noqa: S310 - the test's own loopback server
    assert redirect.value.code == 302
    back = urlsplit(redirect.value.headers["Location"])
    assert back.path == reverse("orcid_callback")
    return client.get(f"{back.path}?{back.query}")


def linked_orcid(user) -> list[str]:
    return list(SocialAccount.objects.filter(user=user, provider="orcid").values_list("uid", flat=True))


def test_a_new_volunteer_signs_up_with_orcid_and_confirms_their_email_first(client, orcid):
    orcid.next_person = OrcidPerson(orcid=ORCID_ID, given_names="Amara", family_name="Okafor")

    back = through_orcid(client, orcid)

    # ORCID's public record gives no e-mail address: the portal asks for one.
    assert back.status_code == 302
    assert back["Location"] == reverse("socialaccount_signup")
    form_page = client.get(reverse("socialaccount_signup"))
    assert form_page.status_code == 200
    assert set(form_page.context["form"].fields) == {"email"}
    assert "E-mail address" in form_page.content.decode()
    assert orcid.requests == ["GET /oauth/authorize", "POST /oauth/token", f"GET /v3.0/{ORCID_ID}/record"]

    signed_up = client.post(reverse("socialaccount_signup"), {"email": "Amara.Okafor@Example.org"})

    # Like any sign-up: not logged in until the address is confirmed.
    assert signed_up.status_code == 302
    assert signed_up["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="amara.okafor@example.org")
    assert (user.first_name, user.last_name) == ("Amara", "Okafor")
    assert not user.has_usable_password()
    assert linked_orcid(user) == [ORCID_ID]
    assert not EmailAddress.objects.get(user=user).verified
    assert not client.get(reverse("home")).context["user"].is_authenticated

    confirm = link_in(mail.outbox[-1], "/accounts/confirm-email/")
    client.get(confirm)
    confirmed = client.post(confirm)

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("volunteers:onboarding")
    assert client.get(reverse("home")).context["user"] == user

    # Next time, ORCID alone signs them in, and they reach their account pages without a password.
    client.logout()
    browser = Client()
    again = through_orcid(browser, orcid)
    assert again.status_code == 302
    assert again["Location"] == reverse("volunteers:onboarding")
    linked = browser.get(reverse("socialaccount_connections"))
    assert linked.status_code == 200
    assert f"https://orcid.org/{ORCID_ID}" in linked.content.decode()


def test_an_orcid_giving_the_address_of_another_account_does_not_sign_into_it(client, orcid, volunteer):
    orcid.next_person = OrcidPerson(orcid=ORCID_ID, emails=[volunteer.user.email])

    back = through_orcid(client, orcid)
    signed_up = client.post(reverse("socialaccount_signup"), {"email": volunteer.user.email})

    # The same answer as for a new address (no one learns the address has an account); its owner is told.
    assert back["Location"] == reverse("socialaccount_signup")
    assert signed_up.status_code == 302
    assert signed_up["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1
    assert linked_orcid(volunteer.user) == []
    assert not client.get(reverse("home")).context["user"].is_authenticated
    assert [message.to for message in mail.outbox] == [[volunteer.user.email]]


def test_an_existing_volunteer_links_orcid_then_logs_in_with_it(client, orcid, volunteer, password):
    log_in(client, volunteer.user.email, password)
    reauthenticate(client, password)
    page = client.get(reverse("socialaccount_connections"))
    assert page.status_code == 200
    assert "Link ORCID" in page.content.decode()

    linked = through_orcid(client, orcid, process="connect")

    assert linked.status_code == 302
    assert linked["Location"] == reverse("socialaccount_connections")
    assert linked_orcid(volunteer.user) == [ORCID_ID]
    after = client.get(reverse("socialaccount_connections")).content.decode()
    assert f"https://orcid.org/{ORCID_ID}" in after
    assert "Your ORCID iD is linked" in after
    assert "Link ORCID" not in after  # one iD per account

    browser = Client()
    signed_in = through_orcid(browser, orcid)

    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("placements:dashboard")
    assert browser.get(reverse("home")).context["user"] == volunteer.user


def test_an_orcid_linked_to_one_account_cannot_be_linked_to_another(
    client, orcid, volunteer, other_volunteer, password
):
    SocialAccount.objects.create(user=other_volunteer.user, provider="orcid", uid=ORCID_ID)
    log_in(client, volunteer.user.email, password)
    reauthenticate(client, password)

    refused = through_orcid(client, orcid, process="connect")

    assert "already linked to another GlobalIR account" in client.get(refused["Location"]).content.decode()
    assert linked_orcid(volunteer.user) == []
    assert linked_orcid(other_volunteer.user) == [ORCID_ID]


def test_a_coordinator_logging_in_with_orcid_still_gives_their_authenticator_code(client, orcid, coordinator):
    SocialAccount.objects.create(user=coordinator, provider="orcid", uid=ORCID_ID)

    back = through_orcid(client, orcid)

    assert back.status_code == 302
    assert back["Location"] == reverse("mfa_authenticate")
    assert not client.get(reverse("home")).context["user"].is_authenticated

    done = client.post(reverse("mfa_authenticate"), {"code": fresh_totp_code()})
    assert done.status_code == 302
    assert client.get(reverse("home")).context["user"] == coordinator


def test_the_orcid_button_is_on_the_login_and_signup_pages_when_configured(client, orcid):
    for name in ("account_login", "account_signup"):
        response = client.get(reverse(name))
        page = response.content.decode()
        assert "Continue with ORCID" in page
        # The browser may follow the button's redirect to ORCID.
        assert f"form-action 'self' {orcid.url}" in response["Content-Security-Policy"]
        assert f'action="{reverse("orcid_login")}?process=login"' in page


def _csp_directives(response) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return {name: (sources[0] if sources else "") for name, *sources in directives if name}


def test_without_a_client_orcid_is_off(client, volunteer, password):
    for name in ("account_login", "account_signup"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        assert "ORCID" not in page.content.decode()
        assert _csp_directives(page)["form-action"] == "'self'"
    for url in (reverse("orcid_login"), f"{reverse('orcid_callback')}?code=x&state=y"):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    log_in(client, volunteer.user.email, password)
    account = client.get(reverse("account_email")).content.decode()
    assert "Linked accounts" not in account


def test_coordinators_see_a_sharing_volunteers_orcid_id_as_a_link(client, coordinator, organisation):
    need = NeedFactory(programme__lead_organisation=organisation)
    sharing = ApplicationFactory(need=need, volunteer=VolunteerProfileFactory())
    private = ApplicationFactory(need=need, volunteer=VolunteerProfileFactory(consent_to_share=False))
    SocialAccount.objects.create(user=sharing.volunteer.user, provider="orcid", uid=ORCID_ID)
    SocialAccount.objects.create(user=private.volunteer.user, provider="orcid", uid=OTHER_ORCID_ID)
    client.force_login(coordinator)

    shown = client.get(reverse("placements:pipeline-application", args=[sharing.pk])).content.decode()
    hidden = client.get(reverse("placements:pipeline-application", args=[private.pk])).content.decode()

    assert f'href="https://orcid.org/{ORCID_ID}"' in shown
    assert OTHER_ORCID_ID not in hidden


def test_the_linked_orcid_is_exported_and_erased_with_the_account(volunteer):
    SocialAccount.objects.create(
        user=volunteer.user, provider="orcid", uid=ORCID_ID, extra_data=OrcidPerson(orcid=ORCID_ID).record()
    )

    exported = json.dumps(volunteer_data_export(user=volunteer.user), default=str)
    assert ORCID_ID in exported
    assert "Okafor" in exported

    account_erase(user=volunteer.user)

    assert not SocialAccount.objects.filter(uid=ORCID_ID).exists()
