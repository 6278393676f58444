"""Applying to a need, withdrawing, answering offers, and the volunteer's dashboard at /me/."""

import datetime
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections
from django.urls import reverse

from placements import services
from placements.models import Application, Placement
from programmes.models import Need
from tests.factories import (
    ApplicationFactory,
    AvailabilityWindowFactory,
    NeedFactory,
    PlacementFactory,
    RemoteNeedFactory,
    VolunteerProfileFactory,
    today,
)

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def apply(client, need, **data):
    payload = {
        "message": "I teach embolisation in Toronto and would love to help.",
        "proposed_start": need.window_start.isoformat(),
        "proposed_end": need.window_end.isoformat(),
        **data,
    }
    return client.post(reverse("placements:application-create", args=[need.pk]), payload)


def offered(volunteer, **need_fields) -> Application:
    return ApplicationFactory(volunteer=volunteer, need=NeedFactory(**need_fields), status=Application.Status.OFFERED)


# Applying


def test_volunteer_applies_and_sees_the_application_on_their_dashboard(client, volunteer):
    need = NeedFactory(title="Embolisation faculty, Dar es Salaam")
    client.force_login(volunteer.user)

    response = apply(client, need, proposed_start=days(45).isoformat(), proposed_end=days(70).isoformat())

    assert response.status_code == 302
    assert response["Location"] == reverse("placements:dashboard")
    application = Application.objects.get(need=need, volunteer=volunteer)
    assert application.status == Application.Status.INTERESTED
    assert (application.proposed_start, application.proposed_end) == (days(45), days(70))
    assert application.message == "I teach embolisation in Toronto and would love to help."
    dashboard = client.get(reverse("placements:dashboard")).content.decode()
    assert "Embolisation faculty, Dar es Salaam" in dashboard
    assert "has been sent to the coordinators" in dashboard


def test_need_page_shows_the_application_form_prefilled_with_the_window(client, volunteer):
    need = NeedFactory()
    client.force_login(volunteer.user)

    page = client.get(need.get_absolute_url()).content.decode()

    assert "Send my application" in page
    assert f'value="{need.window_start.isoformat()}"' in page
    assert f'value="{need.window_end.isoformat()}"' in page


def test_dates_outside_the_window_are_refused_and_the_message_is_kept(client, volunteer):
    need = NeedFactory()
    client.force_login(volunteer.user)

    response = apply(client, need, message="Keep these words", proposed_start=days(1).isoformat())

    assert response.status_code == 400
    page = response.content.decode()
    assert "Propose dates inside the need&#x27;s window" in page
    assert "Keep these words" in page
    assert not Application.objects.exists()


def test_end_before_start_is_refused_with_a_message(client, volunteer):
    need = NeedFactory()
    client.force_login(volunteer.user)

    response = apply(client, need, proposed_start=days(60).isoformat(), proposed_end=days(50).isoformat())

    assert response.status_code == 400
    assert "The proposed end cannot be before the proposed start." in response.content.decode()
    assert not Application.objects.exists()


def test_an_on_site_stay_shorter_than_the_minimum_is_refused(client, volunteer):
    need = NeedFactory(min_duration_days=14)
    client.force_login(volunteer.user)

    response = apply(client, need, proposed_start=days(45).isoformat(), proposed_end=days(50).isoformat())

    assert response.status_code == 400
    assert "at least 14 days" in response.content.decode()
    assert not Application.objects.exists()


def test_a_second_active_application_to_the_same_need_is_refused(client, volunteer):
    need = NeedFactory()
    client.force_login(volunteer.user)
    apply(client, need)

    response = apply(client, need)

    assert Application.objects.filter(need=need, volunteer=volunteer).count() == 1
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "You already have an active application for this need." in page
    assert "Send my application" not in page


def test_the_service_refuses_a_duplicate_active_application(volunteer):
    need = NeedFactory()
    ApplicationFactory(need=need, volunteer=volunteer)

    with pytest.raises(ValidationError, match="already have an active application"):
        services.application_submit(volunteer=volunteer, need=need, message="", proposed_start=None, proposed_end=None)


