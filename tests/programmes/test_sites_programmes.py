"""Sites and programmes in the coordinator's workspace: listing, creating, editing, publishing, closing."""

import datetime

import pytest
from django.urls import reverse

from organisations.models import Organisation
from placements.models import Application
from programmes.models import Need, Programme, Site
from tests.factories import (
    ApplicationFactory,
    NeedFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SiteFactory,
    today,
)

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def site_payload(**overrides) -> dict:
    return {
        "name": "Bugando Medical Centre",
        "city": "Mwanza",
        "country": "TZ",
        "website": "https://bugando.example.org",
        "description": "Referral hospital with a new angiography suite.",
        **overrides,
    }


def programme_payload(**overrides) -> dict:
    data = {
        "title": "Embolisation training, Mwanza",
        "kind": Programme.Kind.TRAINING,
        "summary": "Hands-on embolisation training for local fellows.",
        "description": "Two-week blocks of supervised cases.",
        "countries": ["TZ", "KE"],
        "start_date": days(10).isoformat(),
        "end_date": days(400).isoformat(),
    }
    data.update(overrides)
    return data


# Sites


def test_site_list_shows_only_the_organisations_sites(coordinator_client, organisation, other_organisation):
    SiteFactory(organisation=organisation, name="Bugando Medical Centre", city="Mwanza")
    SiteFactory(organisation=other_organisation, name="Their hospital")
    SiteFactory(organisation=None, name="Unmanaged clinic")

    response = coordinator_client.get(reverse("programmes:site-list", args=[organisation.slug]))

    page = response.content.decode()
    assert "Bugando Medical Centre" in page
    assert "Their hospital" not in page
    assert "Unmanaged clinic" not in page


def test_site_list_has_an_empty_state(coordinator_client, organisation):
    page = coordinator_client.get(reverse("programmes:site-list", args=[organisation.slug])).content.decode()

    assert "Your organisation manages no sites yet." in page


def test_site_list_is_paginated(coordinator_client, organisation, django_assert_max_num_queries):
    SiteFactory.create_batch(30, organisation=organisation)

    with django_assert_max_num_queries(8):
        page = coordinator_client.get(reverse("programmes:site-list", args=[organisation.slug])).content.decode()

    assert page.count(">Edit<") == 25
    assert 'rel="next"' in page


def test_coordinator_adds_a_site_managed_by_their_organisation(coordinator_client, organisation):
    response = coordinator_client.post(reverse("programmes:site-create", args=[organisation.slug]), site_payload())

    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:site-list", args=[organisation.slug])
    site = Site.objects.get()
    assert (site.name, site.city, site.country.code, site.organisation) == (
        "Bugando Medical Centre",
        "Mwanza",
        "TZ",
        organisation,
    )
    assert "is listed as one of your sites" in coordinator_client.get(response["Location"]).content.decode()


