"""A volunteer downloads the certificate of a completed placement from their record, and whoever they show it to
checks its code on a phone: valid, with nothing but the name, the organisation and the dates."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from placements.certificates import Certificate
from placements.models import Application, Placement
from programmes.models import Need
from tests.e2e.conftest import PHONE, sign_in
from tests.factories import NeedFactory, PlacementFactory, VolunteerProfileFactory

pytestmark = pytest.mark.browser

START = datetime.date(2025, 3, 3)
END = datetime.date(2025, 3, 16)


def expect_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the {page.viewport_size['width']}px screen"


@pytest.fixture
def completed(transactional_db):
    profile = VolunteerProfileFactory(name="Amara Okafor", title="Dr")
    need = NeedFactory(title="PPH embolisation teaching", programme__lead_organisation__name="Moshi Imaging Trust")
    Need.objects.filter(pk=need.pk).update(window_start=START, window_end=END)
    need.refresh_from_db()
    placement = PlacementFactory(
        application__need=need,
        application__volunteer=profile,
        application__proposed_start=START,
        application__proposed_end=END,
    )
    Application.objects.filter(pk=placement.application_id).update(
        status=Application.Status.COMPLETED, completed_at=timezone.now()
    )
    Placement.objects.filter(pk=placement.pk).update(completed_at=timezone.now())
    return placement


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_volunteer_downloads_a_certificate_that_anyone_verifies(page, live_server, completed, tmp_path):
    sign_in(page, live_server, completed.volunteer.user)
    page.goto("/me/placements/")

    # The first PDF of the process also loads WeasyPrint and the fonts: longer than a click's usual wait.
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Download certificate").click()
    saved = Path(tmp_path) / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    certificate = Certificate.objects.get(placement=completed)
    assert certificate.display_code in download.value.suggested_filename

    page.context.clear_cookies()
    page.goto(f"/verify/{certificate.display_code}/")
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    expect(page.get_by_text("Dr Amara Okafor")).to_be_visible()
    expect(page.get_by_text("Moshi Imaging Trust")).to_be_visible()
    expect(page.get_by_text("PPH embolisation teaching")).to_have_count(0)
    expect_fits_the_screen(page)

    response = page.goto("/verify/ABCD-EFGH-JKMN/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="No certificate has this code")).to_be_visible()
    expect_fits_the_screen(page)
