"""The coordinator's pipeline: the board of a need, the actions on its applications, eligible volunteers."""

import datetime
import json
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matcher import suggestions
from matcher.fit import need_fit
from matcher.models import Recommendation
from organisations.models import Membership
from placements import services
from placements.models import Application, Feedback, Placement
from programmes.models import Mode, Need
from programmes.selectors import need_listed_detail_queryset
from tests.factories import (
    ApplicationFactory,
    AvailabilityWindowFactory,
    CredentialFactory,
    MembershipFactory,
    NeedFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    VolunteerProfileFactory,
    skill,
    today,
)
from volunteers.models import Credential, Profession

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def board_url(need) -> str:
    return reverse("placements:pipeline", args=[need.pk])


def action_url(name: str, application) -> str:
    return reverse(f"placements:application-{name}", args=[application.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def need(organisation):
    return NeedFactory(programme__lead_organisation=organisation, title="PPH embolisation teaching, Moshi", places=2)


def started_placement(need, volunteer=None, **application):
    """An accepted placement of `need` that started a week ago and ends in a month."""
    Need.objects.filter(pk=need.pk).update(window_start=days(-10))
    need.refresh_from_db()
    return PlacementFactory(
        application__need=need,
        application__volunteer=volunteer or VolunteerProfileFactory(),
        application__proposed_start=days(-7),
        application__proposed_end=days(30),
        **application,
    )


# The board


def test_coordinator_sees_applications_grouped_by_status_with_the_volunteers_profile(client, coordinator, need):
    amina = VolunteerProfileFactory(
        user__first_name="Amina",
        user__last_name="Mwakyusa",
        years_experience=12,
        languages=[("en", 4), ("sw", 3)],
        skills=["image-guided-biopsy"],
    )
    need.required_skills.add(skill("image-guided-biopsy"))
    CredentialFactory(profile=amina, status=Credential.Status.VERIFIED)
    ApplicationFactory(need=need, volunteer=amina)
    shortlisted = ApplicationFactory(
        need=need, volunteer__user__first_name="Bongani", status=Application.Status.SHORTLISTED
    )
    CredentialFactory(profile=shortlisted.volunteer)  # pending
    ApplicationFactory(need=need, volunteer__user__first_name="Chidi", status=Application.Status.DECLINED)
    client.force_login(coordinator)

    response = client.get(board_url(need))

    assert response.status_code == 200
    page = response.content.decode()
    assert "PPH embolisation teaching, Moshi" in page
    assert reverse("programmes:need-edit", args=[need.pk]) in page
    interested = page.split('id="column-interested"', 1)[1].split('id="column-shortlisted"', 1)[0]
    assert "Amina Mwakyusa" in interested
    assert "Interventional radiologist" in interested
    assert "12 years" in interested
    assert "Swahili (Fluent)" in interested
    assert "Image-guided biopsy" in interested
    assert "Verified" in interested
    shortlist_column = page.split('id="column-shortlisted"', 1)[1].split('id="column-offered"', 1)[0]
    assert "Bongani" in shortlist_column
    assert "Pending verification" in shortlist_column
    columns, closed = page.split('<details class="pipeline-closed">', 1)
    assert "Chidi" in closed
    assert "Chidi" not in columns


def test_the_board_shows_places_left_and_an_expired_credential(client, coordinator, need):
    volunteer = VolunteerProfileFactory()
    CredentialFactory(profile=volunteer, status=Credential.Status.VERIFIED, expires_on=days(-3))
    ApplicationFactory(need=need, volunteer=volunteer)
    ApplicationFactory(need=need, status=Application.Status.OFFERED)
    client.force_login(coordinator)

    page = client.get(board_url(need)).content.decode()

    summary = page.split("pipeline-summary", 1)[1].split("</section>", 1)[0]
    assert "<dt>Places left to offer</dt><dd>1</dd>" in summary
    assert "<dt>Offers waiting for an answer</dt><dd>1</dd>" in summary
    assert "Expired" in page


def test_a_volunteer_who_has_not_agreed_to_share_is_shown_only_as_a_number(client, coordinator, need):
    private = VolunteerProfileFactory(
        user__first_name="Private", user__last_name="Person", institution="Hidden Hospital", consent_to_share=False
    )
    application = ApplicationFactory(need=need, volunteer=private, message="Please keep this private.")
    client.force_login(coordinator)

    board = client.get(board_url(need)).content.decode()
    detail = client.get(reverse("placements:pipeline-application", args=[application.pk])).content.decode()

    for page in (board, detail):
        assert f"Volunteer #{application.pk} has not agreed to share their profile" in page
        assert "Private Person" not in page
        assert "Hidden Hospital" not in page
        assert "Please keep this private." not in page
        assert private.user.email not in page
        assert "Interested" in page
    assert f"{application.proposed_start:%Y}" in board


def test_the_application_page_shows_the_consenting_volunteers_profile(client, coordinator, need):
    volunteer = VolunteerProfileFactory(
        user__first_name="Dina",
        institution="Lakeside General",
        bio="Teaches embolisation.",
        skills=["image-guided-biopsy"],
    )
    AvailabilityWindowFactory(profile=volunteer, start_date=days(20), end_date=days(90))
    CredentialFactory(profile=volunteer, title="Ontario licence")
    application = ApplicationFactory(need=need, volunteer=volunteer, message="I have taught this course twice.")
    client.force_login(coordinator)

    page = client.get(reverse("placements:pipeline-application", args=[application.pk])).content.decode()

    for text in (
        "Dina",
        "Lakeside General",
        "Teaches embolisation.",
        "Ontario licence",
        "I have taught this course twice.",
    ):
        assert text in page
    assert volunteer.user.email in page


def test_board_queries_stay_the_same_with_5_or_50_applications(client, coordinator, need):
    def add(count):
        for index in range(count):
            volunteer = VolunteerProfileFactory(
                languages=[("en", 4), ("fr", 2)], skills=["image-guided-biopsy"], consent_to_share=index % 4 != 0
            )
            CredentialFactory(profile=volunteer)
            status = [Application.Status.INTERESTED, Application.Status.SHORTLISTED, Application.Status.DECLINED][
                index % 3
            ]
            ApplicationFactory(need=need, volunteer=volunteer, status=status)
            candidate = VolunteerProfileFactory(languages=[("en", 3)])
            AvailabilityWindowFactory(profile=candidate, start_date=need.window_start, end_date=need.window_end)

    client.force_login(coordinator)
    add(5)
    with CaptureQueriesContext(connection) as five:
        assert client.get(board_url(need)).status_code == 200
    add(45)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(board_url(need))

    assert response.status_code == 200
    assert response.content.decode().count('class="card pipeline-card"') == 50
    # The session and user, the need, the applications and their summaries, then the eligible
    # volunteers: the database's rough filter, the matcher's engine records of the candidates and the
    # need, and the summaries of those chosen; the cards' credential and overlap warnings and their unread
    # messages, a query each for all the cards.
    assert len(fifty.captured_queries) == len(five.captured_queries) <= 27


# Eligible volunteers


@pytest.fixture
def french_need(organisation):
    return NeedFactory(
        programme__lead_organisation=organisation,
        profession=Profession.RADIOGRAPHER,
        mode=Mode.ONSITE,
        min_years_experience=3,
        window_start=days(40),
        window_end=days(100),
        required_languages=["fr"],
    )


def candidate(**kwargs):
    window = kwargs.pop("window", (days(60), days(80)))
    defaults = {
        "profession": Profession.RADIOGRAPHER,
        "years_experience": 5,
        "offers_onsite": True,
        "offers_remote": False,
        "languages": [("fr", 2)],
    }
    profile = VolunteerProfileFactory(**{**defaults, **kwargs})
    if window:
        AvailabilityWindowFactory(profile=profile, start_date=window[0], end_date=window[1])
    return profile


def test_eligible_volunteers_are_those_the_need_fits_and_who_have_not_applied(french_need):
    french_need.preferred_skills.add(skill("ct"))
    candidate(user__first_name="Fits")
    candidate(user__first_name="Skilled", skills=["ct"], years_experience=3)
    candidate(profession=Profession.SONOGRAPHER)  # another profession
    candidate(offers_onsite=False, offers_remote=True)  # remote only
    candidate(languages=[("fr", 1), ("en", 4)])  # basic French
    candidate(languages=[("en", 4)])  # no French
    candidate(years_experience=1)  # too junior
    candidate(window=(days(120), days(150)))  # available later
    candidate(window=None)  # no availability
    candidate(consent_to_share=False)  # not shown to coordinators
    candidate(onboarding_completed_at=None)  # profile unfinished
    applied = candidate(user__first_name="Applied")
    ApplicationFactory(need=french_need, volunteer=applied, proposed_start=days(60), proposed_end=days(80))
    withdrew = candidate(user__first_name="Withdrew")
    ApplicationFactory(need=french_need, volunteer=withdrew, status=Application.Status.WITHDRAWN)

    eligible = suggestions.need_eligible_volunteers(need=french_need)

    names = [row.profile.user.first_name for row in eligible]
    assert sorted(names) == ["Fits", "Skilled", "Withdrew"]
    # The one with the need's skill first, though the least experienced.
    assert names[0] == "Skilled"
    assert eligible[0].summary.matching_skills == ["CT"]
    assert eligible[0].summary.languages == ["French (Working)"]


def test_eligible_volunteers_for_a_remote_need_offer_remote_work(organisation):
    need = RemoteNeedFactory(programme__lead_organisation=organisation, min_years_experience=0)
    remote = VolunteerProfileFactory(offers_onsite=False, offers_remote=True, user__first_name="Remote")
    AvailabilityWindowFactory(profile=remote, start_date=need.window_start, end_date=need.window_end)
    onsite = VolunteerProfileFactory(offers_onsite=True, offers_remote=False)
    AvailabilityWindowFactory(profile=onsite, start_date=need.window_start, end_date=need.window_end)

    assert [row.profile for row in suggestions.need_eligible_volunteers(need=need)] == [remote]


def test_eligible_volunteers_hold_every_skill_the_need_requires(french_need):
    french_need.required_skills.add(skill("ct"), skill("mri"))
    candidate(user__first_name="Both", skills=["ct", "mri"])
    candidate(user__first_name="CT only", skills=["ct"])
    candidate(user__first_name="Neither")

    eligible = suggestions.need_eligible_volunteers(need=french_need)

    assert [row.profile.user.first_name for row in eligible] == ["Both"]
    assert eligible[0].summary.matching_skills == ["CT", "MRI"]


def test_eligible_volunteers_meet_every_requirement_the_matcher_checks(french_need):
    french_need.requires_verified_credential = True
    french_need.save()
    verified = candidate(user__first_name="Verified")
    CredentialFactory(profile=verified, status=Credential.Status.VERIFIED, expires_on=None)
    short = candidate(user__first_name="Short stay", window=(days(95), days(110)))  # six days inside the window
    CredentialFactory(profile=short, status=Credential.Status.VERIFIED, expires_on=None)
    candidate(user__first_name="Unverified")  # no verified credential
    expiring = candidate(user__first_name="Expiring")  # expires before a stay could end
    CredentialFactory(profile=expiring, status=Credential.Status.VERIFIED, expires_on=days(45))
    busy = candidate(user__first_name="Busy", window=(days(40), days(100)))
    CredentialFactory(profile=busy, status=Credential.Status.VERIFIED, expires_on=None)
    # An on-site placement elsewhere leaves no 14 free days in a row inside the need's window.
    PlacementFactory(
        application__volunteer=busy,
        application__need__mode=Mode.ONSITE,
        application__proposed_start=days(50),
        application__proposed_end=days(90),
    )
    french_need.refresh_from_db()

    eligible = suggestions.need_eligible_volunteers(need=french_need)

    assert [row.profile.user.first_name for row in eligible] == ["Verified"]
    need = need_listed_detail_queryset().get(pk=french_need.pk)
    for profile in (verified, short, expiring, busy):
        assert need_fit(profile=profile, need=need).eligible == (profile == verified)


def test_eligible_volunteers_for_a_remote_need_have_its_hours_free(organisation):
    need = RemoteNeedFactory(programme__lead_organisation=organisation, min_years_experience=0, hours_per_week=6)
    for name, hours in (("Six hours", 6), ("Two hours", 2)):
        volunteer = VolunteerProfileFactory(offers_onsite=False, offers_remote=True, user__first_name=name)
        AvailabilityWindowFactory(
            profile=volunteer, start_date=need.window_start, end_date=need.window_end, hours_per_week=hours
        )

    assert [row.profile.user.first_name for row in suggestions.need_eligible_volunteers(need=need)] == ["Six hours"]


def test_eligible_volunteers_take_as_many_queries_however_many(french_need, django_assert_max_num_queries):
    candidate()
    candidate()
    with CaptureQueriesContext(connection) as two:
        assert len(suggestions.need_eligible_volunteers(need=french_need, limit=10)) == 2
    for _ in range(10):
        candidate()

    with django_assert_max_num_queries(len(two.captured_queries)):
        eligible = suggestions.need_eligible_volunteers(need=french_need, limit=10)

    assert len(eligible) == 10


def test_the_board_lists_eligible_volunteers(client, coordinator, french_need):
    candidate(user__first_name="Eligible", user__last_name="Radiographer")
    client.force_login(coordinator)

    page = client.get(board_url(french_need)).content.decode()

    assert "Eligible Radiographer" in page.split("Eligible volunteers", 1)[1]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"status": Need.Status.FILLED}, "This need is filled"),
        ({"status": Need.Status.CLOSED}, "This need is closed"),
        ({"application_deadline": days(-1), "window_start": days(-5)}, "This need no longer takes applications"),
    ],
    ids=["filled", "closed", "deadline-passed"],
)
def test_a_need_that_takes_no_more_applications_suggests_nobody_and_says_why(
    client, coordinator, french_need, change, says
):
    fits = candidate(user__first_name="Would", user__last_name="Fit")
    Recommendation.objects.create(
        volunteer=fits, need=french_need, score=80, rank_for_need=1, factors={}, computed_at=timezone.now()
    )
    Need.objects.filter(pk=french_need.pk).update(**change)
    client.force_login(coordinator)

    response = client.get(board_url(french_need))

    # The matcher's fragment of the board shows nobody (or is left out).
    assert response.context.get("suggestions", []) == [] and response.context.get("eligible", []) == []
    page = response.content.decode()
    assert says in page
    assert "Would Fit" not in page
    assert reverse("matcher:suggestion-invite", args=[french_need.pk, fits.pk]) not in page
    # Nor does the plain eligibility list stand in when the matcher has nothing stored.
    Recommendation.objects.all().delete()
    response = client.get(board_url(french_need))
    assert response.context.get("eligible", []) == []
    assert "Would Fit" not in response.content.decode()


