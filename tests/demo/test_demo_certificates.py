"""The demo holds one placement already carried out and completed, so its volunteer can download a certificate."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from placements.models import Application, Placement

pytestmark = pytest.mark.django_db


def test_the_volunteer_the_readme_names_finds_a_certificate_for_a_completed_placement(client):
    # The numbers and seed `make run` loads.
    call_command("load_demo", volunteers=300, needs=80, seed=1, force=True, stdout=None)

    placement = Placement.objects.get(completed_at__isnull=False)
    volunteer = placement.volunteer
    assert volunteer.user.email == "demo-volunteer-0001@example.org"
    assert volunteer.name
    assert placement.end_date < timezone.localdate()
    assert placement.application.status == Application.Status.COMPLETED
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:placement-record")).content.decode()

    assert placement.need.title in page
    assert "Download certificate" in page
    assert reverse("placements:certificate-download", args=[placement.pk]) in page
