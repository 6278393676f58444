"""The demo shows a partner clinician with an open CT consult and an MR consult a demo radiologist answered."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from consults.models import ConsultImage, ConsultRequest
from demo.loader import demo_data_delete
from globalir.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_clinician_with_an_open_and_an_answered_consult(client):
    call_command("load_demo", volunteers=200, needs=30, seed=1, force=True, stdout=None)

    clinician = User.objects.get(email="demo-clinician-01@example.org")
    assert ConsultRequest.objects.filter(status=ConsultRequest.Status.OPEN, modality="CT").count() == 1
    answered = ConsultRequest.objects.get(status=ConsultRequest.Status.ANSWERED)
    client.force_login(clinician)
    page = client.get(answered.get_absolute_url()).content.decode()
    assert "pulsation artefact" in page
    assert client.get(reverse("consults:image-preview", args=[answered.images.get().pk])).status_code == 200
    client.force_login(answered.claimed_by.user)
    assert "CT · Chest" in client.get(reverse("consults:list")).content.decode()

    demo_data_delete()
    assert not ConsultRequest.objects.exists() and not ConsultImage.objects.exists()
    assert not User.objects.filter(email="demo-clinician-01@example.org").exists()
