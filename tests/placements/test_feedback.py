"""Feedback once a placement is over, the requests for it, and the volunteer's record of placements."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from notifications.models import Notification, NotificationPreference
from organisations.models import Membership
from placements import feedback, pipeline, tasks
from placements.models import Application, Feedback
from programmes.models import Mode
from tests.factories import (
    FeedbackFactory,
    MembershipFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    VolunteerProfileFactory,
    today,
)

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def placement_between(start: int, end: int, *, need=None, volunteer=None, **kwargs):
    """A placement from today+start to today+end (in days), on `need` (on-site by default)."""
    need = need or NeedFactory()
    need.window_start = min(need.window_start, days(start))
    need.save(update_fields=["window_start"])
    return PlacementFactory(
        application__need=need,
        application__volunteer=volunteer or VolunteerProfileFactory(),
        application__proposed_start=days(start),
        application__proposed_end=days(end),
        **kwargs,
    )


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(lead_organisation=organisation, title="Embolisation training in Tanzania")


@pytest.fixture
def ended(programme, volunteer):
    """The volunteer's on-site placement of 14 days that ended yesterday."""
    need = NeedFactory(programme=programme, title="PPH embolisation, Moshi", mode=Mode.ONSITE)
    return placement_between(-14, -1, need=need, volunteer=volunteer)


def volunteer_url(placement) -> str:
    return reverse("placements:volunteer-feedback", args=[placement.pk])


def organisation_url(placement) -> str:
    return reverse("placements:organisation-feedback", args=[placement.pk])


RECORD = reverse("placements:placement-record")


# Giving feedback


def test_volunteer_gives_feedback_once_the_placement_has_ended(client, volunteer, ended):
    client.force_login(volunteer.user)
    assert "How did your placement go?" in client.get(volunteer_url(ended)).content.decode()

    response = client.post(volunteer_url(ended), {"rating": "4", "comments": "Well run, great fellows."})

    assert response.status_code == 302
    assert response["Location"] == RECORD
    feedback = Feedback.objects.get(placement=ended)
    assert (feedback.side, feedback.rating, feedback.comments) == ("volunteer", 4, "Well run, great fellows.")
    assert feedback.author == volunteer.user


def test_a_second_feedback_from_the_same_side_is_refused_with_a_clear_message(client, volunteer, ended):
    FeedbackFactory(placement=ended, rating=3)
    client.force_login(volunteer.user)

    page = client.get(volunteer_url(ended)).content.decode()
    response = client.post(volunteer_url(ended), {"rating": "5", "comments": "Changed my mind."})

    assert "Feedback already given" in page
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Feedback from this side has already been given for this placement."
    ]
    assert Feedback.objects.get(placement=ended).rating == 3
    with pytest.raises(ValidationError, match="can be given only once"):
        feedback.feedback_give(placement=ended, side="volunteer", author=volunteer.user, rating=5, comments="")


def test_feedback_is_not_open_before_the_placement_ends(client, volunteer, programme):
    upcoming = placement_between(5, 30, need=NeedFactory(programme=programme), volunteer=volunteer)
    client.force_login(volunteer.user)

    page = client.get(volunteer_url(upcoming)).content.decode()
    response = client.post(volunteer_url(upcoming), {"rating": "5"})

    assert "Feedback opens once the placement is over" in page
    assert 'name="rating"' not in page
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Feedback opens once the placement is over."]
    assert not Feedback.objects.exists()
    with pytest.raises(ValidationError, match="opens once the placement is over"):
        feedback.feedback_give(placement=upcoming, side="volunteer", author=volunteer.user, rating=5, comments="")


def test_a_completed_placement_takes_feedback_before_its_end_date(volunteer, coordinator, programme):
    placement = placement_between(-5, 20, need=NeedFactory(programme=programme), volunteer=volunteer)
    pipeline.application_complete(application=placement.application, by=coordinator)

    feedback.feedback_give(placement=placement, side="volunteer", author=volunteer.user, rating=5, comments="")

    assert Feedback.objects.filter(placement=placement).count() == 1