def test_an_open_need_shows_the_matchers_suggestions(client, coordinator, french_need):
    fits = candidate(user__first_name="Would", user__last_name="Fit")
    Recommendation.objects.create(
        volunteer=fits, need=french_need, score=80, rank_for_need=1, factors={}, computed_at=timezone.now()
    )
    client.force_login(coordinator)

    page = client.get(board_url(french_need)).content.decode()

    assert "Would Fit" in page.split("Suggested volunteers", 1)[1]


# Actions


def test_coordinator_shortlists_an_interested_application(client, coordinator, need):
    application = ApplicationFactory(need=need, volunteer__user__first_name="Esi", volunteer__user__last_name="Owusu")
    client.force_login(coordinator)

    response = client.post(action_url("shortlist", application))

    assert response.status_code == 302
    assert response["Location"] == board_url(need)
    assert messages_of(response) == ["Esi Owusu is on the shortlist for “PPH embolisation teaching, Moshi”."]
    application.refresh_from_db()
    assert application.status == Application.Status.SHORTLISTED
    assert application.shortlisted_at is not None


def test_an_action_from_the_application_page_returns_there(client, coordinator, need):
    application = ApplicationFactory(need=need)
    detail = reverse("placements:pipeline-application", args=[application.pk])
    client.force_login(coordinator)

    response = client.post(action_url("shortlist", application), {"next": detail})
    elsewhere = client.post(action_url("offer", application), {"next": "https://evil.example.com/"})

    assert response["Location"] == detail
    assert elsewhere["Location"] == board_url(need)


