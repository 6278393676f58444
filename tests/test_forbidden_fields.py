"""No form lets its user set a field they may not set.

Each test posts a user-facing form with its normal, valid data plus every field an attacker might
add (verification flags, statuses, the owning organisation, owner, volunteer, need, programme,
role…) set to hostile values, and checks that what was saved kept the safe values.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from globalir.accounts.models import User
from matcher.models import MatchRound
from matcher.rounds import match_round_open
from notifications.models import NotificationPreference
from organisations.models import Invitation, Membership, Organisation
from organisations.selectors import invitation_token_hash
from placements.models import Application, Feedback
from programmes.models import Mode, Need, Programme, Site
from tests.factories import (
    ApplicationFactory,
    InvitationFactory,
    MembershipFactory,
    NeedFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    SiteFactory,
    VolunteerProfileFactory,
    skill,
    today,
)
from volunteers.models import Credential, VolunteerProfile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% licence\n%%EOF\n"


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def elsewhere(other_organisation, other_volunteer, site_admin):
    """Objects the hostile values point at: another organisation's programme, need and site, and other people."""
    programme = ProgrammeFactory(lead_organisation=other_organisation)
    return {
        "organisation": other_organisation,
        "programme": programme,
        "need": NeedFactory(programme=programme, host_site=SiteFactory(organisation=other_organisation)),
        "volunteer": other_volunteer,
        "staff": site_admin,
    }


def hostile(elsewhere) -> dict:
    """Every field no user-facing form may take, set to what an attacker would want."""
    other = elsewhere["volunteer"]
    return {
        "id": "999999",
        "pk": "999999",
        "status": "verified",
        "featured": "on",
        "slug": "hijacked",
        "verified_by": str(elsewhere["staff"].pk),
        "verified_at": "2020-01-01 00:00",
        "rejection_reason": "",
        "requested_by": str(other.user_id),
        "organisation": str(elsewhere["organisation"].pk),
        "lead_organisation": str(elsewhere["organisation"].pk),
        "programme": str(elsewhere["programme"].pk),
        "need": str(elsewhere["need"].pk),
        "user": str(other.user_id),
        "profile": str(other.pk),
        "volunteer": str(other.pk),
        "author": str(other.user_id),
        "invited_by": str(other.user_id),
        "created_by": str(other.user_id),
        "side": Feedback.Side.ORGANISATION,
        "coordinator_notes": "Planted by the applicant.",
        "decline_reason": "Planted.",
        "accepted_at": "2020-01-01 00:00",
        "offered_at": "2020-01-01 00:00",
        "completed_at": "2020-01-01 00:00",
        "filled_at": "2020-01-01 00:00",
        "calendar_token": "chosen-by-the-attacker",
        "onboarding_completed_at": "2020-01-01 00:00",
        "consent_given_at": "2020-01-01 00:00",
        "consent_withdrawn_at": "2020-01-01 00:00",
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "email_verified": "on",
        "token_hash": "0" * 64,
        "expires_at": "2100-01-01 00:00",
    }


def signed_in(client, user):
    client.force_login(getattr(user, "user", user))
    return client


# Anyone signed in


def test_sign_up_cannot_make_a_staff_account(client, elsewhere):
    password = "a-long-and-unusual-passphrase-42"
    data = {"email": "newcomer@example.org", "password1": password, "password2": password}

    client.post(reverse("account_signup"), {**hostile(elsewhere), **data})

    user = User.objects.get(email="newcomer@example.org")
    assert not user.is_staff and not user.is_superuser
    assert not user.memberships.exists()


def organisation_request_data(**changes) -> dict:
    return {
        "name": "Lake Zone Imaging Trust",
        "acronym": "LZIT",
        "kind": Organisation.Kind.NGO,
        "website": "https://lakezone.example.org",
        "contact_email": "hello@lakezone.example.org",
        "headquarters_country": "TZ",
        "countries": ["TZ", "KE"],
        "description": "Trains sonographers and radiographers around Lake Victoria.",
        **changes,
    }


