"""No double bookings: a volunteer is never on site in two places on the same day.

Two guards: services.offer_accept locks the volunteer's row before it checks for overlaps (SQLite:
IMMEDIATE transactions serialise it), and on PostgreSQL the exclusion constraint of Placement.Meta
refuses an overlapping row whichever path writes it. The races run 16 threads, each with its own
database connection, released together by a barrier. The unguarded control runs the same race
through a naive check-then-insert with no lock, in autocommit: without the constraint it double
books (so the race is real and the tests above it could fail), with the constraint it cannot.
"""

import datetime
import threading
from collections.abc import Callable
from itertools import combinations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from placements import services
from placements.models import PLACEMENT_NO_OVERLAP, Application, Placement
from placements.selectors import onsite_placements_overlapping, placement_dates_for
from programmes.models import Mode
from tests.factories import (
    ApplicationFactory,
    NeedFactory,
    PlacementFactory,
    RemoteNeedFactory,
    VolunteerProfileFactory,
)

THREADS = 16

on_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="exclusion constraints exist on PostgreSQL only; on SQLite the services' locks are the guard",
)
race_db = pytest.mark.django_db(transaction=True)


def overlapping_offers(volunteer, count: int = THREADS) -> list[Application]:
    """`count` offers of on-site needs to one volunteer, all for the same 21 days."""
    return [
        ApplicationFactory(volunteer=volunteer, need=NeedFactory(), status=Application.Status.OFFERED)
        for _ in range(count)
    ]


def overlapping_pairs(volunteer) -> int:
    """Pairs of the volunteer's on-site placements that share at least one day."""
    dates = list(
        Placement.objects.filter(volunteer=volunteer, mode__in=[Mode.ONSITE, Mode.HYBRID]).values_list(
            "start_date", "end_date"
        )
    )
    return sum(
        1 for (a_start, a_end), (b_start, b_end) in combinations(dates, 2) if a_start <= b_end and b_start <= a_end
    )


def race(work: Callable, applications: list[Application]) -> list:
    """Runs work(application, barrier) in one thread per application, each on its own connection;
    returns what each returned, or the exception it raised."""
    barrier = threading.Barrier(len(applications))
    outcomes: list = [None] * len(applications)

    def run(index: int, application: Application) -> None:
        try:
            outcomes[index] = work(application, barrier)
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes[index] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=item) for item in enumerate(applications)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def accept_through_the_service(application: Application, barrier: threading.Barrier) -> str:
    barrier.wait(timeout=10)
    try:
        services.offer_accept(application=application, by=application.volunteer.user)
    except ValidationError as error:
        return error.code
    return "accepted"


def naive_accept(application: Application, barrier: threading.Barrier) -> str:
    """Check then insert, without a lock and in autocommit (each statement committed on its own). The
    barrier between check and insert is the interleaving a busy server produces by chance: every
    request has checked before any has written."""
    start, end = placement_dates_for(application)
    clash = onsite_placements_overlapping(volunteer=application.volunteer, start=start, end=end).exists()
    barrier.wait(timeout=10)
    if clash:
        return "overlap"
    Placement.objects.create(
        application=application,
        need=application.need,
        volunteer=application.volunteer,
        mode=application.need.mode,
        start_date=start,
        end_date=end,
    )
    Application.objects.filter(pk=application.pk).update(status=Application.Status.ACCEPTED, accepted_at=timezone.now())
    return "accepted"


@race_db
@pytest.mark.usefixtures("seeded_transactional_db")
def test_sixteen_simultaneous_accepts_of_overlapping_offers_place_the_volunteer_once():
    volunteer = VolunteerProfileFactory()
    offers = overlapping_offers(volunteer)

    outcomes = race(accept_through_the_service, offers)

    assert sorted(outcomes) == ["accepted"] + ["overlap"] * (THREADS - 1)
    assert Placement.objects.filter(volunteer=volunteer).count() == 1
    assert Application.objects.filter(volunteer=volunteer, status=Application.Status.ACCEPTED).count() == 1
    assert overlapping_pairs(volunteer) == 0


@race_db
@pytest.mark.usefixtures("seeded_transactional_db")
def test_control_an_unguarded_check_then_insert_double_books_without_the_constraint():
    """The same race through a path with no lock, on a table without the constraint, double books:
    the race is real, and only the guards stop it."""
    volunteer = VolunteerProfileFactory()
    offers = overlapping_offers(volunteer)
    constraint = next(c for c in Placement._meta.constraints if c.name == PLACEMENT_NO_OVERLAP)
    unguarded_table = connection.vendor == "postgresql"
    if unguarded_table:
        with connection.schema_editor() as editor:
            editor.remove_constraint(Placement, constraint)
    try:
        outcomes = race(naive_accept, offers)

        assert outcomes.count("accepted") > 1
        assert Placement.objects.filter(volunteer=volunteer).count() == outcomes.count("accepted")
        assert overlapping_pairs(volunteer) > 0
    finally:
        if unguarded_table:
            Placement.objects.all().delete()
            with connection.schema_editor() as editor:
                editor.add_constraint(Placement, constraint)


def refused_by_the_constraint(outcome) -> bool:
    if isinstance(outcome, IntegrityError):
        return PLACEMENT_NO_OVERLAP in str(outcome)
    return isinstance(outcome, OperationalError) and "deadlock detected" in str(outcome)


