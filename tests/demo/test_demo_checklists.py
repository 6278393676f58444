"""The demo's placements to come carry pre-departure checklists, some steps ticked and some overdue."""

import pytest
from django.core.management import call_command

from placements.checklists import PlacementChecklistItem

pytestmark = pytest.mark.django_db


def test_the_demo_placements_have_checklists_in_progress():
    call_command("load_demo", volunteers=200, needs=30, seed=1, force=True, stdout=None)

    items = PlacementChecklistItem.objects.all()
    assert items.exists()
    assert items.filter(done_at__isnull=False).exists()
    assert items.filter(done_at__isnull=True).exists()
