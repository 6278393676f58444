"""Electives in the pipeline: the licence rule for medical students, the home institution's letter, the
supervisor's cap on students, the e-mail to the supervisor and the supervisor's page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from placements import services
from placements.models import Application
from tests.factories import (
    ApplicationFactory,
    CredentialFactory,
    ElectiveFactory,
    HomeLetterFactory,
    NeedFactory,
    PlacementFactory,
    VolunteerProfileFactory,
)
from volunteers.models import CareerStage, Credential, Profession

pytestmark = pytest.mark.django_db


def student(**kwargs):
    return VolunteerProfileFactory(
        profession=Profession.STUDENT, career_stage=CareerStage.STUDENT, years_experience=0, **kwargs
    )


def student_with_letter(**kwargs):
    profile = student(**kwargs)
    HomeLetterFactory(profile=profile)
    return profile


def apply(volunteer, need):
    return services.application_submit(
        volunteer=volunteer,
        need=need,
        message="I am in my final year.",
        proposed_start=need.window_start,
        proposed_end=need.window_start + datetime.timedelta(days=27),
    )


# The licence rule


def test_a_medical_student_cannot_apply_to_on_site_clinical_work_that_asks_for_a_licence():
    need = NeedFactory(requires_verified_credential=True)

    with pytest.raises(ValidationError, match="medical students can take part through electives only") as error:
        apply(student(), need)

    assert error.value.code == "student_needs_licence"
    assert not Application.objects.filter(need=need).exists()


def test_a_medical_student_may_apply_to_remote_work_or_work_without_a_licence():
    remote = NeedFactory(requires_verified_credential=True, mode="remote", host_site=None, hours_per_week=3)
    no_licence = NeedFactory(requires_verified_credential=False)
    volunteer = student()

    assert apply(volunteer, no_licence).status == Application.Status.INTERESTED
    assert services.application_submit(
        volunteer=volunteer, need=remote, message="", proposed_start=None, proposed_end=None
    ).pk


def test_a_medical_student_cannot_be_offered_on_site_clinical_work_that_asks_for_a_licence(coordinator):
    # Applied before the need asked for a licence: the offer is refused all the same.
    application = ApplicationFactory(need__requires_verified_credential=True, volunteer=student())

    with pytest.raises(ValidationError, match="through electives only"):
        services.application_offer(application=application, by=coordinator)

    application.refresh_from_db()
    assert application.status == Application.Status.INTERESTED


def test_a_licensed_doctor_is_offered_the_same_need(coordinator):
    application = ApplicationFactory(need__requires_verified_credential=True)
    CredentialFactory(profile=application.volunteer, kind=Credential.Kind.LICENCE, status=Credential.Status.VERIFIED)

    assert services.application_offer(application=application, by=coordinator).status == Application.Status.OFFERED


def test_the_refusal_reaches_the_student_on_the_need_page(client):
    need = NeedFactory(requires_verified_credential=True)
    volunteer = student()
    client.force_login(volunteer.user)

    response = client.post(
        reverse("placements:application-create", args=[need.pk]),
        {
            "message": "Hello",
            "proposed_start": need.window_start.isoformat(),
            "proposed_end": need.window_end.isoformat(),
        },
    )

    assert response.status_code == 400
    assert "medical students can take part through electives only" in response.content.decode()


def test_an_elective_that_asks_for_a_credential_is_open_to_students(coordinator):
    elective = ElectiveFactory(need__requires_verified_credential=True)

    application = apply(student_with_letter(), elective.need)

    assert services.application_offer(application=application, by=coordinator).status == Application.Status.OFFERED


# The home institution's letter


def test_applying_to_an_elective_needs_a_letter_from_the_home_institution():
    elective = ElectiveFactory()
    volunteer = student()

    with pytest.raises(ValidationError, match="letter from your home institution") as error:
        apply(volunteer, elective.need)
    assert error.value.code == "home_letter_missing"

    # A rejected letter is no letter; one awaiting verification is enough to apply.
    HomeLetterFactory(profile=volunteer, status=Credential.Status.REJECTED, rejection_reason="Unsigned.")
    with pytest.raises(ValidationError, match="letter from your home institution"):
        apply(volunteer, elective.need)
    HomeLetterFactory(profile=volunteer, status=Credential.Status.PENDING)
    assert apply(volunteer, elective.need).status == Application.Status.INTERESTED
    assert Credential.objects.filter(profile=volunteer).count() == 2


def test_an_elective_is_offered_only_once_the_letter_is_verified(coordinator):
    elective = ElectiveFactory()
    volunteer = student()
    letter = HomeLetterFactory(profile=volunteer, status=Credential.Status.PENDING)
    application = apply(volunteer, elective.need)

    with pytest.raises(ValidationError, match="no verified letter from their home institution"):
        services.application_offer(application=application, by=coordinator)

    Credential.objects.filter(pk=letter.pk).update(status=Credential.Status.VERIFIED)
    assert services.application_offer(application=application, by=coordinator).status == Application.Status.OFFERED


def test_the_home_letter_is_a_credential_kind_volunteers_can_choose(client):
    volunteer = student()
    client.force_login(volunteer.user)

    response = client.get(reverse("volunteers:credentials"))

    assert 'value="home_letter"' in response.content.decode()
    assert "Letter from the home institution" in response.content.decode()


# The supervisor's cap


def offered(elective, **kwargs):
    application = ApplicationFactory(need=elective.need, volunteer=student_with_letter(), **kwargs)
    return application


def test_no_offer_beyond_the_supervisors_cap_on_overlapping_dates(coordinator):
    elective = ElectiveFactory(max_students=1)
    first, second = offered(elective), offered(elective)
    services.application_offer(application=first, by=coordinator)

    with pytest.raises(ValidationError) as error:
        services.application_offer(application=second, by=coordinator)

    assert error.value.code == "supervisor_full"
    assert f"The supervisor of “{elective.need.title}” already has 1 student from" in error.value.messages[0]
    assert "their limit of 1" in error.value.messages[0]
    second.refresh_from_db()
    assert second.status == Application.Status.INTERESTED


def test_the_cap_counts_every_elective_of_the_supervisor():
    first = ElectiveFactory(max_students=1)
    second = ElectiveFactory(
        max_students=1, supervisor=first.supervisor, need__programme=first.need.programme, need__host_site=None
    )
    PlacementFactory(
        application__need=first.need, application__volunteer=student_with_letter(), application__status="accepted"
    )
    waiting = offered(second)

    with pytest.raises(ValidationError, match="already has 1 student"):
        services.application_offer(application=waiting, by=first.supervisor)


def test_students_at_other_times_do_not_count_against_the_cap(coordinator):
    elective = ElectiveFactory(max_students=1)
    need = elective.need
    early = ApplicationFactory(
        need=need,
        volunteer=student_with_letter(),
        proposed_start=need.window_start,
        proposed_end=need.window_start + datetime.timedelta(days=14),
    )
    late = ApplicationFactory(
        need=need,
        volunteer=student_with_letter(),
        proposed_start=need.window_start + datetime.timedelta(days=20),
        proposed_end=need.window_start + datetime.timedelta(days=40),
    )

    services.application_offer(application=early, by=coordinator)
    assert services.application_offer(application=late, by=coordinator).status == Application.Status.OFFERED


def test_accepting_is_refused_when_the_supervisor_is_full_by_then(coordinator):
    elective = ElectiveFactory(max_students=2)
    first, second = offered(elective), offered(elective)
    services.application_offer(application=first, by=coordinator)
    services.application_offer(application=second, by=coordinator)
    # The cap was lowered after the two offers.
    type(elective).objects.filter(pk=elective.pk).update(max_students=1)

    # Offers waiting do not hold the supervisor's places: the first student to accept takes the last one.
    services.offer_accept(application=first, by=first.volunteer.user)
    with pytest.raises(ValidationError, match="their limit of 1"):
        services.offer_accept(application=second, by=second.volunteer.user)


def test_the_coordinator_sees_the_cap_refusal_on_the_pipeline(client, coordinator):
    elective = ElectiveFactory(
        max_students=1, need__programme__lead_organisation=coordinator.memberships.get().organisation
    )
    first, second = offered(elective), offered(elective)
    services.application_offer(application=first, by=coordinator)
    client.force_login(coordinator)

    response = client.post(reverse("placements:application-offer", args=[second.pk]), follow=True)

    assert "their limit of 1" in response.content.decode()


# The supervisor's e-mail and page


def test_the_supervisor_is_told_when_a_students_placement_is_confirmed(
    coordinator, mailoutbox, django_capture_on_commit_callbacks, settings
):
    elective = ElectiveFactory(need__title="Elective in IR, Muhimbili")
    elective.supervisor.first_name, elective.supervisor.last_name = "Grace", "Mwakasege"
    elective.supervisor.save()
    volunteer = student_with_letter(user__first_name="Tom", user__last_name="Hale")
    application = ApplicationFactory(need=elective.need, volunteer=volunteer, status=Application.Status.OFFERED)

    with django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(application=application, by=volunteer.user)

    # The supervisor, a member of the organisation, also hears as a coordinator that the offer was accepted.
    [mail] = [mail for mail in mailoutbox if "confirmed on your elective" in mail.subject]
    assert mail.to == [elective.supervisor.email]
    assert mail.subject == "[GlobalIR] Tom Hale is confirmed on your elective “Elective in IR, Muhimbili”"
    assert "Tom Hale accepted a place on “Elective in IR, Muhimbili”, the elective you supervise on site" in mail.body
    assert settings.SITE_URL + reverse("placements:elective-students") in mail.body
    [(html, _kind)] = mail.alternatives
    assert settings.SITE_URL + reverse("placements:elective-students") in html


def test_no_supervisor_e_mail_for_an_ordinary_need(mailoutbox, django_capture_on_commit_callbacks):
    application = ApplicationFactory(status=Application.Status.OFFERED)

    with django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(application=application, by=application.volunteer.user)

    assert all("elective" not in mail.subject for mail in mailoutbox)


def test_the_supervisor_sees_their_students_and_nobody_elses(client, other_coordinator):
    elective = ElectiveFactory(need__title="Elective in IR, Muhimbili", max_students=3)
    volunteer = student_with_letter(name="Tom Hale")
    PlacementFactory(application__need=elective.need, application__volunteer=volunteer, application__status="accepted")
    client.force_login(elective.supervisor)

    page = client.get(reverse("placements:elective-students")).content.decode()

    assert "Elective in IR, Muhimbili" in page
    assert "Tom Hale" in page
    assert "Up to 3 students at a time" in page

    client.force_login(other_coordinator)
    page = client.get(reverse("placements:elective-students")).content.decode()
    assert "Tom Hale" not in page
    assert "You do not supervise any elective at the moment." in page


def test_the_supervisors_page_needs_a_login(client):
    response = client.get(reverse("placements:elective-students"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
