"""Choice lists never reveal another organisation's private objects.

The public filters (opportunities, directory) list only what is listed: nothing of draft or closed
programmes, closed needs or organisations that are not verified. A coordinator's forms and reports
offer only their own organisation's objects (and, where the form says so, shared or verified ones).
"""

import pytest
from django.urls import reverse

from organisations.models import Organisation
from programmes.models import Mode, Need, Programme
from tests.factories import (
    ApplicationFactory,
    NeedFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def listed(organisation):
    """A need that is listed: open, in a published programme of a verified organisation, in Tanzania."""
    site = SiteFactory(organisation=organisation, country="TZ", name="Listed Referral Hospital")
    return NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation), host_site=site)


@pytest.fixture
def hidden():
    """Needs that are not listed, each alone in its organisation and country, with names to look for."""
    draft_org = OrganisationFactory(name="Drafting Imaging Charity")
    closed_org = OrganisationFactory(name="Closing Imaging Charity")
    closed_need_org = OrganisationFactory(name="Filled Needs Charity")
    pending_org = OrganisationFactory(name="Pending Imaging Charity", status=Organisation.Status.PENDING)
    rejected_org = OrganisationFactory(
        name="Rejected Imaging Charity", status=Organisation.Status.REJECTED, rejection_reason="Not an imaging charity."
    )

    def need_in(organisation, country, status=Programme.Status.PUBLISHED, need_status=Need.Status.OPEN, **kwargs):
        programme = ProgrammeFactory(lead_organisation=organisation, status=status, countries=[country], **kwargs)
        site = SiteFactory(organisation=organisation, country=country, name=f"{organisation.name} Hospital")
        return NeedFactory(programme=programme, host_site=site, status=need_status)

    need_in(draft_org, "MW", status=Programme.Status.DRAFT)
    need_in(closed_org, "ZM", status=Programme.Status.CLOSED)
    need_in(closed_need_org, "UG", need_status=Need.Status.CLOSED)
    need_in(pending_org, "RW")
    need_in(rejected_org, "ET")
    # A remote need of a draft programme: its country is its programme's.
    NeedFactory(
        programme=ProgrammeFactory(lead_organisation=draft_org, status=Programme.Status.DRAFT, countries=["MZ"]),
        mode=Mode.REMOTE,
        host_site=None,
        hours_per_week=3,
        min_duration_days=30,
    )
    return {
        "organisations": [draft_org, closed_org, closed_need_org, pending_org, rejected_org],
        "countries": {
            "MW": "Malawi",
            "ZM": "Zambia",
            "UG": "Uganda",
            "RW": "Rwanda",
            "ET": "Ethiopia",
            "MZ": "Mozambique",
        },
    }


def options_of(page: str, name: str) -> str:
    """The HTML of the <select name="..."> element on the page."""
    start = page.index(f'name="{name}"')
    return page[start : page.index("</select>", start)]


# The public filters


def test_the_opportunities_filter_lists_only_listed_needs_organisations_and_countries(client, listed, hidden):
    page = page_of(client, reverse("programmes:opportunity-list"))

    organisations, countries = options_of(page, "organisation"), options_of(page, "country")
    assert listed.programme.lead_organisation.name in organisations
    assert "Tanzania" in countries
    for organisation in hidden["organisations"]:
        assert organisation.name not in page
        assert f'value="{organisation.slug}"' not in organisations
    for code, name in hidden["countries"].items():
        assert f'value="{code}"' not in countries, name


def test_the_opportunities_filter_hides_a_partner_that_is_not_verified(client, listed):
    pending_partner = OrganisationFactory(name="Unverified Partner Trust", status=Organisation.Status.PENDING)
    verified_partner = OrganisationFactory(name="Verified Partner Trust")
    listed.programme.partners.add(pending_partner, verified_partner)

    listing = page_of(client, reverse("programmes:opportunity-list"))
    detail = page_of(client, reverse("programmes:need-detail", args=[listed.pk]))

    assert "Verified Partner Trust" in options_of(listing, "organisation")
    assert "Unverified Partner Trust" not in listing
    assert "Verified Partner Trust" in detail
    assert "Unverified Partner Trust" not in detail


def test_filtering_by_a_hidden_organisation_or_country_reveals_nothing(client, listed, hidden):
    for query in [f"organisation={o.slug}" for o in hidden["organisations"]] + [
        f"country={code}" for code in hidden["countries"]
    ]:
        page = page_of(client, reverse("programmes:opportunity-list") + "?" + query)
        for organisation in hidden["organisations"]:
            assert f"{organisation.name} Hospital" not in page, query


def test_the_directory_country_filter_leaves_out_organisations_that_are_not_listed(client, organisation):
    OrganisationFactory(
        name="Pending Lesotho Charity", status=Organisation.Status.PENDING, headquarters_country="LS", countries=["LS"]
    )
    OrganisationFactory(
        name="Archived Eswatini Charity",
        status=Organisation.Status.ARCHIVED,
        headquarters_country="SZ",
        countries=["SZ"],
    )

    page = page_of(client, reverse("organisations:organisation-list"))

    countries = options_of(page, "country")
    assert 'value="TZ"' in countries
    assert 'value="LS"' not in countries and 'value="SZ"' not in countries
    assert "Pending Lesotho Charity" not in page and "Archived Eswatini Charity" not in page