def test_coordinator_declines_with_a_reason_the_volunteer_sees(client, coordinator, need):
    application = ApplicationFactory(need=need, status=Application.Status.SHORTLISTED)
    client.force_login(coordinator)

    response = client.post(action_url("decline", application), {"reason": "We need someone with Swahili."})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert application.decline_reason == "We need someone with Swahili."
    client.force_login(application.volunteer.user)
    assert "We need someone with Swahili." in client.get(reverse("placements:dashboard")).content.decode()


def test_declining_without_a_reason_is_a_form_error(client, coordinator, need):
    application = ApplicationFactory(need=need)
    client.force_login(coordinator)

    response = client.post(action_url("decline", application), {"reason": "   "})

    assert response.status_code == 400
    assert "Give the volunteer a reason for declining: they will see it." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.INTERESTED


def test_coordinator_completes_a_placement_that_has_started(client, coordinator, need):
    placement = started_placement(need)
    client.force_login(coordinator)

    response = client.post(action_url("complete", placement.application))

    assert "is completed" in messages_of(response)[0]
    placement.refresh_from_db()
    placement.application.refresh_from_db()
    assert placement.application.status == Application.Status.COMPLETED
    assert placement.completed_at is not None
    assert placement.completed_at == placement.application.completed_at


def test_a_placement_that_has_not_started_cannot_be_completed(client, coordinator, need):
    placement = PlacementFactory(application__need=need)
    client.force_login(coordinator)

    response = client.post(action_url("complete", placement.application))

    assert "it can be marked completed once it has started" in messages_of(response)[0]
    placement.refresh_from_db()
    assert placement.completed_at is None
    assert Application.objects.get(pk=placement.application_id).status == Application.Status.ACCEPTED


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (Application.Status.SHORTLISTED, "shortlist", "An application that is shortlisted cannot be shortlisted."),
        (Application.Status.OFFERED, "shortlist", "An application that is offered cannot be shortlisted."),
        (Application.Status.WITHDRAWN, "shortlist", "An application that is withdrawn cannot be shortlisted."),
        (Application.Status.OFFERED, "offer", "An application that is offered cannot receive an offer."),
        (Application.Status.ACCEPTED, "offer", "An application that is accepted cannot receive an offer."),
        (Application.Status.DECLINED, "offer", "An application that is declined cannot receive an offer."),
        (Application.Status.ACCEPTED, "decline", "An application that is accepted cannot be declined."),
        (Application.Status.COMPLETED, "decline", "An application that is completed cannot be declined."),
        (Application.Status.WITHDRAWN, "decline", "An application that is withdrawn cannot be declined."),
        (Application.Status.INTERESTED, "complete", "An application that is interested cannot be completed"),
        (Application.Status.OFFERED, "complete", "An application that is offered cannot be completed"),
        (Application.Status.COMPLETED, "complete", "An application that is completed cannot be completed"),
    ],
)
def test_every_invalid_transition_is_refused_with_a_message(client, coordinator, need, status, action, message):
    application = ApplicationFactory(need=need, status=status)
    client.force_login(coordinator)

    response = client.post(action_url(action, application), {"reason": "Not this time."})

    assert response.status_code == 302
    [said] = messages_of(response)
    assert said.startswith(message)
    application.refresh_from_db()
    assert application.status == status