@on_postgresql
@race_db
@pytest.mark.usefixtures("seeded_transactional_db")
def test_the_constraint_alone_stops_the_unguarded_race():
    volunteer = VolunteerProfileFactory()
    offers = overlapping_offers(volunteer)

    outcomes = race(naive_accept, offers)

    assert outcomes.count("accepted") == 1
    refusals = [outcome for outcome in outcomes if outcome != "accepted"]
    assert len(refusals) == THREADS - 1
    # Each refused insert met the constraint: as a violation, or, when two inserts each found the other's
    # uncommitted row, as the deadlock PostgreSQL breaks by aborting one of them.
    assert all(refused_by_the_constraint(refusal) for refusal in refusals), refusals
    assert Placement.objects.filter(volunteer=volunteer).count() == 1
    assert overlapping_pairs(volunteer) == 0


def unsaved_placement(volunteer, start: datetime.date, end: datetime.date, *, need=None, **fields) -> Placement:
    application = ApplicationFactory(
        volunteer=volunteer, need=need or NeedFactory(), status=Application.Status.ACCEPTED, accepted_at=timezone.now()
    )
    return Placement(
        application=application,
        need=application.need,
        volunteer=volunteer,
        mode=application.need.mode,
        start_date=start,
        end_date=end,
        **fields,
    )


@on_postgresql
@pytest.mark.django_db
def test_a_bulk_insert_of_overlapping_on_site_placements_is_refused_by_the_database(volunteer):
    start = datetime.date(2031, 3, 1)
    rows = [
        unsaved_placement(volunteer, start, start + datetime.timedelta(days=20)),
        # The last day of the first is the first day of this one.
        unsaved_placement(volunteer, start + datetime.timedelta(days=20), start + datetime.timedelta(days=30)),
    ]

    with pytest.raises(IntegrityError, match=PLACEMENT_NO_OVERLAP), transaction.atomic():
        Placement.objects.bulk_create(rows)

    assert not Placement.objects.exists()


@on_postgresql
@pytest.mark.django_db
def test_the_constraint_leaves_remote_completed_and_back_to_back_placements_alone(volunteer, other_volunteer):
    start = datetime.date(2031, 3, 1)
    end = start + datetime.timedelta(days=20)
    Placement.objects.bulk_create(
        [
            unsaved_placement(volunteer, start, end),
            # The next day: no day shared.
            unsaved_placement(volunteer, end + datetime.timedelta(days=1), end + datetime.timedelta(days=10)),
            # Remote work may overlap time on site.
            unsaved_placement(volunteer, start, end, need=RemoteNeedFactory(), hours_per_week=4),
            # Completed placements are over: the constraint covers the accepted ones.
            unsaved_placement(volunteer, start, end, completed_at=timezone.now()),
            # Another volunteer, same dates.
            unsaved_placement(other_volunteer, start, end),
        ]
    )

    assert Placement.objects.count() == 5


def blocked_by(session_pid: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [session_pid])
        return [row[0] for row in cursor.fetchall()]


@on_postgresql
@race_db
@pytest.mark.usefixtures("seeded_transactional_db")
def test_an_accept_racing_a_placement_written_without_the_lock_is_refused_with_a_message(client):
    """A path that does not take offer_accept's lock (here a bulk insert) writes an overlapping placement
    while the volunteer accepts: the accept's insert waits for it, fails on the constraint, and the
    volunteer sees the usual refusal naming the clash (not a server error)."""
    volunteer = VolunteerProfileFactory()
    offer = ApplicationFactory(volunteer=volunteer, need=NeedFactory(), status=Application.Status.OFFERED)
    start, end = placement_dates_for(offer)
    client.force_login(volunteer.user)
    responses = []

    def accept():
        try:
            responses.append(client.post(reverse("placements:offer-accept", args=[offer.pk]), follow=True))
        finally:
            connection.close()

    with transaction.atomic():
        Placement.objects.bulk_create([unsaved_placement(volunteer, start, end, need=NeedFactory(title="Mwanza"))])
        thread = threading.Thread(target=accept)
        thread.start()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        for _ in range(200):  # until the accept's insert waits for this transaction
            if blocked_by(pid) or not thread.is_alive():
                break
            threading.Event().wait(0.05)
        assert blocked_by(pid), "the accept did not reach its insert while the other placement was uncommitted"
    thread.join(timeout=30)

    page = responses[0].content.decode()
    assert responses[0].status_code == 200
    assert "you are already on site for “Mwanza”" in page
    offer.refresh_from_db()
    assert offer.status == Application.Status.OFFERED
    assert Placement.objects.filter(volunteer=volunteer).count() == 1


@on_postgresql
@pytest.mark.django_db
def test_site_admin_adding_an_overlapping_placement_sees_an_error(client, site_admin, volunteer):
    taken = PlacementFactory(application__volunteer=volunteer)
    offer = ApplicationFactory(volunteer=volunteer, need=NeedFactory(), status=Application.Status.ACCEPTED)
    client.force_login(site_admin)

    response = client.post(
        reverse("admin:placements_placement_add"),
        {
            "application": offer.pk,
            "need": offer.need.pk,
            "volunteer": volunteer.pk,
            "mode": Mode.ONSITE,
            "start_date": taken.end_date.isoformat(),
            "end_date": (taken.end_date + datetime.timedelta(days=5)).isoformat(),
            "hours_per_week": 0,
        },
    )

    assert response.status_code == 200
    assert "already has an accepted on-site placement on some of these dates" in response.content.decode()
    assert Placement.objects.filter(volunteer=volunteer).count() == 1
