"""Credentials valid through the placement's real dates: offers and acceptances refused with the reason, the
volunteer told what to renew, warnings 60 and 14 days before a credential expires during an accepted
placement, and the coordinator warned of an overlapping placement when offering."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from globalir import privacy
from notifications.models import Notification
from placements import services
from placements.credential_checks import credential_expiry_warnings_send
from placements.models import Application, Placement
from programmes.models import Need
from tests.factories import (
    ApplicationFactory,
    CredentialFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    SiteFactory,
)
from tests.programmes.test_need_form import need_payload, post_need
from volunteers.models import Credential

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def licence(profile, *, expires_on, status=Credential.Status.VERIFIED, kind=Credential.Kind.LICENCE):
    return CredentialFactory(profile=profile, kind=kind, status=status, expires_on=expires_on)


@pytest.fixture
def need(organisation):
    # The factory's application runs from the window's start (day 40) to day 60.
    return NeedFactory(programme__lead_organisation=organisation, requires_verified_credential=True)


@pytest.fixture
def application(need, volunteer):
    return ApplicationFactory(need=need, volunteer=volunteer)


def offered(application):
    Application.objects.filter(pk=application.pk).update(status=Application.Status.OFFERED, offered_at=timezone.now())
    application.refresh_from_db()
    return application


# At offer time


def test_an_offer_is_refused_when_the_licence_expires_before_the_placement_ends(
    application, volunteer, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    licence(volunteer, expires_on=days(50))

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError) as error:
            services.application_offer(application=application, by=coordinator)

    message = " ".join(error.value.messages)
    assert "licence to practise" in message
    assert f"expires on {date_format(days(50))}, before the placement ends on {date_format(days(60))}" in message
    application.refresh_from_db()
    assert application.status == Application.Status.INTERESTED
    # The volunteer is told what to renew, by e-mail.
    [email] = mailoutbox
    assert email.to == [volunteer.user.email]
    assert "renew" in email.subject.lower()
    assert "Licence to practise: yours expires on" in email.body


def test_the_volunteer_is_told_once_however_often_the_coordinator_tries(
    application, volunteer, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    licence(volunteer, expires_on=days(50))

    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(ValidationError):
                services.application_offer(application=application, by=coordinator)

    assert len(mailoutbox) == 1


def test_an_offer_goes_ahead_with_a_licence_valid_through_the_last_day(application, volunteer, coordinator):
    licence(volunteer, expires_on=days(60))

    assert services.application_offer(application=application, by=coordinator).status == "offered"


def test_a_board_certification_or_registration_stands_for_the_licence(application, volunteer, coordinator):
    licence(volunteer, expires_on=None, kind=Credential.Kind.REGISTRATION)

    assert services.application_offer(application=application, by=coordinator).status == "offered"


def test_a_pending_or_rejected_credential_does_not_count(application, volunteer, coordinator):
    licence(volunteer, expires_on=None, status=Credential.Status.PENDING)

    with pytest.raises(ValidationError, match="has no verified licence to practise"):
        services.application_offer(application=application, by=coordinator)


def test_every_credential_the_need_requires_is_checked(organisation, volunteer, coordinator):
    need = NeedFactory(programme__lead_organisation=organisation, required_credentials=["malpractice"])
    application = ApplicationFactory(need=need, volunteer=volunteer)
    licence(volunteer, expires_on=None)  # a licence is not malpractice cover

    with pytest.raises(ValidationError, match="has no verified malpractice cover"):
        services.application_offer(application=application, by=coordinator)

    licence(volunteer, expires_on=days(400), kind=Credential.Kind.MALPRACTICE)
    assert services.application_offer(application=application, by=coordinator).status == "offered"


def test_the_coordinator_sees_the_refusal_and_its_reason_on_the_pipeline(client, application, volunteer, coordinator):
    licence(volunteer, expires_on=days(50))
    client.force_login(coordinator)

    response = client.post(reverse("placements:application-offer", args=[application.pk]), follow=True)

    page = response.content.decode()
    assert f"expires on {date_format(days(50))}, before the placement ends on {date_format(days(60))}" in page
    assert "was offered" not in page


def test_the_candidate_page_warns_before_an_offer_that_would_be_refused(client, application, volunteer, coordinator):
    licence(volunteer, expires_on=days(50))
    client.force_login(coordinator)

    response = client.get(reverse("placements:pipeline-application", args=[application.pk]))

    assert 'id="offer-warnings"' in response.content.decode()
    assert "licence to practise" in response.content.decode()


# At accept time, after the offer


@pytest.mark.parametrize(
    "change",
    [
        {"expires_on": days(45)},
        {"status": Credential.Status.REJECTED, "rejection_reason": "The document is not legible."},
    ],
    ids=["expired-since", "rejected-since"],
)
def test_a_credential_that_changes_between_offer_and_accept_refuses_the_accept(
    client, application, volunteer, coordinator, change
):
    credential = licence(volunteer, expires_on=days(365))
    services.application_offer(application=application, by=coordinator)
    Credential.objects.filter(pk=credential.pk).update(**change)
    client.force_login(volunteer.user)

    response = client.post(reverse("placements:offer-accept", args=[application.pk]), follow=True)

    page = response.content.decode()
    assert "You cannot accept this offer yet." in page
    if "expires_on" in change:
        assert f"Your licence to practise expires on {date_format(days(45))}" in page
        assert "renew it and upload the new one" in page
    else:
        assert "You have no verified licence to practise" in page
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED
    assert not Placement.objects.filter(application=application).exists()


def test_a_renewed_credential_lets_the_volunteer_accept(application, volunteer, coordinator):
    old = licence(volunteer, expires_on=days(365))
    services.application_offer(application=application, by=coordinator)
    Credential.objects.filter(pk=old.pk).update(expires_on=days(45))
    licence(volunteer, expires_on=days(800))  # uploaded again and verified

    placement = services.offer_accept(application=application, by=volunteer.user)

    assert placement.end_date == days(60)


def test_the_dashboard_says_what_to_renew(client, application, volunteer):
    licence(volunteer, expires_on=days(50))
    offered(application)
    client.force_login(volunteer.user)

    response = client.get(reverse("placements:dashboard"))

    page = response.content.decode()
    assert 'id="credentials-to-renew"' in page
    assert f"Your licence to practise expires on {date_format(days(50))}" in page


def test_the_dashboard_words_a_missing_credential_for_an_offer_and_for_an_accepted_placement(client, need, volunteer):
    offered(ApplicationFactory(need=need, volunteer=volunteer))
    PlacementFactory(
        application__need=NeedFactory(
            programme=need.programme, requires_verified_credential=True, title="Accepted placement"
        ),
        application__volunteer=volunteer,
    )
    client.force_login(volunteer.user)

    page = client.get(reverse("placements:dashboard")).content.decode()

    assert page.count("it is verified before the offer can go ahead.") == 1
    assert page.count("it is verified before the placement starts.") == 1
    accepted_row = page.split("Accepted placement:")[1].split("</li>")[0]
    assert "before the placement starts" in accepted_row


def test_the_dashboard_says_nothing_when_the_credentials_last(client, application, volunteer):
    licence(volunteer, expires_on=days(365))
    client.force_login(volunteer.user)

    response = client.get(reverse("placements:dashboard"))

    assert 'id="credentials-to-renew"' not in response.content.decode()


# Warnings 60 and 14 days before a credential expires during an accepted placement


@pytest.fixture
def placement(need, volunteer):
    return PlacementFactory(
        application__need=need,
        application__volunteer=volunteer,
        application__proposed_start=days(40),
        application__proposed_end=days(120),
    )


def warnings_sent():
    return sorted(
        (notification.kind, notification.event_key.split(":")[3])
        for notification in Notification.objects.filter(event_key__startswith="credential-expiring:")
    )


def test_both_sides_are_warned_60_and_14_days_ahead_once_each(
    placement, volunteer, coordinator, organisation_admin, mailoutbox, django_capture_on_commit_callbacks
):
    licence(volunteer, expires_on=days(100))  # the placement ends on day 120

    with django_capture_on_commit_callbacks(execute=True):
        assert credential_expiry_warnings_send(today=days(39)) == 0  # 61 days ahead: not yet
        assert credential_expiry_warnings_send(today=days(40)) == 3  # the volunteer and two coordinators
        assert credential_expiry_warnings_send(today=days(40)) == 0  # a rerun sends nothing
        assert credential_expiry_warnings_send(today=days(50)) == 0
        assert credential_expiry_warnings_send(today=days(86)) == 3  # 14 days ahead
        assert credential_expiry_warnings_send(today=days(87)) == 0

    assert warnings_sent() == sorted(
        [("credential_expiring", "60"), ("credential_expiring", "14")]
        + [("credential_expiring_coordinator", "60"), ("credential_expiring_coordinator", "14")] * 2
    )
    to_volunteer = [email for email in mailoutbox if email.to == [volunteer.user.email]]
    assert len(to_volunteer) == 2
    assert "expires on" in to_volunteer[0].body and "renew it" in to_volunteer[0].body
    to_coordinator = [email for email in mailoutbox if email.to == [coordinator.email]]
    assert len(to_coordinator) == 2
    assert volunteer.display_name in to_coordinator[0].subject


def test_a_first_run_close_to_the_expiry_sends_only_the_14_day_warning(placement, volunteer, coordinator):
    licence(volunteer, expires_on=days(100))

    credential_expiry_warnings_send(today=days(90))

    assert {threshold for _kind, threshold in warnings_sent()} == {"14"}


def test_no_warning_for_a_credential_that_lasts_or_a_renewed_one(placement, volunteer, coordinator):
    licence(volunteer, expires_on=days(100))
    licence(volunteer, expires_on=days(500))  # renewed and verified

    assert credential_expiry_warnings_send(today=days(40)) == 0


def test_no_warning_when_the_need_requires_no_credential(volunteer, coordinator):
    PlacementFactory(application__volunteer=volunteer, application__proposed_end=days(120))
    licence(volunteer, expires_on=days(100))

    assert credential_expiry_warnings_send(today=days(40)) == 0


def test_the_warnings_run_daily(settings):
    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]

    assert "placements.warn_credentials_expiring" in tasks


# The overlap warning at offer time


@pytest.fixture
def busy_volunteer(volunteer):
    licence(volunteer, expires_on=None)
    PlacementFactory(
        application__volunteer=volunteer,
        application__need__title="Fluoroscopy commissioning",
        application__proposed_start=days(50),
        application__proposed_end=days(70),
    )
    return volunteer


def test_an_overlapping_placement_warns_the_coordinator_but_the_offer_is_made(
    client, application, busy_volunteer, coordinator
):
    client.force_login(coordinator)

    page = client.get(reverse("placements:pipeline-application", args=[application.pk])).content.decode()
    assert "already on site for “Fluoroscopy commissioning”" in page

    response = client.post(reverse("placements:application-offer", args=[application.pk]), follow=True)

    page = response.content.decode()
    assert "was offered to" in page
    assert "already on site for “Fluoroscopy commissioning”" in page
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED


def test_no_overlap_warning_for_a_remote_need(client, organisation, busy_volunteer, coordinator):
    remote = NeedFactory(programme__lead_organisation=organisation, mode="remote", host_site=None, hours_per_week=4)
    application = ApplicationFactory(need=remote, volunteer=busy_volunteer)
    client.force_login(coordinator)

    response = client.post(reverse("placements:application-offer", args=[application.pk]), follow=True)

    assert "already on site" not in response.content.decode()


# The need says what it requires


def test_the_opportunity_page_names_the_credentials_required(client, organisation):
    need = NeedFactory(
        programme__lead_organisation=organisation,
        requires_verified_credential=True,
        required_credentials=["malpractice"],
    )

    response = client.get(need.get_absolute_url())

    page = response.content.decode()
    assert "A verified licence or board certificate is required" in page
    assert "Also required, verified and valid until the placement ends: malpractice cover." in page


def test_an_unknown_credential_kind_is_refused_by_the_model(organisation):
    need = NeedFactory.build(programme=NeedFactory(programme__lead_organisation=organisation).programme)
    need.required_credentials = ["passport"]

    with pytest.raises(ValidationError) as error:
        need.full_clean(exclude=["host_site", "programme"])

    assert "required_credentials" in error.value.message_dict


def test_the_need_form_saves_the_credentials_required(client, coordinator, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    site = SiteFactory(organisation=organisation)
    client.force_login(coordinator)

    page = client.get(reverse("programmes:need-create", args=[programme.pk])).content.decode()
    assert "Other credentials required" in page and "Malpractice cover" in page

    response = post_need(
        client,
        programme,
        need_payload(site, requires_verified_credential="on", required_credentials=["malpractice", "board"]),
    )

    assert response.status_code == 302
    need = Need.objects.get(programme=programme)
    assert need.credential_requirements == ["licence", "malpractice", "board"]


def test_the_need_form_refuses_an_unknown_credential(client, coordinator, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    client.force_login(coordinator)

    response = post_need(
        client, programme, need_payload(SiteFactory(organisation=organisation), required_credentials=["passport"])
    )

    assert response.context["form"].errors["required_credentials"]
    assert not Need.objects.filter(programme=programme).exists()


# Erasure


def test_erasure_renames_the_volunteer_in_the_coordinators_expiry_warnings(placement, volunteer, coordinator):
    licence(volunteer, expires_on=days(100))
    credential_expiry_warnings_send(today=days(40))
    warning = Notification.objects.get(kind="credential_expiring_coordinator", recipient=coordinator)
    assert warning.context["volunteer_name"] == volunteer.display_name

    privacy.account_erase(user=volunteer.user)

    warning.refresh_from_db()
    assert warning.context["volunteer_name"] == "Former volunteer (account erased)"
    assert not Notification.objects.filter(kind="credential_expiring").exists()  # theirs are deleted


def test_the_pipeline_board_warns_on_the_cards_that_can_be_offered(
    client, need, application, busy_volunteer, coordinator
):
    Credential.objects.filter(profile=busy_volunteer).update(expires_on=days(50))
    client.force_login(coordinator)

    page = client.get(reverse("placements:pipeline", args=[need.pk])).content.decode()

    assert "already on site for “Fluoroscopy commissioning”" in page
    assert f"expires on {date_format(days(50))}, before the placement ends on {date_format(days(60))}" in page


def test_the_board_takes_as_many_queries_however_many_cards_warn(
    client, need, coordinator, django_assert_max_num_queries
):
    def applicant():
        application = ApplicationFactory(need=need)
        licence(application.volunteer, expires_on=days(50))
        PlacementFactory(
            application__volunteer=application.volunteer,
            application__proposed_start=days(50),
            application__proposed_end=days(70),
        )

    applicant()
    client.force_login(coordinator)
    with django_assert_max_num_queries(100) as one:
        client.get(reverse("placements:pipeline", args=[need.pk]))
    applicant()
    applicant()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("placements:pipeline", args=[need.pk]))
    assert response.content.decode().count("already on site") == 3
