"""Applications and placements: validation, database guards, display."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from placements.models import Application
from tests.factories import (
    ApplicationFactory,
    NeedFactory,
    PlacementFactory,
    UserFactory,
    VolunteerProfileFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
Status = Application.Status


def assert_invalid(instance, field, message):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    messages = excinfo.value.message_dict[field]
    assert any(message in text for text in messages), messages


def assert_refused_by_database(constraint_name, factory, **values):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        factory(**values)
    assert constraint_name in str(excinfo.value)


# Applications


def test_proposed_start_before_the_window_is_refused():
    need = NeedFactory()
    application = ApplicationFactory.build(need=need, proposed_start=need.window_start - DAY)

    assert_invalid(application, "proposed_start", f"from {need.window_start} until {need.window_end}")


def test_proposed_end_after_the_window_is_refused():
    need = NeedFactory()
    application = ApplicationFactory.build(need=need, proposed_end=need.window_end + DAY)

    assert_invalid(application, "proposed_end", f"from {need.window_start} until {need.window_end}")


def test_a_lone_proposed_date_outside_the_window_is_refused():
    need = NeedFactory()
    late_start = ApplicationFactory.build(need=need, proposed_start=need.window_end + DAY, proposed_end=None)
    early_end = ApplicationFactory.build(need=need, proposed_start=None, proposed_end=need.window_start - DAY)

    assert_invalid(late_start, "proposed_start", "Propose dates inside the need's window")
    assert_invalid(early_end, "proposed_end", "Propose dates inside the need's window")


def test_proposed_dates_filling_the_whole_window_are_accepted():
    need = NeedFactory()

    ApplicationFactory.build(
        need=need, volunteer=VolunteerProfileFactory(), proposed_start=need.window_start, proposed_end=need.window_end
    ).full_clean()


def test_proposed_end_cannot_be_before_the_proposed_start():
    need = NeedFactory()
    application = ApplicationFactory.build(
        need=need, proposed_start=need.window_start + 10 * DAY, proposed_end=need.window_start + 9 * DAY
    )

    assert_invalid(application, "proposed_end", "The proposed end cannot be before the proposed start.")


def test_database_refuses_a_proposed_end_before_the_start():
    need = NeedFactory()
    assert_refused_by_database(
        "application_proposed_end_after_start",
        ApplicationFactory,
        need=need,
        proposed_start=need.window_start + 10 * DAY,
        proposed_end=need.window_start + 9 * DAY,
    )


def test_a_second_active_application_to_the_same_need_is_refused(volunteer):
    first = ApplicationFactory(volunteer=volunteer)
    second = ApplicationFactory.build(volunteer=volunteer, need=first.need)

    with pytest.raises(ValidationError) as excinfo:
        second.full_clean()
    assert excinfo.value.message_dict[NON_FIELD_ERRORS] == ["You already have an active application for this need."]
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


@pytest.mark.parametrize("status", [Status.SHORTLISTED, Status.OFFERED, Status.ACCEPTED])
def test_any_active_application_blocks_another(volunteer, status):
    first = ApplicationFactory(volunteer=volunteer, status=status)

    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(volunteer=volunteer, need=first.need)


@pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.DECLINED, Status.COMPLETED])
def test_a_new_application_is_allowed_once_the_first_is_no_longer_active(volunteer, status):
    first = ApplicationFactory(volunteer=volunteer)
    first.status = status
    first.save()

    again = ApplicationFactory.build(volunteer=volunteer, need=first.need)
    again.full_clean()
    again.save()

    assert list(Application.objects.for_volunteer(volunteer).active()) == [again]


def test_other_volunteers_may_apply_to_the_same_need(volunteer, other_volunteer):
    first = ApplicationFactory(volunteer=volunteer)

    ApplicationFactory.build(volunteer=other_volunteer, need=first.need).full_clean()


def test_application_is_shown_with_volunteer_need_and_status():
    application = ApplicationFactory(
        volunteer__user=UserFactory(first_name="Amina", last_name="Okafor"),
        need__title="IR faculty for embolisation training",
        status=Status.SHORTLISTED,
    )

    assert str(application) == "Amina Okafor → IR faculty for embolisation training (Shortlisted)"


def test_application_of_an_erased_volunteer_is_still_shown():
    application = ApplicationFactory(need__title="IR faculty for embolisation training")
    application.volunteer.user.delete()
    application.refresh_from_db()

    assert application.volunteer is None
    assert str(application) == "former volunteer → IR faculty for embolisation training (Interested)"


@pytest.mark.parametrize(
    ("current", "allowed"),
    [
        (Status.INTERESTED, {Status.SHORTLISTED, Status.OFFERED, Status.DECLINED, Status.WITHDRAWN}),
        (Status.SHORTLISTED, {Status.OFFERED, Status.DECLINED, Status.WITHDRAWN}),
        (Status.OFFERED, {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN}),
        (Status.ACCEPTED, {Status.COMPLETED, Status.WITHDRAWN}),
        (Status.DECLINED, set()),
        (Status.WITHDRAWN, set()),
        (Status.COMPLETED, set()),
    ],
)
def test_application_can_only_move_along_the_pipeline(current, allowed):
    application = ApplicationFactory.build(status=current)

    assert {status for status in Status if application.can_become(status)} == allowed
    assert application.is_active == (current in Application.ACTIVE_STATUSES)


# Placements


def test_placement_cannot_end_before_it_starts():
    placement = PlacementFactory()
    placement.end_date = placement.start_date - DAY

    assert_invalid(placement, "end_date", "A placement cannot end before it starts.")


def test_placement_is_shown_with_its_dates():
    placement = PlacementFactory(
        application__need__title="IR faculty",
        start_date=datetime.date(2026, 5, 4),
        end_date=datetime.date(2026, 5, 24),
    )

    assert str(placement) == "IR faculty: 2026-05-04 → 2026-05-24"
    assert placement.days == 21
    assert placement.is_onsite
    assert placement.overlaps(datetime.date(2026, 5, 24), datetime.date(2026, 6, 1))
    assert not placement.overlaps(datetime.date(2026, 5, 25), datetime.date(2026, 6, 1))


def test_what_volunteers_do_themselves_is_a_move_their_applications_status_allows():
    for status, moves in Application.VOLUNTEER_TRANSITIONS.items():
        assert moves <= Application.TRANSITIONS[status], status


def test_a_volunteer_may_withdraw_only_before_accepting_while_the_organisation_may_after():
    accepted = ApplicationFactory(status=Status.ACCEPTED)
    offered = ApplicationFactory(status=Status.OFFERED)

    assert not accepted.can_become(Status.WITHDRAWN, by_volunteer=True)
    assert accepted.can_become(Status.WITHDRAWN)
    assert offered.can_become(Status.WITHDRAWN, by_volunteer=True)
    assert not offered.can_become(Status.SHORTLISTED, by_volunteer=True)
