"""What volunteers and coordinators see of a full need (every place offered or taken): the need's page offers
its waiting list rather than the form, and the pipeline board neither suggests nor invites more volunteers."""

import pytest
from django.urls import reverse
from django.utils import timezone

from matcher.models import Recommendation
from placements import services, waiting_list_services
from placements.models import Application
from tests.factories import ApplicationFactory, NeedFactory, VolunteerProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(organisation):
    """One place, already offered: the need is full. It asks for no particular skill."""
    need = NeedFactory(programme__lead_organisation=organisation, title="CT-guided drainage, Mwanza", places=1)
    ApplicationFactory(need=need, status=Application.Status.OFFERED)
    return need


def suggest(volunteer, need, **factors):
    return Recommendation.objects.create(
        volunteer=volunteer, need=need, score=80, rank_for_need=1, factors=factors, computed_at=timezone.now()
    )


def board(client, need) -> str:
    return client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()


def free_the_place(need):
    offered = Application.objects.get(need=need, status=Application.Status.OFFERED)
    services.offer_decline(application=offered, by=offered.volunteer.user)


# The need's page


def test_a_signed_in_volunteer_is_told_the_need_is_full_and_offered_the_list_not_the_form(client, volunteer, need):
    client.force_login(volunteer.user)

    page = client.get(need.get_absolute_url()).content.decode()

    assert "Every place is offered or taken: this need is full." in page
    assert "This need is full" in page
    assert "Send my application" not in page
    assert 'href="#apply">Apply</a>' not in page
    assert "Join the waiting list" in page


def test_a_visitor_is_told_the_need_is_full_and_to_log_in_to_join_its_list(client, need):
    page = client.get(need.get_absolute_url()).content.decode()

    assert "Every place is offered or taken: this need is full." in page
    assert "Log in or sign up as a volunteer to join its waiting list" in page
    assert "Log in or sign up as a volunteer to apply." not in page
    assert reverse("account_login") in page


def test_a_need_with_a_place_left_still_shows_the_form(client, volunteer, organisation):
    need = NeedFactory(programme__lead_organisation=organisation, places=2)
    ApplicationFactory(need=need, status=Application.Status.OFFERED)
    client.force_login(volunteer.user)

    page = client.get(need.get_absolute_url()).content.decode()

    assert "Send my application" in page
    assert "this need is full" not in page


# The pipeline board


def test_a_full_need_suggests_and_invites_nobody(client, coordinator, need):
    fits = VolunteerProfileFactory(user__first_name="Would", user__last_name="Fit")
    suggest(fits, need, required_skills=30)
    client.force_login(coordinator)

    page = board(client, need)

    assert "Every place is offered or taken, so no other volunteers are suggested" in page
    assert "Would Fit" not in page
    assert reverse("matcher:suggestion-invite", args=[need.pk, fits.pk]) not in page


def test_a_volunteer_on_the_waiting_list_is_not_suggested_once_a_place_frees_up(client, coordinator, volunteer, need):
    waiting_list_services.waiting_list_join(volunteer=volunteer, need=need)
    other = VolunteerProfileFactory(user__first_name="Would", user__last_name="Fit")
    suggest(volunteer, need, required_skills=30)
    Recommendation.objects.create(
        volunteer=other, need=need, score=70, rank_for_need=2, factors={}, computed_at=timezone.now()
    )
    free_the_place(need)
    client.force_login(coordinator)

    suggestions = board(client, need).split("Suggested volunteers", 1)[1]

    assert "Would Fit" in suggestions
    assert volunteer.display_name not in suggestions
    assert reverse("matcher:suggestion-invite", args=[need.pk, volunteer.pk]) not in suggestions


def test_each_reason_of_a_suggestion_is_a_line_of_its_own(client, coordinator, organisation):
    need = NeedFactory(programme__lead_organisation=organisation, places=1)
    suggest(VolunteerProfileFactory(), need, required_skills=30, languages=15)
    client.force_login(coordinator)

    page = board(client, need)

    assert '<ul class="fit-reasons">' in page
    assert "<li>Required skills: 30 of 30</li>" in page
    assert "<li>Languages: 15 of 15</li>" in page


def test_the_offer_from_the_list_names_the_first_on_it(client, coordinator, volunteer, other_volunteer, need):
    waiting_list_services.waiting_list_join(volunteer=volunteer, need=need)
    waiting_list_services.waiting_list_join(volunteer=other_volunteer, need=need)
    free_the_place(need)
    client.force_login(coordinator)

    page = board(client, need)

    assert f"Offer a place to {volunteer.display_name}, the first on the list" in page
    assert 'class="waiting-list-offer"' in page


def test_a_need_asking_for_no_skill_does_not_say_none_of_its_skills_match(client, coordinator, need):
    client.force_login(coordinator)

    page = board(client, need)

    assert "This need asks for no particular skill" in page
    assert "None of the need's skills" not in page


def test_a_need_asking_for_skills_says_when_none_match(client, coordinator, organisation):
    need = NeedFactory(programme__lead_organisation=organisation, required_skills=["embolisation"], places=2)
    ApplicationFactory(need=need)
    client.force_login(coordinator)

    assert "None of the need's skills" in board(client, need)