def test_an_organisation_page_lists_only_its_published_programmes_of_verified_leads(client, organisation):
    ProgrammeFactory(lead_organisation=organisation, title="Published Programme Alpha")
    ProgrammeFactory(lead_organisation=organisation, title="Draft Programme Beta", status=Programme.Status.DRAFT)
    pending_lead = OrganisationFactory(name="Pending Lead Charity", status=Organisation.Status.PENDING)
    ProgrammeFactory(lead_organisation=pending_lead, title="Programme Of A Pending Lead").partners.add(organisation)

    page = page_of(client, reverse("organisations:organisation-detail", args=[organisation.slug]))

    assert "Published Programme Alpha" in page
    assert "Draft Programme Beta" not in page
    assert "Programme Of A Pending Lead" not in page and "Pending Lead Charity" not in page


# The coordinator's workspace


@pytest.fixture
def theirs(other_organisation):
    """Another organisation's private objects, with names to look for."""
    site = SiteFactory(organisation=other_organisation, name="Their Private Hospital")
    programme = ProgrammeFactory(
        lead_organisation=other_organisation, title="Their Draft Programme", status=Programme.Status.DRAFT
    )
    need = NeedFactory(programme=programme, host_site=site, title="Their Private Need")
    PlacementFactory(application__need=need, application__volunteer__user__first_name="Theirvolunteer")
    return {"site": site, "programme": programme, "need": need}


def test_the_programme_form_offers_own_and_shared_sites_and_only_verified_partners(
    client, coordinator, organisation, theirs
):
    SiteFactory(organisation=organisation, name="Our Own Hospital")
    SiteFactory(organisation=None, name="A Shared Public Clinic")
    OrganisationFactory(name="Pending Would-be Partner", status=Organisation.Status.PENDING)
    OrganisationFactory(
        name="Rejected Would-be Partner", status=Organisation.Status.REJECTED, rejection_reason="Unknown."
    )
    client.force_login(coordinator)

    for url in (
        reverse("programmes:programme-create", args=[organisation.slug]),
        reverse("programmes:programme-edit", args=[ProgrammeFactory(lead_organisation=organisation).pk]),
    ):
        page = page_of(client, url)
        assert "Our Own Hospital" in page and "A Shared Public Clinic" in page
        assert "Their Private Hospital" not in page
        assert theirs["programme"].lead_organisation.name in page  # a verified organisation may partner
        assert "Pending Would-be Partner" not in page and "Rejected Would-be Partner" not in page


def test_the_need_form_offers_only_the_organisations_own_sites(client, coordinator, organisation, theirs):
    SiteFactory(organisation=organisation, name="Our Own Hospital")
    programme = ProgrammeFactory(lead_organisation=organisation)
    client.force_login(coordinator)

    for url in (
        reverse("programmes:need-create", args=[programme.pk]),
        reverse("programmes:need-edit", args=[NeedFactory(programme=programme).pk]),
    ):
        page = page_of(client, url)
        assert "Our Own Hospital" in options_of(page, "host_site")
        assert "Their Private Hospital" not in page


def test_the_workspace_and_site_list_show_only_the_organisations_own(client, coordinator, organisation, theirs):
    ProgrammeFactory(lead_organisation=organisation, title="Our Own Programme")
    client.force_login(coordinator)

    workspace = page_of(client, reverse("programmes:workspace"))
    sites = page_of(client, reverse("programmes:site-list", args=[organisation.slug]))

    assert "Our Own Programme" in workspace
    assert "Their Draft Programme" not in workspace and "Their Private Need" not in workspace
    assert "Their Private Hospital" not in sites


def test_reports_and_the_export_show_only_the_organisations_own(client, coordinator, organisation, theirs):
    programme = ProgrammeFactory(lead_organisation=organisation, title="Our Own Programme")
    need = NeedFactory(programme=programme)
    PlacementFactory(application__need=need, application__volunteer__user__first_name="Ourvolunteer")
    ApplicationFactory(need=need)
    client.force_login(coordinator)

    organisation_report = page_of(client, reverse("placements:organisation-report", args=[organisation.slug]))
    programme_report = page_of(client, reverse("placements:programme-report", args=[programme.pk]))
    export = page_of(client, reverse("placements:placements-csv", args=[programme.pk]))

    assert "Our Own Programme" in organisation_report
    for page in (organisation_report, programme_report, export):
        assert "Their Draft Programme" not in page
        assert "Their Private Need" not in page
        assert "Theirvolunteer" not in page
    assert "Ourvolunteer" in export


def test_the_portal_report_is_for_site_admins_only(client, coordinator, site_admin, theirs):
    client.force_login(coordinator)
    assert client.get(reverse("placements:portal-report")).status_code == 403

    client.force_login(site_admin)
    assert client.get(reverse("placements:portal-report")).status_code == 200