def test_no_offer_once_the_places_are_offered_or_taken_and_the_board_says_so(client, coordinator, need):
    ApplicationFactory(need=need, status=Application.Status.OFFERED)
    PlacementFactory(application__need=need)
    waiting = ApplicationFactory(need=need)
    client.force_login(coordinator)

    response = client.post(action_url("offer", waiting))

    assert messages_of(response) == ["Every place of “PPH embolisation teaching, Moshi” is already offered or taken."]
    page = client.get(board_url(need)).content.decode()
    assert action_url("offer", waiting) not in page
    assert action_url("shortlist", waiting) in page


# Internal notes


def test_notes_are_saved_and_shown_to_coordinators(client, coordinator, need):
    application = ApplicationFactory(need=need)
    client.force_login(coordinator)

    response = client.post(action_url("notes", application), {"notes": "  Strong on PPH; call on Tuesday.  "})

    assert response["Location"] == reverse("placements:pipeline-application", args=[application.pk])
    application.refresh_from_db()
    assert application.coordinator_notes == "Strong on PPH; call on Tuesday."
    assert "Strong on PPH; call on Tuesday." in client.get(board_url(need)).content.decode()
    detail = client.get(reverse("placements:pipeline-application", args=[application.pk])).content.decode()
    assert "Strong on PPH; call on Tuesday." in detail