def assert_waits_for_review(organisation: Organisation, requested_by) -> None:
    assert organisation.status == Organisation.Status.PENDING
    assert not organisation.featured
    assert organisation.verified_by is None and organisation.verified_at is None
    assert organisation.requested_by == requested_by
    assert organisation.slug != "hijacked"
    assert not organisation.partners.exists()
    assert not organisation.memberships.exclude(user=requested_by).exists()


def test_an_organisation_request_cannot_verify_or_feature_itself(client, plain_user, elsewhere):
    response = signed_in(client, plain_user).post(
        reverse("organisations:organisation-request"), {**hostile(elsewhere), **organisation_request_data()}
    )

    assert response.status_code == 302
    assert_waits_for_review(Organisation.objects.get(name="Lake Zone Imaging Trust"), plain_user)


def test_a_resubmitted_request_cannot_verify_itself(client, plain_user, elsewhere):
    rejected = OrganisationFactory(
        name="Lake Zone Imaging", status=Organisation.Status.REJECTED, requested_by=plain_user, rejection_reason="Who?"
    )

    response = signed_in(client, plain_user).post(
        reverse("organisations:organisation-request") + f"?resubmit={rejected.pk}",
        {**hostile(elsewhere), **organisation_request_data()},
    )

    assert response.status_code == 302
    rejected.refresh_from_db()
    assert rejected.name == "Lake Zone Imaging Trust"
    assert_waits_for_review(rejected, plain_user)


def test_notification_preferences_only_change_ones_own(client, volunteer, elsewhere):
    response = signed_in(client, volunteer).post(reverse("notifications:preferences"), hostile(elsewhere))

    assert response.status_code == 302
    assert NotificationPreference.objects.get().user == volunteer.user


# Volunteers


def test_the_profile_wizard_cannot_change_owner_token_or_consent_date(client, volunteer, elsewhere):
    before = VolunteerProfile.objects.get(pk=volunteer.pk)
    other_before = VolunteerProfile.objects.get(pk=elsewhere["volunteer"].pk)
    about = {
        "name": "Adaeze Nwosu",
        "profession": "sonographer",
        "career_stage": "early",
        "years_experience": "4",
        "home_country": "NG",
        "institution": "Lagos University Teaching Hospital",
    }

    response = signed_in(client, volunteer).post(
        reverse("volunteers:onboarding-step", args=["about"]), {**hostile(elsewhere), **about}
    )

    assert response.status_code == 302
    after = VolunteerProfile.objects.get(pk=volunteer.pk)
    assert after.profession == "sonographer"
    assert after.user_id == before.user_id
    assert after.calendar_token == before.calendar_token
    assert after.onboarding_completed_at == before.onboarding_completed_at
    assert after.consent_given_at == before.consent_given_at
    assert after.consent_withdrawn_at is None
    other_after = VolunteerProfile.objects.get(pk=other_before.pk)
    assert (other_after.profession, other_after.institution) == (other_before.profession, other_before.institution)
    assert not User.objects.get(pk=volunteer.user_id).is_staff


def test_withdrawing_consent_changes_only_the_signed_in_volunteers_own(client, volunteer, elsewhere):
    response = signed_in(client, volunteer).post(
        reverse("volunteers:consent"), {**hostile(elsewhere), "action": "withdraw"}
    )

    assert response.status_code == 302
    after = VolunteerProfile.objects.get(pk=volunteer.pk)
    assert not after.consent_to_share
    assert after.consent_withdrawn_at.year != 2020
    assert VolunteerProfile.objects.get(pk=elsewhere["volunteer"].pk).consent_to_share


def test_an_uploaded_credential_waits_for_verification_and_belongs_to_its_uploader(client, volunteer, elsewhere):
    data = {
        "kind": "licence",
        "title": "Licence to practise medicine",
        "issuing_body": "Medical and Dental Council of Nigeria",
        "issuing_country": "NG",
        "number": "MDCN-48213",
        "issued_on": "2019-03-01",
        "expires_on": days(400).isoformat(),
        "document": SimpleUploadedFile("licence.pdf", PDF),
    }

    response = signed_in(client, volunteer).post(reverse("volunteers:credentials"), {**hostile(elsewhere), **data})

    assert response.status_code == 302
    credential = Credential.objects.get()
    assert credential.profile == volunteer
    assert credential.status == Credential.Status.PENDING
    assert credential.verified_by is None and credential.verified_at is None