def test_a_rating_outside_1_to_5_is_a_form_error(client, volunteer, ended):
    client.force_login(volunteer.user)

    response = client.post(volunteer_url(ended), {"rating": "7", "comments": "Great"})
    missing = client.post(volunteer_url(ended), {"comments": "Great"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert missing.status_code == 400
    assert "Choose a rating from 1 to 5." in missing.content.decode()
    assert not Feedback.objects.exists()
    with pytest.raises(ValidationError):
        feedback.feedback_give(placement=ended, side="volunteer", author=volunteer.user, rating=6, comments="")


def test_a_volunteer_cannot_give_feedback_on_someone_elses_placement(client, other_volunteer, ended):
    client.force_login(other_volunteer.user)

    assert client.get(volunteer_url(ended)).status_code == 404
    assert client.post(volunteer_url(ended), {"rating": "1"}).status_code == 404
    assert not Feedback.objects.exists()
    with pytest.raises(PermissionDenied):
        feedback.feedback_give(placement=ended, side="volunteer", author=other_volunteer.user, rating=1, comments="")


def test_a_withdrawn_placement_takes_no_feedback(volunteer, ended):
    Application.objects.filter(pk=ended.application_id).update(status=Application.Status.WITHDRAWN)
    ended.refresh_from_db()

    with pytest.raises(ValidationError):
        feedback.feedback_give(placement=ended, side="volunteer", author=volunteer.user, rating=4, comments="")


def test_coordinator_gives_the_organisations_feedback(client, coordinator, ended):
    client.force_login(coordinator)

    response = client.post(organisation_url(ended), {"rating": "5", "comments": "Thank you for training our team."})

    assert response["Location"] == reverse("placements:programme-feedback", args=[ended.need.programme_id])
    feedback = Feedback.objects.get(placement=ended)
    assert (feedback.side, feedback.author) == ("organisation", coordinator)
    response = client.post(organisation_url(ended), {"rating": "1"})
    assert Feedback.objects.filter(placement=ended).count() == 1


ROLES = ("anonymous", "volunteer", "other_volunteer", "other_coordinator", "coordinator", "organisation_admin")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("volunteer", 404),
        ("other_coordinator", 404),
        ("coordinator", 200),
        ("organisation_admin", 200),
        ("site_admin", 200),
    ],
)
@pytest.mark.parametrize("page", ["organisation-feedback", "programme-feedback"])
def test_coordinator_feedback_pages_per_role(client, request, ended, role, expected, page):
    if role != "anonymous":
        user = request.getfixturevalue(role)
        client.force_login(user.user if role == "volunteer" else user)
    url = (
        organisation_url(ended)
        if page == "organisation-feedback"
        else reverse("placements:programme-feedback", args=[ended.need.programme_id])
    )

    response = client.get(url)

    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("volunteer", 200), ("other_volunteer", 404), ("coordinator", 404), ("site_admin", 404)],
)
def test_volunteer_feedback_page_per_role(client, request, ended, role, expected):
    if role != "anonymous":
        user = request.getfixturevalue(role)
        client.force_login(user.user if role in ("volunteer", "other_volunteer") else user)

    assert client.get(volunteer_url(ended)).status_code == expected


# The programme's feedback page


def test_coordinators_see_the_feedback_of_their_programme_with_averages(client, coordinator, programme, ended):
    FeedbackFactory(placement=ended, rating=4, comments="Great team in Moshi.")
    FeedbackFactory(placement=ended, side=Feedback.Side.ORGANISATION, author=coordinator, rating=5, comments="Thanks!")
    another = placement_between(-40, -20, need=NeedFactory(programme=programme, title="Drainage, Arusha"))
    FeedbackFactory(placement=another, rating=5, comments="Learnt a lot.")
    FeedbackFactory(placement=placement_between(-9, -2), rating=1, comments="Another programme entirely.")
    client.force_login(coordinator)

    page = client.get(reverse("placements:programme-feedback", args=[programme.pk])).content.decode()

    assert "4.5 / 5 (2 ratings)" in page
    assert "5 / 5 (1 rating)" in page
    for text in ("Great team in Moshi.", "Thanks!", "Learnt a lot.", "PPH embolisation, Moshi", "Drainage, Arusha"):
        assert text in page
    assert "Another programme entirely." not in page
    waiting = page.split("Placements waiting for your feedback", 1)[1].split("Feedback given", 1)[0]
    assert organisation_url(another) in waiting
    assert organisation_url(ended) not in waiting


def test_programme_feedback_queries_do_not_grow_with_feedback(
    client, coordinator, programme, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            placement = placement_between(-20, -2, need=NeedFactory(programme=programme))
            FeedbackFactory(placement=placement)

    client.force_login(coordinator)
    url = reverse("placements:programme-feedback", args=[programme.pk])
    add(2)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    add(25)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert response.content.decode().count("A well-organised placement") == feedback.FEEDBACK_PAGE_SIZE
    assert 'href="?page=2"' in response.content.decode()


# The volunteer's record


def test_record_lists_past_placements_with_days_hours_totals_and_thanks(client, volunteer, programme, ended):
    remote_need = RemoteNeedFactory(programme=programme, title="Tele-radiology reporting, Zomba", hours_per_week=7)
    remote = placement_between(-28, -1, need=remote_need, volunteer=volunteer, hours_per_week=7)
    FeedbackFactory(
        placement=ended,
        side=Feedback.Side.ORGANISATION,
        author=MembershipFactory(organisation=programme.lead_organisation).user,
        comments="Asante sana: our fellows now embolise on their own.",
    )
    FeedbackFactory(placement=remote, rating=5)
    placement_between(10, 30, need=NeedFactory(programme=programme, title="Still to come"), volunteer=volunteer)
    client.force_login(volunteer.user)

    page = client.get(RECORD).content.decode()

    assert "PPH embolisation, Moshi" in page
    assert "Tele-radiology reporting, Zomba" in page
    assert "Still to come" not in page
    assert "Asante sana: our fellows now embolise on their own." in page
    totals = page.split("In total", 1)[1].split("</section>", 1)[0]
    assert "<dt>Placements</dt><dd>2</dd>" in totals
    assert "<dt>Days on site</dt><dd>14</dd>" in totals
    assert "<dt>Hours of remote work</dt><dd>28</dd>" in totals  # 7 hours a week for 4 weeks
    assert volunteer_url(ended) in page  # still due
    assert volunteer_url(remote) not in page  # given
    assert "Your feedback: 5 / 5" in page


def test_record_is_empty_for_a_new_volunteer(client, volunteer):
    client.force_login(volunteer.user)

    page = client.get(RECORD).content.decode()

    assert "No completed placements yet." in page


def test_record_asks_to_sign_in_and_to_finish_the_profile(client, coordinator):
    assert client.get(RECORD)["Location"].startswith(reverse("account_login"))
    client.force_login(coordinator)
    assert client.get(RECORD)["Location"] == reverse("volunteers:onboarding")


def test_dashboard_links_past_placements_to_feedback_and_to_the_record(client, volunteer, ended, programme):
    given = placement_between(-40, -30, need=NeedFactory(programme=programme), volunteer=volunteer)
    FeedbackFactory(placement=given)
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    waiting = page.split("Waiting for you", 1)[1].split("</section>", 1)[0]
    assert "Feedback to give" in waiting
    assert volunteer_url(ended) in waiting
    assert volunteer_url(given) not in page
    assert RECORD in page


# Asking for feedback


def test_both_sides_of_a_placement_that_ended_yesterday_are_asked_once(
    coordinator,
    organisation_admin,
    other_coordinator,
    volunteer,
    ended,
    mailoutbox,
    django_capture_on_commit_callbacks,
    settings,
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = feedback.placements_feedback_request_send()

    assert sent == 3
    by_recipient = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_recipient) == {"volunteer@example.org", "coordinator@example.org", "org.admin@example.org"}
    to_volunteer = by_recipient["volunteer@example.org"]
    assert to_volunteer.subject == "[GlobalIR] How did “PPH embolisation, Moshi” go?"
    assert f"{settings.SITE_URL}{volunteer_url(ended)}" in to_volunteer.body
    assert volunteer_url(ended) in to_volunteer.alternatives[0][0]
    assert organisation_url(ended) in by_recipient["coordinator@example.org"].body

    with django_capture_on_commit_callbacks(execute=True):
        again = feedback.placements_feedback_request_send()
    assert again == 0
    assert len(mailoutbox) == 3


def test_sides_that_gave_feedback_and_old_or_future_placements_are_not_asked(
    coordinator, volunteer, ended, programme, mailoutbox, django_capture_on_commit_callbacks
):
    FeedbackFactory(placement=ended)
    placement_between(-200, -100, need=NeedFactory(programme=programme))  # long ago
    placement_between(-3, 10, need=NeedFactory(programme=programme))  # still going

    with django_capture_on_commit_callbacks(execute=True):
        sent = feedback.placements_feedback_request_send()

    assert sent == 1
    assert [mail.to for mail in mailoutbox] == [["coordinator@example.org"]]


def test_a_run_that_was_missed_is_caught_up_the_next_day(volunteer, ended, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback.placements_feedback_request_send(today=days(3)) == 1

    assert Notification.objects.get().event_key == f"feedback-request:{ended.pk}:volunteer"


def test_a_volunteer_who_opted_out_of_feedback_requests_gets_none(
    volunteer, ended, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=volunteer.user, feedback_requests=False)

    with django_capture_on_commit_callbacks(execute=True):
        feedback.placements_feedback_request_send()

    assert mailoutbox == []
    assert Notification.objects.get().status == Notification.Status.SKIPPED


def test_the_daily_task_asks_for_feedback(coordinator, ended, mailoutbox, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.placements_feedback_request.delay()

    assert result.get() == 2
    assert len(mailoutbox) == 2
    assert "placements-feedback-request" in settings.CELERY_BEAT_SCHEDULE
    schedule = settings.CELERY_BEAT_SCHEDULE["placements-feedback-request"]
    assert schedule["task"] == "placements.request_feedback"


def test_a_coordinator_who_is_removed_is_not_asked(volunteer, ended, organisation, mailoutbox):
    member = MembershipFactory(organisation=organisation, role=Membership.Role.COORDINATOR)
    member.user.is_active = False
    member.user.save()

    feedback.placements_feedback_request_send()

    assert not Notification.objects.filter(recipient=member.user).exists()