def test_a_volunteer_can_apply_again_after_withdrawing(client, volunteer):
    need = NeedFactory()
    ApplicationFactory(need=need, volunteer=volunteer, status=Application.Status.WITHDRAWN)
    client.force_login(volunteer.user)

    response = apply(client, need)

    assert response.status_code == 302
    assert Application.objects.filter(need=need, volunteer=volunteer).count() == 2


def test_a_need_past_its_deadline_takes_no_application(client, volunteer):
    need = NeedFactory()
    Need.objects.filter(pk=need.pk).update(application_deadline=days(-1))
    client.force_login(volunteer.user)

    page = client.get(need.get_absolute_url()).content.decode()
    response = apply(client, need)

    assert "Applications are closed for this need." in page
    assert response.status_code == 400
    assert "This need is no longer taking applications." in response.content.decode()
    assert not Application.objects.exists()


def test_a_volunteer_who_has_not_finished_the_wizard_is_sent_to_it(client):
    unfinished = VolunteerProfileFactory(onboarding_completed_at=None, onboarding_step=2)
    need = NeedFactory()
    client.force_login(unfinished.user)

    response = apply(client, need)

    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:onboarding")
    assert not Application.objects.exists()


def test_anonymous_visitors_are_invited_to_log_in_to_apply(client):
    need = NeedFactory()

    page = client.get(need.get_absolute_url()).content.decode()
    response = apply(client, need)

    assert "Log in or sign up as a volunteer to apply." in page
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Application.objects.exists()


# Withdrawing and answering offers


def test_volunteer_withdraws_an_application(client, volunteer):
    application = ApplicationFactory(volunteer=volunteer, status=Application.Status.SHORTLISTED)
    client.force_login(volunteer.user)

    response = client.post(reverse("placements:application-withdraw", args=[application.pk]))

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert application.withdrawn_at is not None


def test_an_accepted_application_cannot_be_withdrawn_from_the_dashboard(client, volunteer):
    placement = PlacementFactory(application__volunteer=volunteer)
    client.force_login(volunteer.user)

    response = client.post(reverse("placements:application-withdraw", args=[placement.application.pk]), follow=True)

    placement.application.refresh_from_db()
    assert placement.application.status == Application.Status.ACCEPTED
    assert "cannot be withdrawn here; write to the coordinator instead" in response.content.decode()


def test_accepting_an_offer_creates_the_placement_with_the_proposed_dates(client, volunteer):
    application = offered(volunteer, title="PPH embolisation rotation")
    client.force_login(volunteer.user)

    response = client.post(reverse("placements:offer-accept", args=[application.pk]), follow=True)

    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert application.accepted_at is not None
    placement = Placement.objects.get(application=application)
    assert (placement.start_date, placement.end_date) == (application.proposed_start, application.proposed_end)
    assert placement.volunteer == volunteer
    page = response.content.decode()
    assert "You have accepted the offer for “PPH embolisation rotation”" in page
    assert "Upcoming placements" in page


def test_declining_an_offer_leaves_no_placement(client, volunteer):
    application = offered(volunteer)
    client.force_login(volunteer.user)

    client.post(reverse("placements:offer-decline", args=[application.pk]))

    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert application.declined_at is not None
    assert not Placement.objects.exists()


def test_an_application_without_an_offer_cannot_be_accepted(client, volunteer):
    application = ApplicationFactory(volunteer=volunteer)
    client.force_login(volunteer.user)

    response = client.post(reverse("placements:offer-accept", args=[application.pk]), follow=True)

    assert "There is no offer to accept on this application." in response.content.decode()
    assert not Placement.objects.exists()


def test_accepting_an_on_site_offer_that_overlaps_an_accepted_one_is_refused(client, volunteer):
    PlacementFactory(application__volunteer=volunteer, application__need__title="Mwanza rotation")
    clashing = offered(volunteer)
    client.force_login(volunteer.user)

    response = client.post(reverse("placements:offer-accept", args=[clashing.pk]), follow=True)

    clashing.refresh_from_db()
    assert clashing.status == Application.Status.OFFERED
    assert Placement.objects.count() == 1
    assert "you are already on site for “Mwanza rotation”" in response.content.decode()