def test_a_site_already_listed_gets_a_clear_error_next_to_its_name(
    coordinator_client, organisation, other_organisation
):
    SiteFactory(organisation=other_organisation, name="Bugando Medical Centre", city="Mwanza", country="TZ")

    response = coordinator_client.post(
        reverse("programmes:site-create", args=[organisation.slug]),
        site_payload(name="bugando medical centre", city="MWANZA"),
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["name"]
    assert "is already listed, managed by Other Imaging Charity" in errors["name"][0]
    page = response.content.decode()
    assert 'value="bugando medical centre"' in page
    assert "Referral hospital with a new angiography suite." in page
    assert Site.objects.count() == 1


def test_a_site_of_the_same_name_in_another_city_is_fine(coordinator_client, organisation):
    SiteFactory(organisation=organisation, name="Bugando Medical Centre", city="Mwanza")

    response = coordinator_client.post(
        reverse("programmes:site-create", args=[organisation.slug]), site_payload(city="Dodoma")
    )

    assert response.status_code == 302
    assert Site.objects.count() == 2


def test_coordinator_edits_their_site(coordinator_client, organisation):
    site = SiteFactory(organisation=organisation, name="Old name")

    response = coordinator_client.post(reverse("programmes:site-edit", args=[site.pk]), site_payload(name="New name"))

    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "New name"
    assert site.organisation == organisation


def test_saving_a_site_unchanged_is_not_a_duplicate_of_itself(coordinator_client, organisation):
    site = SiteFactory(organisation=organisation, **{k: v for k, v in site_payload().items() if k != "website"})

    response = coordinator_client.post(reverse("programmes:site-edit", args=[site.pk]), site_payload())

    assert response.status_code == 302


def test_site_form_requires_name_city_and_country(coordinator_client, organisation):
    response = coordinator_client.post(
        reverse("programmes:site-create", args=[organisation.slug]), site_payload(name="", city="", country="")
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "city", "country"}


# Programmes


def test_coordinator_creates_a_draft_programme_led_by_their_organisation(
    coordinator_client, organisation, other_organisation
):
    site = SiteFactory(organisation=organisation)
    shared = SiteFactory(organisation=None)
    partner = OrganisationFactory(name="Tanzania IR Society")

    response = coordinator_client.post(
        reverse("programmes:programme-create", args=[organisation.slug]),
        programme_payload(
            sites=[site.pk, shared.pk],
            partners=[partner.pk],
            lead_organisation=other_organisation.pk,
            status=Programme.Status.PUBLISHED,
            slug="chosen-slug",
        ),
    )

    programme = Programme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:programme-detail", args=[programme.pk])
    assert programme.lead_organisation == organisation
    assert programme.status == Programme.Status.DRAFT
    assert programme.slug == "embolisation-training-mwanza"
    assert {country.code for country in programme.countries} == {"TZ", "KE"}
    assert set(programme.sites.all()) == {site, shared}
    assert list(programme.partners.all()) == [partner]
    assert "is saved as a draft" in coordinator_client.get(response["Location"]).content.decode()


def test_programme_slugs_are_unique(coordinator_client, organisation):
    ProgrammeFactory(title="Embolisation training, Mwanza", slug="embolisation-training-mwanza")
    ProgrammeFactory(title="Other", slug="embolisation-training-mwanza-2")
    url = reverse("programmes:programme-create", args=[organisation.slug])

    coordinator_client.post(url, programme_payload())

    assert Programme.objects.filter(lead_organisation=organisation).get().slug == "embolisation-training-mwanza-3"


def test_programme_offers_only_own_and_unmanaged_sites_and_verified_partners(
    coordinator_client, organisation, other_organisation
):
    SiteFactory(organisation=organisation, name="Our hospital")
    SiteFactory(organisation=None, name="Shared clinic")
    SiteFactory(organisation=other_organisation, name="Their hospital")
    OrganisationFactory(name="Pending Outreach", status=Organisation.Status.PENDING)

    page = coordinator_client.get(reverse("programmes:programme-create", args=[organisation.slug])).content.decode()

    assert "Our hospital" in page and "Shared clinic" in page
    assert "Their hospital" not in page
    assert "Other Imaging Charity" in page
    assert "Pending Outreach" not in page


def test_programme_refuses_another_organisations_site_and_an_unverified_partner(
    coordinator_client, organisation, other_organisation
):
    theirs = SiteFactory(organisation=other_organisation)
    pending = OrganisationFactory(name="Pending Outreach", status=Organisation.Status.PENDING)

    response = coordinator_client.post(
        reverse("programmes:programme-create", args=[organisation.slug]),
        programme_payload(sites=[theirs.pk], partners=[pending.pk], title="Kept title"),
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"sites", "partners"}
    assert 'value="Kept title"' in response.content.decode()
    assert not Programme.objects.exists()


def test_programme_cannot_end_before_it_starts(coordinator_client, organisation):
    response = coordinator_client.post(
        reverse("programmes:programme-create", args=[organisation.slug]),
        programme_payload(start_date=days(50).isoformat(), end_date=days(10).isoformat()),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["end_date"] == ["The programme cannot end before it starts."]


def test_coordinator_edits_a_programme_and_its_slug_and_lead_stay(coordinator_client, organisation, other_organisation):
    programme = ProgrammeFactory(lead_organisation=organisation, title="Old", slug="old")

    response = coordinator_client.post(
        reverse("programmes:programme-edit", args=[programme.pk]),
        programme_payload(title="New title", lead_organisation=other_organisation.pk),
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.title, programme.slug, programme.lead_organisation) == ("New title", "old", organisation)


def test_coordinator_publishes_and_closes_a_programme(coordinator_client, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation, status=Programme.Status.DRAFT, title="Fellowship")

    response = coordinator_client.post(reverse("programmes:programme-publish", args=[programme.pk]), follow=True)

    programme.refresh_from_db()
    assert programme.status == Programme.Status.PUBLISHED
    assert "“Fellowship” is published: its open needs are listed for volunteers." in response.content.decode()

    response = coordinator_client.post(reverse("programmes:programme-close", args=[programme.pk]), follow=True)

    programme.refresh_from_db()
    assert programme.status == Programme.Status.CLOSED
    assert "“Fellowship” is closed: its needs are no longer listed." in response.content.decode()
    assert "Publish again" in response.content.decode()


def test_publishing_for_an_unverified_organisation_says_needs_wait_for_verification(client, plain_user):
    from organisations.models import Membership
    from tests.factories import MembershipFactory

    pending = OrganisationFactory(name="New Radiology Outreach", status=Organisation.Status.PENDING)
    MembershipFactory(user=plain_user, organisation=pending, role=Membership.Role.ADMIN)
    programme = ProgrammeFactory(lead_organisation=pending, status=Programme.Status.DRAFT)
    client.force_login(plain_user)

    response = client.post(reverse("programmes:programme-publish", args=[programme.pk]), follow=True)

    programme.refresh_from_db()
    assert programme.status == Programme.Status.PUBLISHED
    page = response.content.decode()
    assert "Its needs are listed publicly only once New Radiology Outreach is verified" in page
    assert "is not verified yet: the needs of this programme are listed only once it is verified" in page


def test_programme_page_lists_its_needs_with_counts_and_actions(coordinator_client, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    open_need = NeedFactory(programme=programme, title="Open need", places=2)
    ApplicationFactory(need=open_need, status=Application.Status.OFFERED)
    NeedFactory(programme=programme, title="Closed need", status=Need.Status.CLOSED)

    page = coordinator_client.get(reverse("programmes:programme-detail", args=[programme.pk])).content.decode()

    assert page.index("Open need") < page.index("Closed need")
    assert reverse("programmes:need-close", args=[open_need.pk]) in page
    assert reverse("programmes:need-duplicate", args=[open_need.pk]) in page
    assert reverse("placements:pipeline", args=[open_need.pk]) in page
    assert "2 of 2" in page


def test_programme_page_has_an_empty_state(coordinator_client, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)

    page = coordinator_client.get(reverse("programmes:programme-detail", args=[programme.pk])).content.decode()

    assert "No needs yet." in page
    assert reverse("programmes:need-create", args=[programme.pk]) in page
