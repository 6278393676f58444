"""Volunteer profiles, availability and credentials: validation, database guards, display, querysets."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import (
    AvailabilityWindowFactory,
    CredentialFactory,
    UserFactory,
    VolunteerProfileFactory,
    language,
    today,
)
from volunteers.models import Credential, Profession, Proficiency, VolunteerLanguage, VolunteerProfile

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def assert_invalid(instance, field, message):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    assert message in excinfo.value.message_dict[field]


def assert_refused_by_database(constraint_name, factory, **values):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        factory(**values)
    assert constraint_name in str(excinfo.value)


# Volunteer profiles


def test_unknown_preferred_region_is_refused(volunteer):
    volunteer.preferred_regions = ["ssa", "atlantis", "mars"]

    assert_invalid(volunteer, "preferred_regions", "Unknown region: atlantis, mars.")


@pytest.mark.parametrize("regions", ["ssa", {"ssa": True}, [["ssa"]]])
def test_preferred_regions_that_are_not_a_list_of_codes_are_refused(volunteer, regions):
    volunteer.preferred_regions = regions

    assert_invalid(volunteer, "preferred_regions", "Preferred regions must be a list of region codes.")


def test_known_preferred_regions_are_accepted(volunteer):
    volunteer.preferred_regions = ["ssa", "sa", "lac"]

    volunteer.full_clean()


def test_a_student_cannot_claim_more_than_ten_years_of_experience(volunteer):
    volunteer.profession = Profession.STUDENT
    volunteer.years_experience = 11

    assert_invalid(volunteer, "years_experience", "A medical student cannot have more than 10 years of experience.")


def test_implausible_years_of_experience_are_refused(volunteer):
    volunteer.years_experience = 71

    assert_invalid(volunteer, "years_experience", "Ensure this value is less than or equal to 70.")


def test_database_refuses_implausible_years_of_experience():
    assert_refused_by_database("profile_years_experience_plausible", VolunteerProfileFactory, years_experience=71)


def test_profile_is_shown_with_its_profession():
    profile = VolunteerProfileFactory.build(
        user=UserFactory.build(first_name="Amina", last_name="Okafor"), profession=Profession.RADIOGRAPHER
    )

    assert str(profile) == "Amina Okafor (Radiographer / technologist)"


@pytest.mark.parametrize(
    ("onsite", "remote", "modes"),
    [(True, True, ["onsite", "remote"]), (True, False, ["onsite"]), (False, True, ["remote"]), (False, False, [])],
)
def test_profile_modes_list_what_the_volunteer_offers(onsite, remote, modes):
    assert VolunteerProfileFactory.build(offers_onsite=onsite, offers_remote=remote).modes == modes


def test_profile_querysets_filter_consent_and_modes():
    onsite_only = VolunteerProfileFactory(offers_onsite=True, offers_remote=False)
    remote_only = VolunteerProfileFactory(offers_onsite=False, offers_remote=True, consent_to_share=False)

    assert list(VolunteerProfile.objects.consenting()) == [onsite_only]
    assert list(VolunteerProfile.objects.offering_onsite()) == [onsite_only]
    assert list(VolunteerProfile.objects.offering_remote()) == [remote_only]


def test_spoken_language_is_shown_with_its_level(volunteer):
    spoken = VolunteerLanguage(profile=volunteer, language=language("fr"), proficiency=Proficiency.FLUENT)

    assert str(spoken) == "French (Fluent)"


# Availability windows


def test_availability_cannot_end_before_it_starts():
    window = AvailabilityWindowFactory.build(start_date=today() + 10 * DAY, end_date=today() + 9 * DAY)

    assert_invalid(window, "end_date", "The end date cannot be before the start date.")


def test_one_day_availability_is_accepted(volunteer):
    window = AvailabilityWindowFactory.build(profile=volunteer, start_date=today(), end_date=today())

    window.full_clean()
    assert window.days == 1


def test_database_refuses_availability_ending_before_it_starts():
    assert_refused_by_database(
        "availability_end_after_start",
        AvailabilityWindowFactory,
        start_date=today() + 10 * DAY,
        end_date=today() + 9 * DAY,
    )


def test_more_than_eighty_hours_a_week_is_refused(volunteer):
    window = AvailabilityWindowFactory.build(profile=volunteer, hours_per_week=81)

    assert_invalid(window, "hours_per_week", "Ensure this value is less than or equal to 80.")


def test_database_refuses_more_than_eighty_hours_a_week():
    assert_refused_by_database("availability_hours_plausible", AvailabilityWindowFactory, hours_per_week=81)


def test_availability_is_shown_as_a_date_range():
    window = AvailabilityWindowFactory.build(start_date=datetime.date(2026, 3, 1), end_date=datetime.date(2026, 3, 31))

    assert str(window) == "2026-03-01 → 2026-03-31"
    assert window.days == 31


# Credentials


def test_credential_cannot_expire_before_it_was_issued(volunteer):
    credential = CredentialFactory.build(profile=volunteer, issued_on=today(), expires_on=today() - DAY)

    assert_invalid(credential, "expires_on", "The expiry date must be after the issue date.")


def test_credential_cannot_expire_the_day_it_was_issued(volunteer):
    credential = CredentialFactory.build(profile=volunteer, issued_on=today(), expires_on=today())

    assert_invalid(credential, "expires_on", "The expiry date must be after the issue date.")


def test_database_refuses_a_credential_expiring_before_issue():
    assert_refused_by_database(
        "credential_expires_after_issue", CredentialFactory, issued_on=today(), expires_on=today() - DAY
    )


def test_credential_without_dates_is_accepted(volunteer):
    CredentialFactory.build(profile=volunteer, issued_on=None, expires_on=None).full_clean()


def test_rejecting_a_credential_needs_a_reason(volunteer):
    credential = CredentialFactory.build(profile=volunteer, status=Credential.Status.REJECTED, rejection_reason="")

    assert_invalid(credential, "rejection_reason", "Give the volunteer a reason for the rejection.")


def test_rejecting_a_credential_with_a_reason_is_accepted(volunteer):
    credential = CredentialFactory.build(
        profile=volunteer, status=Credential.Status.REJECTED, rejection_reason="The document is unreadable."
    )

    credential.full_clean()


def test_credential_is_shown_with_its_holder_and_status():
    credential = CredentialFactory(
        title="Board certification in radiology",
        profile__user__first_name="Amina",
        profile__user__last_name="Okafor",
    )

    assert str(credential) == "Board certification in radiology – Amina Okafor (Awaiting verification)"


def test_only_verified_unexpired_credentials_are_valid(volunteer):
    verified = CredentialFactory(profile=volunteer, status=Credential.Status.VERIFIED, expires_on=today() + DAY)
    lifelong = CredentialFactory(profile=volunteer, status=Credential.Status.VERIFIED, expires_on=None)
    expired = CredentialFactory(profile=volunteer, status=Credential.Status.VERIFIED, expires_on=today() - DAY)
    pending = CredentialFactory(profile=volunteer, status=Credential.Status.PENDING)

    assert set(Credential.objects.valid_on(today())) == {verified, lifelong}
    assert set(Credential.objects.valid_on(today() + 2 * DAY)) == {lifelong}
    assert verified.is_valid_on(today())
    assert verified.is_valid_on(today() + DAY)
    assert not verified.is_valid_on(today() + 2 * DAY)
    assert not expired.is_valid_on(today())
    assert not pending.is_valid_on(today())
