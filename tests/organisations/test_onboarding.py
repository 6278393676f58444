"""Asking to list an organisation, and the site admins' decision in the Django admin."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from organisations.models import Membership, Organisation
from organisations.services import organisation_request, organisations_reject
from tests.factories import OrganisationFactory, StaffFactory, UserFactory, enrol_in_mfa

pytestmark = pytest.mark.django_db

Status = Organisation.Status
REQUEST = reverse("organisations:organisation-request")
REQUESTS = reverse("organisations:organisation-request-list")
CHANGELIST = reverse("admin:organisations_organisation_changelist")


def request_data(**changes):
    data = {
        "name": "Lake Zone Imaging Trust",
        "acronym": "LZIT",
        "kind": Organisation.Kind.NGO,
        "website": "https://lakezone.example.org",
        "contact_email": "hello@lakezone.example.org",
        "headquarters_country": "TZ",
        "countries": ["TZ", "KE"],
        "description": "Trains sonographers and radiographers around Lake Victoria.",
    }
    data.update(changes)
    return data


def link_in(message, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}\S*)", message.body)
    assert match, f"No link to {path} in:\n{message.body}"
    return match.group(1)


@pytest.fixture
def requester(db):
    # Asking for a listing makes her the organisation's admin, who must use two-factor
    # authentication: she has an authenticator app already (tests/accounts/test_mfa.py enrols).
    user = UserFactory(email="amina@example.org", first_name="Amina", last_name="Mushi")
    enrol_in_mfa(user)
    return user


@pytest.fixture
def requester_client(client, requester):
    client.force_login(requester)
    return client


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


@pytest.mark.parametrize("url", [REQUEST, REQUESTS])
def test_anonymous_visitor_is_sent_to_log_in_to_ask_for_a_listing(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_request_form_asks_for_what_admins_need_to_decide(requester_client):
    response = requester_client.get(REQUEST)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == [
        "name",
        "acronym",
        "kind",
        "website",
        "contact_email",
        "headquarters_country",
        "countries",
        "description",
        "content_language",
    ]
    assert "List an organisation" in response.content.decode()


def test_requester_becomes_admin_of_the_pending_organisation_and_site_admins_are_emailed(
    requester_client, requester, site_admin, django_capture_on_commit_callbacks, mailoutbox
):
    StaffFactory(email="retired.admin@example.org", is_active=False)
    other_admin = StaffFactory(email="second.admin@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = requester_client.post(REQUEST, request_data(website="lakezone.example.org"))

    assert response.status_code == 302
    assert response["Location"] == REQUESTS
    organisation = Organisation.objects.get(name="Lake Zone Imaging Trust")
    assert organisation.status == Status.PENDING
    assert organisation.requested_by == requester
    assert organisation.slug == "lake-zone-imaging-trust"
    assert organisation.website == "https://lakezone.example.org"
    assert [country.code for country in organisation.countries] == ["KE", "TZ"]
    assert Membership.objects.get(organisation=organisation).user == requester
    assert Membership.objects.get(organisation=organisation).role == Membership.Role.ADMIN
    assert sorted(message.to[0] for message in mailoutbox) == sorted([site_admin.email, other_admin.email])
    message = mailoutbox[0]
    assert message.subject == "[GlobalIR] New request to list Lake Zone Imaging Trust (LZIT)"
    assert "Amina Mushi (amina@example.org) asked to list" in message.body
    change_page = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    assert link_in(message, change_page) == change_page
    # The pending organisation is not public.
    assert requester_client.get(organisation.get_absolute_url()).status_code == 404


def test_request_refuses_a_name_already_taken_whatever_its_case(requester_client):
    OrganisationFactory(name="RAD-AID International")

    response = requester_client.post(REQUEST, request_data(name="rad-aid international "))

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "An organisation called “rad-aid international” is already listed or waiting for review. "
        "If it is yours, ask its admins to invite you."
    ]
    assert "The request was not sent" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_request_form_says_what_is_missing(requester_client):
    response = requester_client.post(
        REQUEST, request_data(contact_email="not an address", countries=[], description="", website="no spaces allowed")
    )

    errors = response.context["form"].errors
    assert set(errors) == {"contact_email", "countries", "description", "website"}
    assert errors["contact_email"] == ["Enter a valid email address."]
    assert not Organisation.objects.exists()


def test_a_user_may_have_at_most_three_requests_waiting(requester_client, requester):
    for number in range(3):
        organisation_request(user=requester, data=request_data(name=f"Imaging Trust {number}"))

    page = requester_client.get(REQUEST)
    response = requester_client.post(REQUEST, request_data(name="A fourth trust"))

    assert page.context["at_limit"] is True
    assert "You already have 3 requests waiting for review." in page.content.decode()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You already have 3 requests waiting for review. Please wait until the GlobalIR team has decided on "
        "one of them before sending another."
    ]
    assert not Organisation.objects.filter(name="A fourth trust").exists()


def test_slugs_are_unique_and_never_shadow_the_request_pages(requester):
    first = organisation_request(user=requester, data=request_data(name="Imaging Aid!"))
    second = organisation_request(user=requester, data=request_data(name="Imaging Aid?"))
    reserved = organisation_request(user=requester, data=request_data(name="Requests"))

    assert first.slug == "imaging-aid"
    assert second.slug == "imaging-aid-2"
    assert reserved.slug == "requests-2"


def test_my_requests_lists_each_with_its_status_and_the_reason_of_a_rejection(requester_client, requester, site_admin):
    pending = organisation_request(user=requester, data=request_data(name="Waiting Trust"))
    rejected = organisation_request(user=requester, data=request_data(name="Turned Down Trust"))
    organisations_reject(organisations=[rejected], reason="We could not find its website.", by=site_admin)
    OrganisationFactory(name="Someone Else's Trust", status=Status.PENDING, requested_by=UserFactory())

    response = requester_client.get(REQUESTS)

    page = response.content.decode()
    assert [organisation.name for organisation in response.context["requests"]] == [
        "Turned Down Trust",
        "Waiting Trust",
    ]
    assert "Pending review" in page
    assert "We could not find its website." in page
    assert f"{REQUEST}?resubmit={rejected.pk}" in page
    assert f"?resubmit={pending.pk}" not in page
    assert "Someone Else" not in page


def test_my_requests_page_has_an_empty_state(requester_client):
    response = requester_client.get(REQUESTS)

    assert "You have not asked to list an organisation yet." in response.content.decode()


def test_my_requests_page_runs_a_fixed_number_of_queries(requester_client, requester, django_assert_max_num_queries):
    for number in range(12):
        OrganisationFactory(name=f"Trust {number}", status=Status.PENDING, requested_by=requester)

    with django_assert_max_num_queries(6):
        response = requester_client.get(REQUESTS)

    assert len(response.context["requests"]) == 12


def test_only_the_requester_can_correct_a_request_and_only_a_rejected_one(requester_client, requester, site_admin):
    pending = organisation_request(user=requester, data=request_data(name="Waiting Trust"))
    someone_elses = OrganisationFactory(status=Status.REJECTED, rejection_reason="No.", requested_by=UserFactory())

    assert requester_client.get(f"{REQUEST}?resubmit={pending.pk}").status_code == 404
    assert requester_client.get(f"{REQUEST}?resubmit={someone_elses.pk}").status_code == 404
    assert requester_client.get(f"{REQUEST}?resubmit=abc").status_code == 404
    assert requester_client.post(f"{REQUEST}?resubmit={someone_elses.pk}", request_data()).status_code == 404


def admin_reject(client, organisations, reason):
    return client.post(
        CHANGELIST,
        {
            "action": "reject",
            "_selected_action": [organisation.pk for organisation in organisations],
            "apply": "1",
            "reason": reason,
        },
    )


def test_the_whole_journey_request_rejected_with_a_reason_corrected_and_verified(
    client, requester, site_admin, django_capture_on_commit_callbacks, mailoutbox
):
    # 1. The requester asks.
    client.force_login(requester)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REQUEST, request_data(website=""))
    organisation = Organisation.objects.get(name="Lake Zone Imaging Trust")
    assert [message.to for message in mailoutbox] == [[site_admin.email]]

    # 2. A site admin rejects it with a reason, through the intermediate page.
    client.force_login(site_admin)
    changelist = client.get(CHANGELIST)
    assert [row.pk for row in changelist.context["cl"].result_list][:1] == [organisation.pk]
    confirmation = client.post(CHANGELIST, {"action": "reject", "_selected_action": [organisation.pk]})
    assert confirmation.status_code == 200
    assert "Reject with a reason" in confirmation.content.decode()
    assert "asked by amina@example.org" in confirmation.content.decode()
    without_reason = admin_reject(client, [organisation], "  ")
    assert without_reason.status_code == 200
    assert without_reason.context["form"].errors["reason"] == ["This field is required."]
    organisation.refresh_from_db()
    assert organisation.status == Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_reject(client, [organisation], "Please add the organisation's website so we can check it.")
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == Status.REJECTED
    assert organisation.rejection_reason == "Please add the organisation's website so we can check it."
    assert organisation.history.first().history_user == site_admin
    rejection = mailoutbox[-1]
    assert rejection.to == [requester.email]
    assert rejection.subject == "[GlobalIR] Your request to list Lake Zone Imaging Trust (LZIT)"
    assert "Please add the organisation's website so we can check it." in rejection.body
    assert "Please add the organisation&#x27;s website" in rejection.alternatives[0][0]

    # 3. The requester follows the e-mail's link, sees the reason and corrects the request.
    client.force_login(requester)
    requests_page = client.get(link_in(rejection, REQUESTS))
    assert "Please add the organisation&#x27;s website so we can check it." in requests_page.content.decode()
    edit_url = f"{REQUEST}?resubmit={organisation.pk}"
    edit_page = client.get(edit_url)
    assert edit_page.context["form"].initial["name"] == "Lake Zone Imaging Trust"
    assert "Please add the organisation&#x27;s website" in edit_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url, request_data(website="https://lakezone.example.org"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == Status.PENDING
    assert organisation.website == "https://lakezone.example.org"
    assert organisation.rejection_reason == ""
    assert Organisation.objects.count() == 1
    resubmitted = mailoutbox[-1]
    assert resubmitted.to == [site_admin.email]
    assert resubmitted.subject == "[GlobalIR] Corrected request to list Lake Zone Imaging Trust (LZIT)"

    # 4. A site admin verifies it; the requester is told where to start.
    client.force_login(site_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "verify", "_selected_action": [organisation.pk]})
    organisation.refresh_from_db()
    assert organisation.status == Status.VERIFIED
    verified = mailoutbox[-1]
    assert verified.to == [requester.email]
    assert verified.subject == "[GlobalIR] Lake Zone Imaging Trust (LZIT) is now listed on GlobalIR"
    assert link_in(verified, reverse("programmes:workspace")) == reverse("programmes:workspace")
    members_url = reverse("organisations:member-list", kwargs={"slug": organisation.slug})
    assert link_in(verified, members_url) == members_url
    assert len(mailoutbox) == 4

    client.force_login(requester)
    assert "It is listed in the directory." in client.get(REQUESTS).content.decode()
    assert client.get(organisation.get_absolute_url()).status_code == 200


def test_rejecting_needs_a_reason_and_leaves_organisations_that_are_not_pending(site_admin, requester):
    pending = organisation_request(user=requester, data=request_data())
    listed = OrganisationFactory(status=Status.VERIFIED)

    with pytest.raises(ValidationError) as refusal:
        organisations_reject(organisations=[pending], reason="   ", by=site_admin)
    changed = organisations_reject(
        organisations=[pending, listed], reason="Not an imaging organisation.", by=site_admin
    )

    assert refusal.value.messages == ["Give a reason: the person who asked will read it."]
    assert changed == [pending]
    listed.refresh_from_db()
    assert listed.status == Status.VERIFIED


def test_admin_lists_pending_requests_first_and_filters_by_status(admin_client):
    OrganisationFactory(name="Alpha Verified")
    OrganisationFactory(name="Zulu Pending", status=Status.PENDING)
    OrganisationFactory(name="Beta Rejected", status=Status.REJECTED, rejection_reason="Duplicate.")

    listed = admin_client.get(CHANGELIST)
    rejected = admin_client.get(CHANGELIST, {"status__exact": "rejected"})

    assert [row.name for row in listed.context["cl"].result_list] == ["Zulu Pending", "Alpha Verified", "Beta Rejected"]
    assert [row.name for row in rejected.context["cl"].result_list] == ["Beta Rejected"]


def test_admin_form_asks_for_a_reason_when_status_is_set_to_rejected(admin_client):
    from tests.organisations.test_admin import organisation_form_data

    organisation = OrganisationFactory(status=Status.PENDING)

    response = admin_client.post(
        reverse("admin:organisations_organisation_change", args=[organisation.pk]),
        organisation_form_data(organisation, status="rejected", rejection_reason=""),
    )

    assert response.status_code == 200
    assert "Give the reason for the rejection" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.status == Status.PENDING


def test_admin_history_page_shows_who_changed_an_organisation(admin_client, site_admin, requester):
    organisation = organisation_request(user=requester, data=request_data())
    admin_client.post(CHANGELIST, {"action": "verify", "_selected_action": [organisation.pk]})

    page = admin_client.get(reverse("admin:organisations_organisation_history", args=[organisation.pk]))
    trail = admin_client.get(reverse("admin:organisations_historicalorganisation_changelist"))

    assert page.status_code == 200
    assert str(site_admin) in page.content.decode()
    assert "status: pending → verified" in trail.content.decode()