def test_an_application_cannot_choose_its_status_need_volunteer_or_notes(client, volunteer, organisation, elsewhere):
    need = NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation))
    data = {
        "message": "I teach embolisation in Toronto and would love to help.",
        "proposed_start": need.window_start.isoformat(),
        "proposed_end": need.window_end.isoformat(),
    }

    response = signed_in(client, volunteer).post(
        reverse("placements:application-create", args=[need.pk]), {**hostile(elsewhere), **data}
    )

    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.need, application.volunteer) == (need, volunteer)
    assert application.status == Application.Status.INTERESTED
    assert application.coordinator_notes == "" and application.decline_reason == ""
    assert application.accepted_at is None and application.offered_at is None
    assert not elsewhere["need"].applications.exists()


@pytest.fixture
def ended_placement(volunteer, organisation):
    started = today() - datetime.timedelta(days=30)
    need = NeedFactory(
        programme=ProgrammeFactory(lead_organisation=organisation),
        mode=Mode.REMOTE,
        host_site=None,
        hours_per_week=4,
        window_start=started,
        window_end=days(30),
    )
    return PlacementFactory(
        application__need=need,
        application__volunteer=volunteer,
        application__proposed_start=started,
        application__proposed_end=today() - datetime.timedelta(days=1),
    )


def test_volunteer_feedback_is_given_as_the_volunteer_by_the_volunteer(client, volunteer, ended_placement, elsewhere):
    response = signed_in(client, volunteer).post(
        reverse("placements:volunteer-feedback", args=[ended_placement.pk]),
        {**hostile(elsewhere), "rating": "4", "comments": "Well organised."},
    )

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.placement, feedback.side, feedback.author) == (
        ended_placement,
        Feedback.Side.VOLUNTEER,
        volunteer.user,
    )


def test_organisation_feedback_is_given_as_the_organisation_by_the_coordinator(
    client, coordinator, ended_placement, elsewhere
):
    response = signed_in(client, coordinator).post(
        reverse("placements:organisation-feedback", args=[ended_placement.pk]),
        {**hostile(elsewhere), "side": Feedback.Side.VOLUNTEER, "rating": "5", "comments": "Excellent teacher."},
    )

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.side, feedback.author) == (Feedback.Side.ORGANISATION, coordinator)


# Coordinators


def site_data(**changes) -> dict:
    return {
        "name": "Bugando Medical Centre",
        "city": "Mwanza",
        "country": "TZ",
        "website": "https://bugando.example.org",
        "description": "Referral hospital with a new angiography suite.",
        **changes,
    }


def test_a_new_site_belongs_to_the_organisation_in_the_address(client, coordinator, organisation, elsewhere):
    response = signed_in(client, coordinator).post(
        reverse("programmes:site-create", args=[organisation.slug]), {**hostile(elsewhere), **site_data()}
    )

    assert response.status_code == 302
    assert Site.objects.get(name="Bugando Medical Centre").organisation == organisation


def test_an_edited_site_stays_with_its_organisation(client, coordinator, organisation, elsewhere):
    site = SiteFactory(organisation=organisation)

    response = signed_in(client, coordinator).post(
        reverse("programmes:site-edit", args=[site.pk]), {**hostile(elsewhere), **site_data(name="Renamed")}
    )

    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.name, site.organisation) == ("Renamed", organisation)


def programme_data(**changes) -> dict:
    return {
        "title": "Embolisation training, Mwanza",
        "kind": Programme.Kind.TRAINING,
        "summary": "Hands-on embolisation training for local fellows.",
        "description": "Two-week blocks of supervised cases.",
        "countries": ["TZ", "KE"],
        "start_date": days(10).isoformat(),
        "end_date": days(400).isoformat(),
        **changes,
    }


def test_a_new_programme_is_a_draft_of_the_organisation_in_the_address(client, coordinator, organisation, elsewhere):
    response = signed_in(client, coordinator).post(
        reverse("programmes:programme-create", args=[organisation.slug]),
        {**hostile(elsewhere), **programme_data(), "status": Programme.Status.PUBLISHED},
    )

    assert response.status_code == 302
    programme = Programme.objects.get(title="Embolisation training, Mwanza")
    assert programme.lead_organisation == organisation
    assert programme.status == Programme.Status.DRAFT
    assert programme.slug != "hijacked"


