"""Certificates of service: issued once a placement is completed, downloaded as PDF by its volunteer only,
verified publicly by code, revoked when the volunteer's account is erased; and the yearly summary."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from globalir.privacy import account_erase
from placements import certification
from placements.certificates import CODE_ALPHABET, CODE_LENGTH, Certificate
from programmes.models import Mode, Need
from tests.factories import (
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    SiteFactory,
    VolunteerProfileFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(lead_organisation=organisation, title="Embolisation training in Tanzania")


def placement_on(need, volunteer, start: datetime.date, end: datetime.date):
    Need.objects.filter(pk=need.pk).update(window_start=start, window_end=end)
    need.refresh_from_db()
    return PlacementFactory(
        application__need=need,
        application__volunteer=volunteer,
        application__proposed_start=start,
        application__proposed_end=end,
        hours_per_week=need.hours_per_week if need.mode != Mode.ONSITE else 0,
    )


def complete(client, coordinator, placement):
    """The coordinator marks the placement completed on the pipeline page, as they do."""
    client.force_login(coordinator)
    client.post(reverse("placements:application-complete", args=[placement.application.pk]))
    placement.refresh_from_db()
    assert placement.completed_at is not None
    client.logout()
    return placement


@pytest.fixture
def onsite(programme, volunteer):
    site = SiteFactory(name="Kilimanjaro Christian Medical Centre", city="Moshi", country="TZ")
    need = NeedFactory(programme=programme, title="PPH embolisation teaching", host_site=site)
    return placement_on(need, volunteer, datetime.date(YEAR, 3, 3), datetime.date(YEAR, 3, 16))


@pytest.fixture
def remote(programme, volunteer):
    need = RemoteNeedFactory(programme=programme, title="Teleradiology reporting", hours_per_week=4)
    return placement_on(need, volunteer, datetime.date(YEAR, 11, 1), datetime.date(YEAR + 1, 1, 30))


def download_url(placement) -> str:
    return reverse("placements:certificate-download", args=[placement.pk])


def pdf_pages_text(html: str) -> list[str]:
    """The text of each page of the PDF WeasyPrint lays out, as it draws it (margin boxes included)."""
    from weasyprint.formatting_structure import boxes

    def texts(box):
        if isinstance(box, boxes.TextBox):
            yield box.text
        for child in getattr(box, "children", ()):
            yield from texts(child)

    return [" ".join(texts(page._page_box)) for page in certification.pdf_document(html).pages]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_volunteer_downloads_the_certificate_of_a_completed_placement(client, coordinator, volunteer, onsite):
    coordinator.first_name, coordinator.last_name = "Grace", "Mushi"
    coordinator.save()
    complete(client, coordinator, onsite)
    client.force_login(volunteer.user)

    response = client.get(download_url(onsite))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    certificate = Certificate.objects.get(placement=onsite)
    assert certificate.display_code in response["Content-Disposition"]
    assert certificate.holder_name == volunteer.display_name
    assert certificate.coordinator_name == "Grace Mushi"
    assert certificate.days_on_site == 14
    assert certificate.remote_hours == 0


def test_the_certificate_prints_organisation_programme_site_dates_days_role_coordinator_and_code(
    client, coordinator, volunteer, onsite
):
    coordinator.first_name, coordinator.last_name = "Grace", "Mushi"
    coordinator.save()
    complete(client, coordinator, onsite)
    certificate = certification.certificate_issue(placement=onsite)

    html = certification.certificate_html(certificate=certificate)

    for printed in (
        volunteer.display_name,
        "Road to IR Test Partners",
        "Embolisation training in Tanzania",
        "Kilimanjaro Christian Medical Centre, Moshi, Tanzania",
        "PPH embolisation teaching (Interventional radiologist)",
        "3 March 2025 to 16 March 2025",
        "Days on site",
        "Grace Mushi",
        certificate.display_code,
        f"/verify/{certificate.display_code}/",
    ):
        assert printed in html
    assert "Hours of remote work" not in html


def test_the_pdf_itself_carries_the_organisation_dates_and_code(client, coordinator, volunteer, onsite):
    complete(client, coordinator, onsite)
    certificate = certification.certificate_issue(placement=onsite)

    [page] = pdf_pages_text(certification.certificate_html(certificate=certificate))

    assert "Road to IR Test Partners" in page
    assert "3 March 2025 to 16 March 2025" in page
    assert certificate.display_code in page
    assert volunteer.display_name in page


def test_a_remote_placement_counts_its_hours_from_the_weekly_hours(client, coordinator, volunteer, remote):
    complete(client, coordinator, remote)

    certificate = certification.certificate_issue(placement=remote)
    html = certification.certificate_html(certificate=certificate)

    # 4 hours a week over 91 days (13 weeks).
    assert certificate.remote_hours == 52
    assert certificate.days_on_site == 0
    assert "Hours of remote work" in html and "52" in html
    assert "Days on site" not in html


def test_the_certificate_is_issued_once_and_keeps_what_it_printed(client, coordinator, volunteer, onsite):
    complete(client, coordinator, onsite)
    client.force_login(volunteer.user)
    client.get(download_url(onsite))
    Need.objects.filter(pk=onsite.need_id).update(title="Renamed afterwards")
    volunteer.name = "Someone Else"
    volunteer.save()

    client.get(download_url(onsite))

    certificate = Certificate.objects.get()
    assert certificate.need_title == "PPH embolisation teaching"
    assert certificate.holder_name != "Someone Else"


def test_a_placement_not_completed_has_no_certificate(client, volunteer, onsite):
    client.force_login(volunteer.user)

    response = client.get(download_url(onsite))

    assert response.status_code == 302
    assert response.url == reverse("placements:placement-record")
    assert messages_of(response) == [
        "A certificate is issued once the coordinators have marked the placement completed."
    ]
    assert not Certificate.objects.exists()


def test_only_the_holder_downloads_the_certificate(client, coordinator, other_volunteer, onsite):
    complete(client, coordinator, onsite)

    for user in (other_volunteer.user, coordinator):
        client.force_login(user)
        assert client.get(download_url(onsite)).status_code == 404
    client.logout()
    assert client.get(download_url(onsite)).status_code == 302  # the login page
    assert not Certificate.objects.exists()


def test_codes_are_long_and_free_of_look_alike_characters():
    codes = {
        Certificate(start_date=datetime.date(YEAR, 1, 1), end_date=datetime.date(YEAR, 1, 1)).code for _ in range(200)
    }

    assert len(codes) == 200
    for code in codes:
        assert len(code) == CODE_LENGTH
        assert set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1IL")


def test_anyone_verifies_a_certificate_and_sees_only_the_name_organisation_and_dates(
    client, coordinator, volunteer, onsite
):
    complete(client, coordinator, onsite)
    certificate = certification.certificate_issue(placement=onsite)

    response = client.get(reverse("placements:certificate-verify", args=[certificate.display_code]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Valid" in page
    assert volunteer.display_name in page
    assert "Road to IR Test Partners" in page
    assert "3 March 2025 to 16 March 2025" in page
    for private in ("Kilimanjaro", "PPH embolisation teaching", volunteer.user.email, "Embolisation training"):
        assert private not in page


def test_a_code_is_verified_however_it_is_typed(client, coordinator, onsite):
    complete(client, coordinator, onsite)
    certificate = certification.certificate_issue(placement=onsite)

    response = client.get(reverse("placements:certificate-verify", args=[certificate.code.lower()]))

    assert response.status_code == 200
    assert "Valid" in response.content.decode()


def test_an_unknown_code_is_a_clear_404(client):
    response = client.get(reverse("placements:certificate-verify", args=["ABCD-EFGH-JKMN"]))

    assert response.status_code == 404
    assert "No certificate has this code" in response.content.decode()


def test_erasing_the_account_revokes_the_certificate(client, coordinator, volunteer, onsite):
    complete(client, coordinator, onsite)
    certificate = certification.certificate_issue(placement=onsite)
    name = volunteer.display_name

    account_erase(user=volunteer.user)

    response = client.get(reverse("placements:certificate-verify", args=[certificate.display_code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Revoked" in page and "Valid" not in page
    assert name not in page
    certificate.refresh_from_db()
    assert certificate.holder_name == ""


def test_a_coordinator_who_leaves_takes_their_name_off_the_certificates_they_signed(
    client, coordinator, volunteer, onsite
):
    coordinator.first_name, coordinator.last_name = "Grace", "Mushi"
    coordinator.save()
    complete(client, coordinator, onsite)
    certificate = certification.certificate_issue(placement=onsite)

    account_erase(user=coordinator)

    certificate.refresh_from_db()
    assert certificate.coordinator_name == "" and certificate.revoked_at is None
    html = certification.certificate_html(certificate=certificate)
    assert "Completion confirmed by the coordinators of Road to IR Test Partners." in html


def test_the_yearly_summary_lists_the_years_placements_counted_within_the_year(
    client, coordinator, volunteer, onsite, remote
):
    complete(client, coordinator, onsite)
    complete(client, coordinator, remote)

    summary = certification.year_summary(profile=volunteer, year=YEAR)
    html = certification.year_summary_html(summary=summary)

    assert [row.certificate.placement for row in summary.rows] == [onsite, remote]
    # The remote placement runs into the next year: November and December only, 61 days of 4 hours a week.
    assert summary.days_on_site == 14
    assert summary.remote_hours == 35
    for row in summary.rows:
        assert row.certificate.display_code in html
    assert "Volunteer placements in 2025" in html
    assert certification.certificate_years(profile=volunteer) == [YEAR + 1, YEAR]


def test_every_page_of_a_long_summary_says_how_to_check_the_codes(client, coordinator, volunteer, onsite):
    complete(client, coordinator, onsite)
    for month in range(4, 13):
        placement = placement_on(
            NeedFactory(programme=onsite.need.programme),
            volunteer,
            datetime.date(YEAR, month, 1),
            datetime.date(YEAR, month, 10),
        )
        complete(client, coordinator, placement)
    summary = certification.year_summary(profile=volunteer, year=YEAR)

    pages = pdf_pages_text(certification.year_summary_html(summary=summary))

    assert len(pages) > 1
    assert all("/verify/" in page for page in pages)
    assert all(row.certificate.display_code in " ".join(pages) for row in summary.rows)


def test_volunteer_downloads_the_yearly_summary_as_pdf(client, coordinator, volunteer, onsite):
    complete(client, coordinator, onsite)
    client.force_login(volunteer.user)

    response = client.get(reverse("placements:year-summary-download", args=[YEAR]))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert Certificate.objects.filter(placement=onsite).exists()


def test_a_year_without_completed_placements_has_no_summary(client, volunteer, onsite):
    client.force_login(volunteer.user)

    response = client.get(reverse("placements:year-summary-download", args=[YEAR]))

    assert response.status_code == 302
    assert messages_of(response) == ["You have no completed placement in 2025."]


def test_the_record_and_the_dashboard_link_to_certificates_and_summaries(client, coordinator, volunteer, onsite):
    other = placement_on(
        NeedFactory(programme=onsite.need.programme), volunteer, datetime.date(YEAR, 5, 1), datetime.date(YEAR, 5, 5)
    )
    complete(client, coordinator, onsite)
    client.force_login(volunteer.user)

    for page in ("placements:placement-record", "placements:dashboard"):
        content = client.get(reverse(page)).content.decode()
        assert download_url(onsite) in content
        assert download_url(other) not in content  # over, but not marked completed
        assert reverse("placements:year-summary-download", args=[YEAR]) in content


def test_the_certificate_is_written_in_the_volunteers_language(client, coordinator, volunteer, onsite):
    complete(client, coordinator, onsite)
    certificate = certification.certificate_issue(placement=onsite)

    with translation.override("fr"):
        html = certification.certificate_html(certificate=certificate)

    assert "Attestation de service" in html
    assert 'lang="fr"' in html


def test_the_pdf_loads_nothing_from_the_network(client, coordinator, volunteer, onsite):
    fetcher = certification._local_only_fetcher()

    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/font.woff2")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    logo = (certification.CERTIFICATE_ASSETS / "img" / "favicon.svg").resolve().as_uri()
    assert fetcher.fetch(logo).read().startswith(b"<svg")


def test_a_volunteer_without_a_name_is_asked_for_one_first(client, coordinator, onsite):
    nameless = VolunteerProfileFactory(name="", user__first_name="", user__last_name="")
    placement = placement_on(
        NeedFactory(programme=onsite.need.programme), nameless, datetime.date(YEAR, 6, 1), datetime.date(YEAR, 6, 5)
    )
    complete(client, coordinator, placement)
    client.force_login(nameless.user)

    response = client.get(download_url(placement))

    assert response.status_code == 302
    assert "Add your name to your volunteer profile first" in messages_of(response)[0]


def test_a_site_admin_revokes_a_certificate_issued_in_error(client, coordinator, site_admin, onsite):
    complete(client, coordinator, onsite)
    certificate = certification.certificate_issue(placement=onsite)
    client.force_login(site_admin)
    changelist = reverse("admin:placements_certificate_changelist")

    response = client.post(changelist, {"action": "revoke", "_selected_action": [certificate.pk]}, follow=True)

    assert "1 certificate revoked." in response.content.decode()
    page = client.get(reverse("placements:certificate-verify", args=[certificate.display_code])).content.decode()
    assert "Revoked" in page
    again = client.post(changelist, {"action": "revoke", "_selected_action": [certificate.pk]}, follow=True)
    assert f"The certificate {certificate.display_code} is already revoked." in again.content.decode()
    assert client.get(reverse("admin:placements_certificate_change", args=[certificate.pk])).status_code == 200

    client.force_login(onsite.volunteer.user)
    response = client.get(download_url(onsite))
    assert response.status_code == 302
    assert "The certificate of this placement was revoked on" in messages_of(response)[0]
    assert certification.year_summary(profile=onsite.volunteer, year=YEAR) is None