def test_a_remote_offer_may_overlap_an_on_site_placement(client, volunteer):
    PlacementFactory(application__volunteer=volunteer)
    remote = ApplicationFactory(
        volunteer=volunteer,
        need=RemoteNeedFactory(),
        status=Application.Status.OFFERED,
    )
    client.force_login(volunteer.user)

    client.post(reverse("placements:offer-accept", args=[remote.pk]))

    remote.refresh_from_db()
    assert remote.status == Application.Status.ACCEPTED


def test_taking_the_last_place_fills_the_need(volunteer, other_volunteer):
    need = NeedFactory(places=2)
    PlacementFactory(application__need=need, application__volunteer=other_volunteer)
    application = ApplicationFactory(need=need, volunteer=volunteer, status=Application.Status.OFFERED)

    services.offer_accept(application=application, by=volunteer.user)

    need.refresh_from_db()
    assert need.status == Need.Status.FILLED
    assert need.filled_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_transactional_db")
def test_two_simultaneous_accepts_of_overlapping_offers_cannot_both_win():
    volunteer = VolunteerProfileFactory()
    offers = [offered(volunteer), offered(volunteer)]
    start = threading.Barrier(len(offers))
    outcomes: list[str] = []

    def accept(application):
        try:
            start.wait(timeout=10)
            services.offer_accept(application=application, by=volunteer.user)
            outcomes.append("accepted")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=accept, args=(application,)) for application in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["accepted", "overlap"]
    assert Placement.objects.filter(volunteer=volunteer).count() == 1


# The dashboard