def test_an_edited_programme_keeps_its_organisation_and_status(client, coordinator, organisation, elsewhere):
    programme = ProgrammeFactory(lead_organisation=organisation, status=Programme.Status.DRAFT)

    response = signed_in(client, coordinator).post(
        reverse("programmes:programme-edit", args=[programme.pk]),
        {**hostile(elsewhere), **programme_data(title="Renamed"), "status": Programme.Status.PUBLISHED},
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.title, programme.lead_organisation, programme.status) == (
        "Renamed",
        organisation,
        Programme.Status.DRAFT,
    )


def need_data(site, **changes) -> dict:
    return {
        "title": "IR faculty for post-partum haemorrhage embolisation",
        "description": "Teach uterine artery embolisation to two local fellows.",
        "profession": "ir_physician",
        "places": "2",
        "mode": Mode.ONSITE,
        "host_site": str(site.pk),
        "window_start": days(40).isoformat(),
        "window_end": days(100).isoformat(),
        "min_duration_days": "14",
        "hours_per_week": "0",
        "min_years_experience": "3",
        "application_deadline": days(30).isoformat(),
        "required_skills": [str(skill("embolisation").pk)],
        "required_languages": ["en"],
        **changes,
    }


def test_a_new_need_is_open_in_the_programme_in_the_address(client, coordinator, organisation, elsewhere):
    programme = ProgrammeFactory(lead_organisation=organisation)
    site = SiteFactory(organisation=organisation)

    response = signed_in(client, coordinator).post(
        reverse("programmes:need-create", args=[programme.pk]),
        {**hostile(elsewhere), **need_data(site), "status": Need.Status.FILLED},
    )

    assert response.status_code == 302
    need = Need.objects.get(title="IR faculty for post-partum haemorrhage embolisation")
    assert (need.programme, need.status, need.filled_at) == (programme, Need.Status.OPEN, None)
    assert elsewhere["programme"].needs.count() == 1


def test_an_edited_need_keeps_its_programme_and_status(client, coordinator, organisation, elsewhere):
    site = SiteFactory(organisation=organisation)
    need = NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation), host_site=site)

    response = signed_in(client, coordinator).post(
        reverse("programmes:need-edit", args=[need.pk]),
        {**hostile(elsewhere), **need_data(site, title="Renamed"), "status": Need.Status.CLOSED},
    )

    assert response.status_code == 302
    programme = need.programme
    need.refresh_from_db()
    assert (need.title, need.programme, need.status) == ("Renamed", programme, Need.Status.OPEN)


def test_a_need_cannot_be_hosted_at_another_organisations_site(client, coordinator, organisation, elsewhere):
    programme = ProgrammeFactory(lead_organisation=organisation)
    their_site = elsewhere["need"].host_site

    response = signed_in(client, coordinator).post(
        reverse("programmes:need-create", args=[programme.pk]), need_data(their_site)
    )

    assert response.status_code == 400
    assert not programme.needs.exists()


def test_a_programme_cannot_take_another_organisations_site_or_an_unverified_partner(
    client, coordinator, organisation, elsewhere
):
    pending = OrganisationFactory(name="Pending Partner", status=Organisation.Status.PENDING)
    their_site = elsewhere["need"].host_site

    for refused in ({"sites": [str(their_site.pk)]}, {"partners": [str(pending.pk)]}):
        response = signed_in(client, coordinator).post(
            reverse("programmes:programme-create", args=[organisation.slug]), {**programme_data(), **refused}
        )
        assert response.status_code == 400, refused
    assert not Programme.objects.filter(title="Embolisation training, Mwanza").exists()


