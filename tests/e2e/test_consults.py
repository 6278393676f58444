"""A partner clinician uploads a small CT series in a real browser and sees its previews; a volunteer radiologist
who reports remotely takes the request and answers; the clinician reads the answer and closes the request.
Every image the browser showed is in the audit trail."""

import pytest
from playwright.sync_api import expect

from consults.models import ConsultImageView, ConsultRequest
from tests.consults.factories import clinician_of, ct_series_zip, host_site, remote_radiologist
from tests.e2e.conftest import DESKTOP, PHONE, field, sign_in, snapshot

pytestmark = pytest.mark.browser


def _loaded_images(page) -> int:
    return page.evaluate(
        "Array.from(document.querySelectorAll('.consult-slice img'))"
        ".filter(img => !img.closest('[hidden]') && img.complete && img.naturalWidth > 0).length"
    )


def _wait_for_a_preview(page) -> None:
    """Until the slice on screen has decoded (wait_for_function would evaluate a string, which the CSP refuses)."""
    for _ in range(50):
        if _loaded_images(page):
            return
        page.wait_for_timeout(100)
    raise AssertionError("No preview was shown.")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"], indirect=True)
def test_a_clinician_asks_a_radiologist_answers_and_the_clinician_closes(page, live_server, tmp_path, viewport):
    site = host_site("Hôpital de Référence de Kati")
    clinician = clinician_of(site)
    radiologist = remote_radiologist()
    series = tmp_path / "chest-ct.zip"
    series.write_bytes(ct_series_zip(4))

    sign_in(page, live_server, clinician)
    page.goto("/consults/")
    page.get_by_role("link", name="Ask for a consult").click()
    expect(page.get_by_text("Never write a patient's name, ID number or date of birth.")).to_be_visible()
    field(page, "Clinical question").fill("Pulmonary embolism? Filling defect in the right lower lobe?")
    field(page, "Short history").fill("54-year-old woman, sudden dyspnoea three days after surgery.")
    page.get_by_label("Modality").select_option("CT")
    field(page, "Body part").fill("Chest")
    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_label("Images").set_input_files(str(series))
    snapshot(page, "consult-form")
    page.get_by_role("button", name="Send the request").click()

    expect(page.get_by_text("Your request is sent to volunteers who report remotely.")).to_be_visible()
    expect(page.get_by_role("heading", name="4 images")).to_be_visible()
    _wait_for_a_preview(page)
    # The slider scrolls through the series one slice at a time.
    page.get_by_role("slider").fill("3")
    expect(page.locator(".consult-slice:not([hidden])")).to_have_count(1)
    page.get_by_role("link", name="Lung").click()
    _wait_for_a_preview(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    snapshot(page, "consult-clinician-previews")
    consult = ConsultRequest.objects.get()
    assert ConsultImageView.objects.filter(viewer=clinician, how="preview").exists()

    sign_in(page, live_server, radiologist.user)
    page.goto("/consults/")
    page.get_by_role("link", name="CT · Chest").click()
    expect(page.get_by_text("Pulmonary embolism? Filling defect")).to_be_visible()
    expect(page.locator(".consult-slice")).to_have_count(0)
    page.get_by_role("button", name="Take this request").click()
    expect(page.get_by_text("The request is yours: its images are open to you.")).to_be_visible()
    _wait_for_a_preview(page)
    field(page, "Findings").fill("Filling defect in a right lower lobe segmental artery.")
    field(page, "Impression").fill("Segmental pulmonary embolism.")
    field(page, "Recommendation").fill("Anticoagulation if no contraindication.")
    page.get_by_label("Confidence").select_option("high")
    snapshot(page, "consult-volunteer-answer")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Your answer is sent to the clinician.")).to_be_visible()
    assert ConsultImageView.objects.filter(viewer=radiologist.user, image__request=consult).exists()

    sign_in(page, live_server, clinician)
    page.goto(consult.get_absolute_url())
    expect(page.get_by_role("heading", name="The answer")).to_be_visible()
    expect(page.get_by_text("Segmental pulmonary embolism.")).to_be_visible()
    page.get_by_label("How useful was the answer?").select_option("5")
    page.get_by_role("button", name="Close the request").click()
    expect(page.get_by_text("The request is closed. Thank you.")).to_be_visible()
    expect(page.get_by_text("Rated 5 / 5 by the clinician.")).to_be_visible()
    snapshot(page, "consult-closed")
    consult.refresh_from_db()
    assert (consult.status, consult.rating) == (ConsultRequest.Status.CLOSED, 5)