def h2_headings(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", heading).strip() for heading in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]


def test_dashboard_leads_with_what_waits_for_the_volunteer_then_what_is_under_way(client, volunteer):
    ApplicationFactory(volunteer=volunteer, need__title="Still interested")
    offered(volunteer, title="An offer for you")
    PlacementFactory(application__volunteer=volunteer, application__need__title="Going soon")
    ApplicationFactory(volunteer=volunteer, need__title="Gave up on", status=Application.Status.WITHDRAWN)
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    assert h2_headings(page) == [
        "Waiting for you",
        "Upcoming placements",
        "Your applications",
        "Suggested for you",
        "Closed applications",
        "Your profile and data",
    ]
    waiting, rest = page.split("Upcoming placements", 1)
    upcoming, rest = rest.split("Your applications", 1)
    applications, closed = rest.split("Closed applications", 1)
    assert "An offer for you" in waiting and "Accept the offer" in waiting
    assert "Going soon" in upcoming
    assert "Still interested" in applications and "Interested" in applications
    assert "Gave up on" in closed


def test_a_volunteer_whose_only_application_is_an_offer_is_not_told_they_have_none(client, volunteer):
    offered(volunteer, title="An offer for you")
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    assert h2_headings(page)[0] == "Waiting for you"
    assert "An offer to answer" in page
    for empty in ("no applications", "not applied", "Nothing is in progress", "No offers at the moment"):
        assert empty not in page
    assert "Browse opportunities" not in page


def test_a_new_volunteer_sees_suggestions_first_with_no_empty_sections_above(client):
    volunteer = VolunteerProfileFactory(offers_onsite=True, years_experience=10)
    AvailabilityWindowFactory(profile=volunteer, start_date=days(30), end_date=days(200))
    NeedFactory(title="Right for you")
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    assert h2_headings(page) == ["Suggested for you", "Your profile and data"]
    assert "You have not applied to any need yet." in page
    assert "Right for you" in page.split("Suggested for you", 1)[1]
    for empty in ("No offers at the moment", "No upcoming placements yet", "You have no applications in progress"):
        assert empty not in page


def test_a_volunteer_with_nothing_in_progress_and_nothing_suggested_is_offered_to_browse(client, volunteer):
    ApplicationFactory(volunteer=volunteer, need__title="Gave up on", status=Application.Status.WITHDRAWN)
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    assert "Nothing is in progress at the moment." in page
    assert "Browse opportunities" in page


# Declining an offer is confirmed first


def test_the_dashboard_folds_declining_into_a_confirmation_step(client, volunteer):
    application = offered(volunteer, title="PPH embolisation rotation")
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    details = re.search(r'<details class="offer-decline">(.*?)</details>', page, re.S)
    assert details, "Decline is not behind a confirmation step"
    assert "Decline…" in details.group(1).split("</summary>")[0]
    decline_url = reverse("placements:offer-decline", args=[application.pk])
    assert f'action="{decline_url}"' in details.group(1)
    assert "Decline the offer for “PPH embolisation rotation”?" in details.group(1)
    assert 'type="radio" name="reason"' in details.group(1)
    assert page.count(f'action="{decline_url}"') == 1  # no decline button outside the step


def test_the_decline_page_confirms_without_changing_anything(client, volunteer):
    application = offered(volunteer, title="PPH embolisation rotation")
    client.force_login(volunteer.user)

    response = client.get(reverse("placements:offer-decline", args=[application.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Decline the offer for “PPH embolisation rotation”?" in page
    assert "Keep the offer" in page
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED


def test_declining_with_a_reason_tells_the_coordinators(
    client, volunteer, coordinator, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    application = offered(volunteer, programme__lead_organisation=organisation)
    client.force_login(volunteer.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placements:offer-decline", args=[application.pk]), {"reason": "dates"})

    assert response["Location"] == reverse("placements:dashboard")
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert application.decline_reason == "Declined by the volunteer: “The dates no longer suit me”."
    [mail] = mailoutbox
    assert "Their reason: “The dates no longer suit me”" in mail.body


def test_an_unknown_reason_is_refused_and_the_offer_stays(client, volunteer):
    application = offered(volunteer)
    client.force_login(volunteer.user)

    response = client.post(reverse("placements:offer-decline", args=[application.pk]), {"reason": "<script>"})

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED


def test_dashboard_suggests_needs_that_fit_and_not_those_that_do_not(client):
    volunteer = VolunteerProfileFactory(offers_onsite=True, years_experience=10)
    AvailabilityWindowFactory(profile=volunteer, start_date=days(30), end_date=days(200))
    NeedFactory(title="Right for you")
    NeedFactory(title="For a physicist", profession="physicist")
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    suggested = page.split("Suggested for you", 1)[1]
    assert "Right for you" in suggested
    assert "For a physicist" not in suggested


def test_dashboard_queries_do_not_grow_with_the_number_of_applications(
    client, volunteer, django_assert_max_num_queries
):
    client.force_login(volunteer.user)
    ApplicationFactory(volunteer=volunteer)
    # One of each kind from the start: an upcoming placement adds the constant queries of its group thread link
    # and reads the checklists, in one query for them all; the waiting lists and the certificates' years are
    # one query each.
    PlacementFactory(application__volunteer=volunteer, start_date=days(190), end_date=days(196))
    with django_assert_max_num_queries(22) as few:
        client.get(reverse("placements:dashboard"))
    for week in range(8):
        ApplicationFactory(volunteer=volunteer)
        offered(volunteer)
        # A week each: one volunteer's on-site placements never share a day (the database refuses it).
        PlacementFactory(
            application__volunteer=volunteer, start_date=days(200 + 7 * week), end_date=days(206 + 7 * week)
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("placements:dashboard"))

    assert response.status_code == 200


def test_a_user_without_a_volunteer_profile_is_sent_to_the_wizard(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("placements:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:onboarding")


# Who may do what


@pytest.mark.parametrize("url_name", ["application-withdraw", "offer-accept", "offer-decline"])
@pytest.mark.parametrize("who", ["anonymous", "other_volunteer", "other_coordinator"])
def test_nobody_else_can_act_on_a_volunteers_application(client, request, volunteer, url_name, who):
    application = offered(volunteer)
    if who != "anonymous":
        user = request.getfixturevalue(who)
        client.force_login(getattr(user, "user", user))

    response = client.post(reverse(f"placements:{url_name}", args=[application.pk]))

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED


def test_the_dashboard_needs_a_login(client):
    response = client.get(reverse("placements:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_get_on_an_action_url_changes_nothing(client, volunteer):
    application = offered(volunteer)
    client.force_login(volunteer.user)

    response = client.get(reverse("placements:offer-accept", args=[application.pk]))

    assert response.status_code == 405
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED
