"""The weekly digest: new listed needs that fit a volunteer who asked for it, once a week."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from matcher import digest, fit, tasks
from notifications.models import Notification, NotificationPreference
from placements.models import Application
from programmes.models import Need
from tests.factories import (
    ApplicationFactory,
    AvailabilityWindowFactory,
    NeedFactory,
    VolunteerProfileFactory,
    today,
)
from volunteers.models import Profession

pytestmark = pytest.mark.django_db


def posted_days_ago(need: Need, days: int) -> Need:
    Need.objects.filter(pk=need.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    return need


def wants_digest(profile) -> None:
    NotificationPreference.objects.create(user=profile.user, weekly_digest=True)
    AvailabilityWindowFactory(profile=profile)


@pytest.fixture
def reader(volunteer):
    """An onboarded interventional radiologist, available, who asked for the digest."""
    wants_digest(volunteer)
    return volunteer


def send(django_capture_on_commit_callbacks, **kwargs) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return digest.digests_weekly_send(**kwargs)


def test_the_digest_lists_new_needs_that_fit_and_nothing_else(
    reader, other_volunteer, mailoutbox, django_capture_on_commit_callbacks
):
    AvailabilityWindowFactory(profile=other_volunteer)  # fits too, but never asked for the digest
    NeedFactory(title="New and fitting")
    posted_days_ago(NeedFactory(title="Fitting but posted ten days ago"), 10)
    NeedFactory(title="New, for radiographers", profession=Profession.RADIOGRAPHER)
    NeedFactory(title="New but closed", status=Need.Status.CLOSED)
    ApplicationFactory(need=NeedFactory(title="New, already applied to"), volunteer=reader)

    assert send(django_capture_on_commit_callbacks) == 1

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [reader.user.email]
    assert message.subject == "[GlobalIR] 1 new opportunity that fits your profile"
    assert "New and fitting" in message.body
    for absent in ("ten days ago", "radiographers", "closed", "already applied"):
        assert absent not in message.body
    iso_year, iso_week, _day = today().isocalendar()
    notification = Notification.objects.get()
    assert notification.event_key == f"weekly-digest:{reader.user.pk}:{iso_year}-W{iso_week}"
    assert notification.status == Notification.Status.SENT


def test_the_digest_is_sent_once_a_week(reader, mailoutbox, django_capture_on_commit_callbacks):
    NeedFactory(title="New and fitting")

    assert send(django_capture_on_commit_callbacks) == 1
    assert send(django_capture_on_commit_callbacks) == 0  # a retried or second run in the same week
    assert len(mailoutbox) == 1

    # A week later the need is still among the last seven days' (posted at the start of the window).
    assert send(django_capture_on_commit_callbacks, today=today() + datetime.timedelta(days=7)) == 1
    assert len(mailoutbox) == 2


def test_no_digest_when_nothing_new_fits(reader, mailoutbox, django_capture_on_commit_callbacks):
    NeedFactory(profession=Profession.SONOGRAPHER)
    posted_days_ago(NeedFactory(), 8)

    assert send(django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_volunteers_who_have_not_finished_onboarding_get_no_digest(mailoutbox, django_capture_on_commit_callbacks):
    unfinished = VolunteerProfileFactory(onboarding_completed_at=None, onboarding_step=3)
    wants_digest(unfinished)
    NeedFactory()

    assert send(django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_the_digest_holds_the_ten_best_fits_best_first(reader, mailoutbox, django_capture_on_commit_callbacks):
    for number in range(12):
        # Shorter windows leave the volunteer's availability covering more of them: varied scores.
        NeedFactory(
            title=f"Need number {number:02d}",
            window_end=today() + datetime.timedelta(days=60 + 10 * number),
            min_years_experience=number % 4,
        )
    scores = fit.need_fit_scores(volunteer=fit.volunteer_data(reader), needs=Need.objects.all())

    send(django_capture_on_commit_callbacks)

    titles = [need["title"] for need in Notification.objects.get().context["needs"]]
    assert len(titles) == 10
    listed_scores = [scores[Need.objects.get(title=title).pk] for title in titles]
    assert listed_scores == sorted(listed_scores, reverse=True)
    assert min(listed_scores) >= max(scores[pk] for pk in scores if Need.objects.get(pk=pk).title not in titles)


def test_a_volunteer_who_withdrew_from_a_need_does_not_see_it_again(
    reader, mailoutbox, django_capture_on_commit_callbacks
):
    ApplicationFactory(need=NeedFactory(title="Withdrawn from"), volunteer=reader, status=Application.Status.WITHDRAWN)

    assert send(django_capture_on_commit_callbacks) == 0


def test_the_digest_task_runs_the_service(reader, mailoutbox, django_capture_on_commit_callbacks):
    NeedFactory()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_weekly_digests.delay().get() == 1
    assert len(mailoutbox) == 1


def test_the_digest_goes_out_on_monday_mornings():
    schedule = settings.CELERY_BEAT_SCHEDULE["weekly-digest"]

    assert schedule["task"] == "matcher.send_weekly_digests"
    assert schedule["schedule"].day_of_week == {1}
    assert schedule["schedule"].hour == {7}
