"""The checklist template editor in a real browser: compact at a desktop's width, with every step's title
readable in full, and nothing scrolling sideways on a phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from programmes.checklist_template_services import checklist_template_initial
from tests.e2e.conftest import PHONE, sign_in, snapshot
from tests.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def programme(transactional_db):
    coordinator = MembershipFactory().user
    programme = ProgrammeFactory(lead_organisation=coordinator.memberships.get().organisation)
    programme.coordinator = coordinator
    return programme


def open_editor(page: Page, live_server, programme) -> None:
    sign_in(page, live_server, programme.coordinator)
    page.goto(reverse("programmes:checklist-template", args=[programme.pk]))


def test_the_default_steps_fit_a_compact_page_with_their_titles_in_full(page: Page, live_server, programme):
    open_editor(page, live_server, programme)
    snapshot(page, "checklist-template")

    # The default steps and one blank step to add another.
    assert page.locator("fieldset.checklist-step").count() == len(checklist_template_initial()) + 1
    # Each step a compact card (the title on one line, the rest on the next), not a field a line.
    tallest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('fieldset.checklist-step')].map(step => step.offsetHeight))"
    )
    assert tallest < 240, f"a step takes {tallest}px"
    cut_off = page.evaluate(
        """[...document.querySelectorAll('input[name$="-title"]')]
             .filter(input => input.scrollWidth > input.clientWidth).map(input => input.value)"""
    )
    assert cut_off == []


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_the_editor_fits_a_phone(page: Page, live_server, programme):
    open_editor(page, live_server, programme)
    snapshot(page, "checklist-template")

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
