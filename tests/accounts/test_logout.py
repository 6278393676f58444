"""Logging out takes a POST; a GET only asks for confirmation."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_logout_by_get_asks_for_confirmation_and_keeps_the_session(client, volunteer):
    client.force_login(volunteer.user)

    response = client.get(reverse("account_logout"))

    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert client.get(reverse("home")).context["user"] == volunteer.user


def test_logout_by_post_ends_the_session(client, volunteer):
    client.force_login(volunteer.user)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not client.get(reverse("home")).context["user"].is_authenticated
    assert "_auth_user_id" not in client.session


def test_every_page_offers_logout_as_a_form_not_a_link(client, volunteer):
    client.force_login(volunteer.user)

    page = client.get(reverse("home")).content.decode()

    assert f'<form method="post" action="{reverse("account_logout")}"' in page
    assert f'href="{reverse("account_logout")}"' not in page
