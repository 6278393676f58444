from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from demo.loader import DEMO_PASSWORD
from matcher.models import HostMatchRound
from placements import visit_services
from programmes.models import HostRequest, Programme

pytestmark = pytest.mark.django_db


def test_the_demo_shows_host_requests_an_open_round_and_past_visits(client):
    call_command("load_demo", volunteers=50, needs=20, seed=1, force=True, stdout=StringIO())
    call_command(
        "load_demo", volunteers=50, needs=20, seed=2, force=True, stdout=StringIO()
    )  # replaced, not duplicated

    programme = Programme.objects.get(slug="demo-visiting-professor-program")
    assert programme.host_requests.filter(status=HostRequest.Status.OPEN).count() == 3
    match_round = HostMatchRound.objects.get(programme=programme)
    assert match_round.status == HostMatchRound.Status.OPEN
    assert match_round.rankings.filter(host_rank__isnull=False).exists()
    assert match_round.rankings.filter(candidate_rank__isnull=False).exists()
    assert visit_services.visit_report(programme=programme).visits == 2

    assert "Teaching week in interventional oncology" in client.get(reverse("matcher:visiting-list")).content.decode()
    coordinator = programme.lead_organisation.memberships.get().user
    assert client.login(email=coordinator.email, password=DEMO_PASSWORD)
