"""The demo shows a full need with volunteers on its waiting list, and an application with a short thread."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from conversations.models import Message
from demo.loader import demo_data_delete
from placements.models import Application
from placements.waiting_list import WaitingListEntry
from placements.waiting_list_services import need_is_full, waiting_list_ranked

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_full_need_with_a_waiting_list_and_a_thread_half_read(client):
    call_command("load_demo", volunteers=200, needs=30, seed=1, force=True, stdout=None)

    entries = WaitingListEntry.objects.active().select_related("need")
    assert entries.count() == 2
    need = entries.first().need
    assert need_is_full(need=need)
    assert len(waiting_list_ranked(need=need)) == 2

    application = Application.objects.get(need=need, status=Application.Status.OFFERED)
    messages = list(Message.objects.filter(thread__application=application).order_by("pk"))
    assert len(messages) == 2
    client.force_login(application.volunteer.user)
    page = client.get(reverse("conversations:application-thread", args=[application.pk])).content.decode()
    assert "we have offered you the place" in page
    assert "I will upload my licence this week" in page

    demo_data_delete()
    assert not WaitingListEntry.objects.exists()
    assert not Message.objects.exists()
