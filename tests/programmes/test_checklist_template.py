"""A programme's pre-departure checklist template, edited by its coordinators."""

import pytest
from django.urls import reverse

from programmes.checklist_templates import ChecklistTemplateItem
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(lead_organisation=organisation)


def url(programme):
    return reverse("programmes:checklist-template", args=[programme.pk])


def rows(*steps, extra=0):
    """The formset's POST: `steps` as (title, who, days, document, applies_to, order), and blank extra rows."""
    data = {
        "steps-TOTAL_FORMS": str(len(steps) + extra),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "40",
    }
    for index, (title, who, days, document, applies_to, order) in enumerate(steps):
        data.update(
            {
                f"steps-{index}-title": title,
                f"steps-{index}-who_acts": who,
                f"steps-{index}-days_before_start": str(days),
                f"steps-{index}-applies_to": applies_to,
                f"steps-{index}-ORDER": str(order),
            }
        )
        if document:
            data[f"steps-{index}-needs_document"] = "on"
    for index in range(len(steps), len(steps) + extra):
        data.update({f"steps-{index}-who_acts": "volunteer", f"steps-{index}-applies_to": "both"})
    return data


def test_a_programme_without_a_template_shows_the_defaults_to_start_from(client, coordinator, programme):
    client.force_login(coordinator)

    page = client.get(url(programme)).content.decode()

    assert "This programme uses the default checklist" in page
    assert "Malpractice cover" in page
    assert "Data-sharing agreement signed" in page


def test_a_coordinator_saves_the_steps_in_the_order_asked_leaving_blank_rows_out(client, coordinator, programme):
    client.force_login(coordinator)

    response = client.post(
        url(programme),
        rows(
            ("Hospital badge", "coordinator", 10, False, "on_site", 2),
            ("Yellow fever card", "volunteer", 30, True, "both", 1),
            extra=2,
        ),
    )

    assert response.status_code == 302
    assert list(
        ChecklistTemplateItem.objects.filter(programme=programme).values_list(
            "title", "who_acts", "days_before_start", "needs_document", "applies_to"
        )
    ) == [("Yellow fever card", "volunteer", 30, True, "both"), ("Hospital badge", "coordinator", 10, False, "on_site")]


def test_a_deleted_step_goes_and_an_empty_template_means_the_defaults_again(client, coordinator, programme):
    ChecklistTemplateItem.objects.create(programme=programme, title="Hospital badge")
    client.force_login(coordinator)
    data = rows(("Hospital badge", "volunteer", 10, False, "both", 1))
    data["steps-0-DELETE"] = "on"

    response = client.post(url(programme), data, follow=True)

    assert not ChecklistTemplateItem.objects.filter(programme=programme).exists()
    assert "new placements get the default checklist" in response.content.decode()


def test_a_step_too_far_ahead_is_refused_with_a_clear_message(client, coordinator, programme):
    client.force_login(coordinator)

    response = client.post(url(programme), rows(("Visa", "volunteer", 400, True, "both", 1)))

    assert response.status_code == 400
    assert "At most 365 days before the start." in response.content.decode()
    assert not ChecklistTemplateItem.objects.filter(programme=programme).exists()


def test_another_organisations_coordinator_cannot_see_or_change_the_template(client, other_coordinator, programme):
    client.force_login(other_coordinator)

    assert client.get(url(programme)).status_code == 404
    assert client.post(url(programme), rows(("Visa", "volunteer", 10, True, "both", 1))).status_code == 404
    assert not ChecklistTemplateItem.objects.exists()


def test_the_editor_shows_one_blank_step_and_labels_without_colons(client, coordinator, programme):
    ChecklistTemplateItem.objects.create(programme=programme, title="Hospital badge")
    client.force_login(coordinator)

    page = client.get(url(programme)).content.decode()

    assert 'name="steps-TOTAL_FORMS" value="2"' in page
    assert page.count('class="field checklist-step-title"') == 2
    assert "What must be done</label>" in page
    assert "What must be done:</label>" not in page