def test_notes_that_are_too_long_are_a_form_error(client, coordinator, need):
    application = ApplicationFactory(need=need)
    client.force_login(coordinator)

    response = client.post(action_url("notes", application), {"notes": "x" * 5001})

    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in response.content.decode()


def test_notes_never_reach_the_volunteer(client, coordinator, need, mailoutbox, django_capture_on_commit_callbacks):
    secret = "INTERNAL: references not yet checked"
    volunteer = VolunteerProfileFactory()
    offered = ApplicationFactory(need=need, volunteer=volunteer)
    declined = ApplicationFactory(need=NeedFactory(programme=need.programme), volunteer=volunteer)
    done = started_placement(NeedFactory(programme=need.programme), volunteer=volunteer)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        for application in (offered, declined, done.application):
            client.post(action_url("notes", application), {"notes": secret})
        client.post(action_url("offer", offered))
        client.post(action_url("decline", declined), {"reason": "The dates do not fit."})
        client.post(action_url("complete", done.application))
    updated_at = Application.objects.get(pk=offered.pk).updated_at
    client.post(action_url("notes", offered), {"notes": secret + " (again)"})

    client.force_login(volunteer.user)
    dashboard = client.get(reverse("placements:dashboard")).content.decode()
    record = client.get(reverse("placements:placement-record")).content.decode()
    export = client.get(reverse("privacy:data-export")).content.decode()

    assert {mail.to[0] for mail in mailoutbox} >= {volunteer.user.email}
    for text in (dashboard, record, export, *[mail.body for mail in mailoutbox]):
        assert "references not yet checked" not in text
    for mail in mailoutbox:
        assert "references not yet checked" not in mail.alternatives[0][0]
    assert "coordinator_notes" not in json.loads(export)["applications"][0]
    # Saving notes leaves alone what the volunteer sees of the application.
    assert Application.objects.get(pk=offered.pk).updated_at == updated_at


