import datetime

from django.utils import timezone

from programmes.models import Need
from programmes.tasks import close_expired_needs
from tests.factories import NeedFactory

DAY = datetime.timedelta(days=1)


def test_needs_past_their_deadline_or_window_are_closed_and_others_stay_open(db):
    today = timezone.localdate()
    current = NeedFactory()
    deadline_passed = NeedFactory(application_deadline=today - DAY)
    window_ended = NeedFactory()
    # Time passes: the window of a need posted earlier has ended.
    Need.objects.filter(pk=window_ended.pk).update(
        window_start=today - 30 * DAY, window_end=today - DAY, application_deadline=None
    )

    closed = close_expired_needs.apply().get()

    assert closed == 2
    statuses = dict(Need.objects.values_list("pk", "status"))
    assert statuses[current.pk] == Need.Status.OPEN
    assert statuses[deadline_passed.pk] == Need.Status.CLOSED
    assert statuses[window_ended.pk] == Need.Status.CLOSED


def test_closing_expired_needs_twice_changes_nothing_the_second_time(db):
    NeedFactory(application_deadline=timezone.localdate() - DAY)

    assert close_expired_needs.apply().get() == 1
    assert close_expired_needs.apply().get() == 0


def test_filled_needs_are_left_alone(db):
    need = NeedFactory(status=Need.Status.FILLED, application_deadline=timezone.localdate() - DAY)

    close_expired_needs.apply()

    need.refresh_from_db()
    assert need.status == Need.Status.FILLED
