"""The demo's Road2IR team on rotations: one rotation ready, one half-filled, distance learning beside it."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from demo.loader import demo_data_delete
from programmes.team_selectors import team_calendar
from programmes.teams import TeamNeed

pytestmark = pytest.mark.django_db


def test_the_demo_shows_road2ir_with_a_ready_and_a_half_filled_rotation(client):
    call_command("load_demo", volunteers=200, needs=30, seed=1, force=True, stdout=None)

    team = TeamNeed.objects.get(programme__slug="demo-programme-road2ir")
    rows = team_calendar(team=team).rows
    assert rows[0].is_ready
    assert not rows[1].is_ready and 0 < rows[1].taken < rows[1].places
    page = client.get(reverse("placements:team-detail", args=[team.pk])).content.decode()
    assert "Ready" in page
    assert "Road2IR weekly IR case conference" in page

    demo_data_delete()
    assert not TeamNeed.objects.exists()
