"""Programmes and needs: validation, database guards, display, querysets."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organisations.models import Organisation
from placements.models import Application
from programmes.models import Mode, Need, Programme
from tests.factories import (
    NeedFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    SiteFactory,
    today,
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


# Programmes


def test_programme_cannot_end_before_it_starts():
    programme = ProgrammeFactory(start_date=today(), end_date=None)
    programme.end_date = today() - DAY

    assert_invalid(programme, "end_date", "The programme cannot end before it starts.")


def test_programme_without_dates_or_ending_the_day_it_starts_is_accepted():
    ProgrammeFactory(start_date=None, end_date=None).full_clean()
    ProgrammeFactory(start_date=today(), end_date=today()).full_clean()


def test_database_refuses_a_programme_ending_before_it_starts():
    assert_refused_by_database(
        "programme_end_after_start", ProgrammeFactory, start_date=today(), end_date=today() - DAY
    )


def test_programme_is_shown_by_its_title():
    assert str(ProgrammeFactory.build(title="Embolisation training, Dar es Salaam")) == (
        "Embolisation training, Dar es Salaam"
    )


def test_programmes_of_an_organisation_include_those_it_partners_in(organisation, other_organisation):
    led = ProgrammeFactory(lead_organisation=organisation)
    partnered = ProgrammeFactory(lead_organisation=other_organisation)
    partnered.partners.add(organisation, OrganisationFactory())
    ProgrammeFactory(lead_organisation=other_organisation)

    assert set(Programme.objects.of_organisation(organisation)) == {led, partnered}
    assert Programme.objects.of_organisation(organisation).count() == 2


def test_only_published_programmes_are_published():
    published = ProgrammeFactory(status=Programme.Status.PUBLISHED)
    ProgrammeFactory(status=Programme.Status.DRAFT)
    ProgrammeFactory(status=Programme.Status.CLOSED)

    assert list(Programme.objects.published()) == [published]


def test_site_is_shown_with_city_and_country():
    assert str(SiteFactory.build(name="Muhimbili National Hospital", city="Dar es Salaam", country="TZ")) == (
        "Muhimbili National Hospital, Dar es Salaam (TZ)"
    )


# Needs: validation


def test_factory_needs_are_valid():
    NeedFactory().full_clean()
    RemoteNeedFactory().full_clean()


def test_need_window_cannot_end_before_it_starts():
    need = NeedFactory.build(window_start=today() + 20 * DAY, window_end=today() + 19 * DAY, application_deadline=None)

    assert_invalid(need, "window_end", "The latest end cannot be before the earliest start.")


def test_database_refuses_a_need_window_ending_before_it_starts():
    assert_refused_by_database(
        "need_window_end_after_start", NeedFactory, window_start=today() + 20 * DAY, window_end=today() + 19 * DAY
    )


def test_need_must_offer_at_least_one_place():
    need = NeedFactory.build(places=0)

    assert_invalid(need, "places", "A need must offer at least one place.")


def test_database_refuses_a_need_without_places():
    assert_refused_by_database("need_at_least_one_place", NeedFactory, places=0)


def test_minimum_duration_cannot_be_longer_than_the_window():
    need = NeedFactory.build(
        window_start=today() + 10 * DAY, window_end=today() + 19 * DAY, min_duration_days=30, application_deadline=None
    )

    assert_invalid(
        need, "min_duration_days", "The minimum duration (30 days) is longer than the date window (10 days)."
    )


def test_minimum_duration_equal_to_the_window_is_accepted():
    NeedFactory(
        window_start=today() + 10 * DAY, window_end=today() + 19 * DAY, min_duration_days=10, application_deadline=None
    ).full_clean()


def test_database_refuses_a_zero_minimum_duration():
    assert_refused_by_database("need_min_duration_positive", NeedFactory, min_duration_days=0)


def test_open_need_cannot_have_a_window_that_already_ended():
    need = NeedFactory.build(
        window_start=today() - 30 * DAY, window_end=today() - DAY, min_duration_days=7, application_deadline=None
    )

    assert_invalid(need, "window_end", "This date window has already ended; an open need must end in the future.")


def test_closed_need_may_keep_a_past_window():
    NeedFactory(
        window_start=today() - 30 * DAY,
        window_end=today() - DAY,
        min_duration_days=7,
        application_deadline=None,
        status=Need.Status.CLOSED,
    ).full_clean()


def test_application_deadline_cannot_be_after_the_window_ends():
    need = NeedFactory.build()
    need.application_deadline = need.window_end + DAY

    assert_invalid(need, "application_deadline", "The application deadline must be before the window ends.")


@pytest.mark.parametrize("mode", [Mode.ONSITE, Mode.HYBRID])
def test_on_site_and_hybrid_needs_must_name_a_host_site(mode):
    need = NeedFactory.build(mode=mode, host_site=None, hours_per_week=4)

    assert_invalid(need, "host_site", "On-site and hybrid needs must name a host site.")


@pytest.mark.parametrize("mode", [Mode.REMOTE, Mode.HYBRID])
def test_remote_and_hybrid_needs_must_say_hours_per_week(mode):
    need = NeedFactory(mode=mode, hours_per_week=0)

    assert_invalid(need, "hours_per_week", "Say how many hours per week the remote work takes.")


def test_remote_need_needs_no_host_site():
    need = RemoteNeedFactory()

    need.full_clean()
    assert need.is_remote
    assert not need.needs_host_site


# Needs: display and helpers


def test_need_is_shown_with_its_programme():
    need = NeedFactory.build(title="IR nurse mentor", programme=ProgrammeFactory.build(title="Nursing in IR"))

    assert str(need) == "IR nurse mentor – Nursing in IR"


def test_need_window_days_count_both_ends():
    need = NeedFactory.build(window_start=datetime.date(2026, 1, 1), window_end=datetime.date(2026, 1, 31))

    assert need.window_days == 31


def test_need_lists_the_support_it_offers_by_name():
    need = NeedFactory.build(offers_accommodation=True, offers_visa_letter=True, offers_travel=False)

    assert need.support_offered() == ["accommodation", "visa invitation letter"]


# Needs: querysets


def test_listed_needs_are_open_needs_of_published_programmes_of_verified_organisations():
    listed = NeedFactory()
    NeedFactory(programme__status=Programme.Status.DRAFT)
    NeedFactory(programme__status=Programme.Status.CLOSED)
    NeedFactory(programme__lead_organisation__status=Organisation.Status.PENDING)
    NeedFactory(programme__lead_organisation__status=Organisation.Status.ARCHIVED)
    NeedFactory(status=Need.Status.CLOSED)
    NeedFactory(status=Need.Status.FILLED)

    assert list(Need.objects.listed()) == [listed]
    assert Need.objects.open().count() == 5


def test_needs_in_a_country_include_remote_needs_of_programmes_there():
    in_tanzania = NeedFactory(host_site__country="TZ")
    remote_for_tanzania = RemoteNeedFactory(programme__countries=["KE", "TZ"])
    NeedFactory(host_site__country="KE", programme__countries=["TZ"])
    RemoteNeedFactory(programme__countries=["KE"])

    assert set(Need.objects.in_country("TZ")) == {in_tanzania, remote_for_tanzania}


def test_needs_in_a_region_are_found_by_host_site_or_remote_programme_country():
    in_tanzania = NeedFactory(host_site__country="TZ")
    in_ghana = NeedFactory(host_site__country="GH")
    NeedFactory(host_site__country="GB")
    NeedFactory(host_site__country="GB", programme__countries=["TZ"])
    remote_for_tanzania = RemoteNeedFactory(programme__countries=["GB", "TZ"])
    RemoteNeedFactory(programme__countries=["GB"])

    assert set(Need.objects.in_region("ssa")) == {in_tanzania, in_ghana, remote_for_tanzania}


def test_querysets_chain():
    wanted = NeedFactory(host_site__country="TZ")
    NeedFactory(host_site__country="TZ", status=Need.Status.CLOSED)
    NeedFactory(host_site__country="KE")

    assert list(Need.objects.listed().in_country("TZ")) == [wanted]
    assert list(Need.objects.open().in_region("ssa").in_country("TZ")) == [wanted]