def test_a_match_round_opens_on_the_programme_in_the_address(client, coordinator, organisation, volunteer, elsewhere):
    programme = ProgrammeFactory(lead_organisation=organisation)
    ApplicationFactory(need=NeedFactory(programme=programme), volunteer=volunteer)
    ApplicationFactory(need=elsewhere["need"], volunteer=volunteer)
    deadline = timezone.localtime() + datetime.timedelta(days=7)

    response = signed_in(client, coordinator).post(
        reverse("matcher:round-create", args=[programme.pk]),
        {**hostile(elsewhere), "ranking_deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "status": "done"},
    )

    assert response.status_code == 302
    match_round = MatchRound.objects.get()
    assert (match_round.programme, match_round.status, match_round.created_by) == (
        programme,
        MatchRound.Status.OPEN,
        coordinator,
    )


# Organisation admins and invitations


def test_an_invitation_is_for_the_organisation_in_the_address(client, organisation_admin, organisation, elsewhere):
    response = signed_in(client, organisation_admin).post(
        reverse("organisations:invitation-create", args=[organisation.slug]),
        {**hostile(elsewhere), "email": "new.coordinator@example.org", "role": Membership.Role.COORDINATOR},
    )

    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new.coordinator@example.org")
    assert (invitation.organisation, invitation.invited_by) == (organisation, organisation_admin)
    assert invitation.accepted_at is None and invitation.token_hash != "0" * 64


def test_a_coordinator_cannot_change_roles(client, coordinator, organisation):
    colleague = MembershipFactory(organisation=organisation, role=Membership.Role.COORDINATOR)

    for who in (colleague, Membership.objects.get(user=coordinator)):
        response = signed_in(client, coordinator).post(
            reverse("organisations:member-role", args=[organisation.slug, who.pk]), {"role": Membership.Role.ADMIN}
        )
        assert response.status_code == 403
        who.refresh_from_db()
        assert who.role == Membership.Role.COORDINATOR


def test_an_organisation_admin_cannot_change_roles_in_another_organisation(
    client, organisation_admin, organisation, other_coordinator
):
    theirs = Membership.objects.get(user=other_coordinator)

    for slug in (organisation.slug, theirs.organisation.slug):
        response = signed_in(client, organisation_admin).post(
            reverse("organisations:member-role", args=[slug, theirs.pk]), {"role": Membership.Role.ADMIN}
        )
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Membership.Role.COORDINATOR


def test_accepting_an_invitation_gives_the_invited_role_not_the_posted_one(client, organisation, elsewhere):
    newcomer = VolunteerProfileFactory(user__email="invitee@example.org").user
    token = "a-token-the-invitee-received-by-e-mail"
    InvitationFactory(
        organisation=organisation,
        email=newcomer.email,
        role=Membership.Role.COORDINATOR,
        token_hash=invitation_token_hash(token),
    )

    response = signed_in(client, newcomer).post(
        reverse("organisations:invitation-accept", args=[token]),
        {**hostile(elsewhere), "role": Membership.Role.ADMIN},
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    assert (membership.organisation, membership.role) == (organisation, Membership.Role.COORDINATOR)
    assert not User.objects.get(pk=newcomer.pk).is_staff


def test_a_volunteers_round_ranking_only_ranks_their_own_applications(client, organisation, volunteer, coordinator):
    programme = ProgrammeFactory(lead_organisation=organisation)
    mine = ApplicationFactory(need=NeedFactory(programme=programme), volunteer=volunteer)
    someone_elses = ApplicationFactory(need=NeedFactory(programme=programme), volunteer=VolunteerProfileFactory())
    match_round = match_round_open(
        programme=programme, ranking_deadline=timezone.now() + datetime.timedelta(days=7), by=coordinator
    )

    response = signed_in(client, volunteer).post(
        reverse("matcher:round-volunteer", args=[match_round.pk]),
        {f"need-{mine.need_id}": "1", f"need-{someone_elses.need_id}": "1"},
    )

    assert response.status_code == 400
    rankings = {r.application_id: r.volunteer_rank for r in match_round.rankings.all()}
    assert rankings == {mine.pk: None, someone_elses.pk: None}


def test_staff_flags_cannot_be_posted_anywhere_a_user_edits_their_account(client, volunteer, elsewhere):
    # The account pages of allauth: changing e-mail addresses never touches the user's flags.
    signed_in(client, volunteer).post(reverse("account_email"), {**hostile(elsewhere), "email": "x@example.org"})

    user = User.objects.get(pk=volunteer.user_id)
    assert not user.is_staff and not user.is_superuser
    assert list(User.objects.filter(is_staff=True)) == [elsewhere["staff"]]