# Permissions


def test_coordinator_cannot_see_other_organisations_pipeline(client, other_coordinator, need):
    application = ApplicationFactory(need=need)
    client.force_login(other_coordinator)

    assert client.get(board_url(need)).status_code == 404
    assert client.get(reverse("placements:pipeline-application", args=[application.pk])).status_code == 404
    assert client.post(action_url("offer", application)).status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.INTERESTED


ROLES = ("anonymous", "volunteer", "other_coordinator", "coordinator", "organisation_admin", "site_admin")


@pytest.fixture
def cast(request):
    def user(role):
        if role == "anonymous":
            return None
        person = request.getfixturevalue(role)
        return person.user if role == "volunteer" else person

    return user


PAGES = ["pipeline", "pipeline-application"]
ACTIONS = ["shortlist", "offer", "decline", "complete", "notes"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_pipeline_pages_per_role(client, cast, need, role, page):
    application = ApplicationFactory(need=need)
    url = board_url(need) if page == "pipeline" else reverse("placements:pipeline-application", args=[application.pk])
    user = cast(role)
    if user:
        client.force_login(user)

    response = client.get(url)

    expected = {"anonymous": 302, "volunteer": 404, "other_coordinator": 404}.get(role, 200)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_pipeline_actions_per_role(client, cast, need, role, action):
    application = started_placement(need).application if action == "complete" else ApplicationFactory(need=need)
    user = cast(role)
    if user:
        client.force_login(user)

    response = client.post(action_url(action, application), {"reason": "Not this time.", "notes": "A note."})

    application.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif role in ("volunteer", "other_coordinator"):
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert messages_of(response)
        changed = {
            "shortlist": application.status == Application.Status.SHORTLISTED,
            "offer": application.status == Application.Status.OFFERED,
            "decline": application.status == Application.Status.DECLINED,
            "complete": application.status == Application.Status.COMPLETED,
            "notes": application.coordinator_notes == "A note.",
        }
        assert changed[action]
        return
    assert application.coordinator_notes == ""
    assert application.status in (Application.Status.INTERESTED, Application.Status.ACCEPTED)


@pytest.mark.parametrize("action", ACTIONS)
def test_pipeline_actions_are_post_only(client, coordinator, need, action):
    application = ApplicationFactory(need=need)
    client.force_login(coordinator)

    assert client.get(action_url(action, application)).status_code == 405


# The journey


def test_from_application_to_completed_placement_with_feedback_from_both_sides(
    client, coordinator, organisation, django_capture_on_commit_callbacks, mailoutbox
):
    need = NeedFactory(
        programme__lead_organisation=organisation,
        title="Fibroid embolisation, Kampala",
        window_start=days(-10),
        window_end=days(60),
        application_deadline=days(20),
        places=1,
    )
    volunteer = VolunteerProfileFactory(user__first_name="Grace", user__last_name="Achieng")
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            volunteer=volunteer, need=need, message="Happy to teach.", proposed_start=days(-5), proposed_end=days(20)
        )
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(action_url("shortlist", application))
        client.post(action_url("offer", application))

    client.force_login(volunteer.user)
    assert "Fibroid embolisation, Kampala" in client.get(reverse("placements:dashboard")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("placements:offer-accept", args=[application.pk]))
    placement = Placement.objects.get(application=application)

    client.force_login(coordinator)
    page = client.get(board_url(need)).content.decode()
    assert action_url("complete", application) in page
    client.post(action_url("complete", application))
    response = client.post(
        reverse("placements:organisation-feedback", args=[placement.pk]),
        {"rating": "5", "comments": "Grace trained three fellows in fibroid embolisation. Thank you!"},
    )
    assert response.status_code == 302

    client.force_login(volunteer.user)
    record = client.get(reverse("placements:placement-record")).content.decode()
    assert "Grace trained three fellows in fibroid embolisation. Thank you!" in record
    client.post(
        reverse("placements:volunteer-feedback", args=[placement.pk]),
        {"rating": "4", "comments": "Well organised, great team."},
    )

    application.refresh_from_db()
    assert application.status == Application.Status.COMPLETED
    assert {(feedback.side, feedback.rating) for feedback in Feedback.objects.filter(placement=placement)} == {
        (Feedback.Side.ORGANISATION, 5),
        (Feedback.Side.VOLUNTEER, 4),
    }
    kinds = [mail.subject for mail in mailoutbox]
    assert any("New application" in subject for subject in kinds)
    assert any("You are offered a place" in subject for subject in kinds)
    assert any("accepted the offer" in subject for subject in kinds)


