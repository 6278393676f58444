"""Site admins curate organisations and memberships in the Django admin."""

import pytest
from django.urls import reverse

from organisations.models import Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:organisations_organisation_changelist"
Status = Organisation.Status


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


def run_action(client, action, organisations):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [organisation.pk for organisation in organisations]},
        follow=True,
    )


def organisation_form_data(organisation, **changes):
    """What the admin change form posts for an organisation with no memberships."""
    data = {
        "name": organisation.name,
        "acronym": organisation.acronym,
        "slug": organisation.slug,
        "kind": organisation.kind,
        "description": organisation.description,
        "website": organisation.website,
        "contact_email": organisation.contact_email,
        "twitter": "",
        "instagram": "",
        "facebook": "",
        "linkedin": "",
        "headquarters_country": organisation.headquarters_country.code,
        "countries": [country.code for country in organisation.countries],
        "status": organisation.status,
        "requested_by": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    if organisation.featured:
        data["featured"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_site_admin_verifies_pending_organisations_in_bulk(admin_client, site_admin):
    pending = OrganisationFactory.create_batch(2, status=Status.PENDING)

    response = run_action(admin_client, "verify", pending)

    assert "2 organisations verified." in response.content.decode()
    for organisation in pending:
        organisation.refresh_from_db()
        assert organisation.status == Status.VERIFIED
        assert organisation.verified_by == site_admin
        assert organisation.verified_at is not None


def test_verifying_keeps_the_record_of_organisations_already_verified(admin_client, plain_user):
    pending = OrganisationFactory(status=Status.PENDING)
    already = OrganisationFactory(status=Status.VERIFIED, verified_by=plain_user)

    response = run_action(admin_client, "verify", [pending, already])

    assert "1 organisation verified." in response.content.decode()
    already.refresh_from_db()
    assert already.verified_by == plain_user


def test_bulk_verification_shows_in_the_organisations_history(admin_client):
    pending = OrganisationFactory(status=Status.PENDING)

    run_action(admin_client, "verify", [pending])
    response = admin_client.get(reverse("admin:organisations_organisation_history", args=[pending.pk]))

    assert "Changed listing status, verified by and verified at." in response.content.decode()


def test_featuring_a_pending_organisation_is_refused_with_a_message(admin_client):
    pending = OrganisationFactory(name="Waiting Imaging Trust", status=Status.PENDING)
    verified = OrganisationFactory(status=Status.VERIFIED)

    response = run_action(admin_client, "feature", [pending, verified])

    page = response.content.decode()
    assert "Only verified organisations can be featured, so nothing was featured." in page
    assert "Waiting Imaging Trust" in page
    assert not Organisation.objects.filter(featured=True).exists()


def test_site_admin_features_and_unfeatures_verified_organisations(admin_client):
    organisations = OrganisationFactory.create_batch(3, status=Status.VERIFIED)

    featured = run_action(admin_client, "feature", organisations)

    assert "3 organisations featured." in featured.content.decode()
    assert Organisation.objects.featured().count() == 3

    unfeatured = run_action(admin_client, "unfeature", organisations[:1])

    assert "1 organisation no longer featured." in unfeatured.content.decode()
    assert Organisation.objects.featured().count() == 2


def test_archiving_an_organisation_also_stops_featuring_it(admin_client):
    organisation = OrganisationFactory(status=Status.VERIFIED, featured=True)

    response = run_action(admin_client, "archive", [organisation])

    assert "1 organisation archived." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.status == Status.ARCHIVED
    assert organisation.featured is False


def test_verifying_through_the_change_form_records_who_and_when(admin_client, site_admin):
    organisation = OrganisationFactory(status=Status.PENDING)

    response = admin_client.post(
        reverse("admin:organisations_organisation_change", args=[organisation.pk]),
        organisation_form_data(organisation, status=Status.VERIFIED),
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == Status.VERIFIED
    assert organisation.verified_by == site_admin
    assert organisation.verified_at is not None


def test_change_form_refuses_to_feature_a_pending_organisation(admin_client):
    organisation = OrganisationFactory(status=Status.PENDING)

    response = admin_client.post(
        reverse("admin:organisations_organisation_change", args=[organisation.pk]),
        organisation_form_data(organisation, featured="on"),
    )

    assert response.status_code == 200
    assert "Only verified organisations can be featured." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.featured is False


def test_works_in_country_filter_offers_only_countries_present_and_filters(admin_client):
    OrganisationFactory(name="Brazilian Imaging Network", countries=["BR"])
    OrganisationFactory(name="East African IR Alliance", countries=["TZ", "KE"])

    response = admin_client.get(reverse(CHANGELIST), {"works_in": "BR"})

    page = response.content.decode()
    assert "Brazilian Imaging Network" in page
    assert "East African IR Alliance" not in page
    assert 'href="?works_in=KE"' in page  # the other countries present are offered
    assert 'href="?works_in=FR"' not in page  # countries where nobody works are not


def test_organisations_can_be_found_by_contact_email(admin_client):
    OrganisationFactory(name="Reachable Radiology", contact_email="hello@reachable.example")
    OrganisationFactory(name="Quiet Radiology")

    response = admin_client.get(reverse(CHANGELIST), {"q": "hello@reachable"})

    page = response.content.decode()
    assert "Reachable Radiology" in page
    assert "Quiet Radiology" not in page


def test_organisation_changelist_loads_with_filters_and_search(admin_client, organisation):
    response = admin_client.get(
        reverse(CHANGELIST),
        {"status__exact": "verified", "kind__exact": "ngo", "headquarters_country": "GB", "q": "Road to IR"},
    )

    assert response.status_code == 200
    assert organisation.name in response.content.decode()


def test_membership_changelist_loads_with_filters_and_search(admin_client, organisation, organisation_admin):
    MembershipFactory(user__email="someone.else@example.org")

    response = admin_client.get(
        reverse("admin:organisations_membership_changelist"),
        {"role__exact": Membership.Role.ADMIN, "organisation__id__exact": organisation.pk, "q": "org.admin@"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "org.admin@example.org" in page
    assert "someone.else@example.org" not in page


@pytest.mark.parametrize("model", ["organisation", "membership"])
def test_add_and_change_forms_load(admin_client, organisation_admin, model):
    membership = organisation_admin.memberships.get()
    obj = membership if model == "membership" else membership.organisation

    add = admin_client.get(reverse(f"admin:organisations_{model}_add"))
    change = admin_client.get(reverse(f"admin:organisations_{model}_change", args=[obj.pk]))

    assert add.status_code == 200
    assert change.status_code == 200
    assert str(obj) in change.content.decode()


@pytest.mark.parametrize("rows", [1, 40])
def test_organisation_changelist_queries_do_not_grow_with_rows(admin_client, rows, django_assert_max_num_queries):
    OrganisationFactory.create_batch(rows, countries=["TZ", "UG"])

    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse(CHANGELIST), {"works_in": "TZ"})

    assert f"{rows} organisation" in response.content.decode()


@pytest.mark.parametrize("who", [None, "plain_user", "volunteer", "coordinator", "organisation_admin"])
def test_people_who_are_not_staff_are_sent_to_the_admin_login(client, request, who):
    if who:
        user = request.getfixturevalue(who)
        client.force_login(getattr(user, "user", user))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_pages_show_the_portals_icon(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert 'rel="icon" href="/static/img/favicon.svg"' in response.content.decode()
