import pytest


@pytest.mark.django_db
def test_home_page_invites_volunteers_and_organisations(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Sign up to volunteer" in response.content.decode()