# Two coordinators offering the last place at the same moment


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_transactional_db")
def test_two_coordinators_offering_the_last_place_at_once_get_one_offer_and_one_refusal():
    organisation = OrganisationFactory(name="Concurrent Imaging Partners")
    coordinators = [
        MembershipFactory(organisation=organisation, role=Membership.Role.COORDINATOR).user for _ in range(2)
    ]
    need = NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation), places=1, title="Last place")
    applications = [ApplicationFactory(need=need), ApplicationFactory(need=need)]
    clients = []
    for user in coordinators:
        browser = Client()
        browser.force_login(user)
        clients.append(browser)
    start = threading.Barrier(2)
    said: list[list[str]] = []
    errors: list[BaseException] = []

    def offer(browser, application):
        try:
            start.wait(timeout=10)
            response = browser.post(action_url("offer", application))
            said.append(messages_of(response))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=offer, args=(browser, application))
        for browser, application in zip(clients, applications, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    flat = sorted(message for messages in said for message in messages)
    assert len(flat) == 2
    assert sum(message.startswith("A place on “Last place” was offered to") for message in flat) == 1
    assert flat.count("Every place of “Last place” is already offered or taken.") == 1
    assert Application.objects.filter(need=need, status=Application.Status.OFFERED).count() == 1


def test_the_application_page_shows_the_placement_and_its_feedback(client, coordinator, need):
    placement = started_placement(need)
    Feedback.objects.create(placement=placement, side=Feedback.Side.VOLUNTEER, rating=4, comments="Lovely team.")
    client.force_login(coordinator)

    page = client.get(reverse("placements:pipeline-application", args=[placement.application_id])).content.decode()

    assert "The placement" in page
    assert "Lovely team." in page
    assert reverse("placements:organisation-feedback", args=[placement.pk]) in page
    assert action_url("complete", placement.application) in page


def test_a_pending_organisation_is_shown_no_volunteer_who_has_not_applied(client, organisation, coordinator):
    # Anyone may ask to list an organisation: until it is verified, its boards list applicants only.
    need = RemoteNeedFactory(programme__lead_organisation=organisation, min_years_experience=0)
    remote = VolunteerProfileFactory(offers_onsite=False, offers_remote=True)
    AvailabilityWindowFactory(profile=remote, start_date=need.window_start, end_date=need.window_end)
    client.force_login(coordinator)
    assert client.get(board_url(need)).context.get("eligible", []) != []

    organisation.status = "pending"
    organisation.save()
    context = client.get(board_url(need)).context

    assert context.get("eligible", []) == []
    assert context.get("suggestions", []) == []
