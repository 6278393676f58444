"""Every form, driven through its real view with generated data: never a server error.

Each example posts a generated submission through the test client, so the whole stack runs (form,
service, template, database). A refusal must come back as the form again (200 or 400) with every
reason the form gave visible on the page; a success must redirect. Submissions start from known-good
data with a few fields changed, or are generated from scratch, plausible to hostile (see
tests/fuzz_strategies.py). Each example runs inside a savepoint that is rolled back, so examples do
not see each other's writes and a failing one replays the same way.
"""

import datetime

import pytest
from allauth.account.forms import SignupForm
from django import forms
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given

from matcher import rounds
from matcher.forms import MatchRoundForm
from notifications.forms import NotificationPreferenceForm
from organisations.forms import InvitationForm, OrganisationRequestForm
from placements.forms import ApplicationForm
from placements.views.feedback import FeedbackForm
from placements.views.pipeline import DeclineForm
from programmes.forms import NeedForm, ProgrammeForm, SiteForm
from programmes.models import Mode
from tests.factories import (
    ApplicationFactory,
    NeedFactory,
    PlacementFactory,
    ProgrammeFactory,
    SiteFactory,
    VolunteerProfileFactory,
    skill,
    today,
)
from tests.fuzz_strategies import (
    DROP,
    EXAMPLES_RUN,
    Pick,
    Submission,
    assert_handled,
    client_for,
    formset_fields,
    fuzz_settings,
    post_pairs,
    report_examples_run,
    rolled_back,
    submissions,
)
from volunteers.forms import (
    AboutForm,
    AvailabilityWindowForm,
    CredentialForm,
    LanguageForm,
    ModesForm,
    PreferencesForm,
    SkillsForm,
    onboarding_step_forms,
)

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@pytest.fixture(scope="module", autouse=True)
def examples_run_report(request):
    """Print how many examples ran: the figure the issue's closing note asks for."""
    yield
    report_examples_run(request.config, prefix="form:", title="fuzzed form submissions")


def fuzz_post(name: str, *, user, url: str, pairs, success=(302,)) -> None:
    with rolled_back():
        response = post_pairs(client_for(user), url, pairs)
        assert_handled(response, success=success)
    EXAMPLES_RUN[f"form:{name}"] += 1


# The cast: an organisation with a coordinator and an admin, its programme, site and open need; another
# organisation whose objects must never be choosable; a volunteer.


@pytest.fixture
def world(organisation, other_organisation, coordinator, organisation_admin, volunteer):
    site = SiteFactory(organisation=organisation, name="Bugando Medical Centre", city="Mwanza")
    programme = ProgrammeFactory(lead_organisation=organisation, title="Embolisation training, Mwanza")
    programme.sites.add(site)
    need = NeedFactory(programme=programme, host_site=site, title="PPH embolisation faculty")
    their_site = SiteFactory(organisation=other_organisation, name="Their hospital")
    their_programme = ProgrammeFactory(lead_organisation=other_organisation)
    their_need = NeedFactory(programme=their_programme, host_site=their_site)
    return {
        "organisation": organisation,
        "coordinator": coordinator,
        "organisation_admin": organisation_admin,
        "volunteer": volunteer,
        "site": site,
        "programme": programme,
        "need": need,
        # Ids of another organisation's objects, offered to every choice field among its real choices.
        "foreign_ids": [their_site.pk, their_programme.pk, their_need.pk, other_organisation.pk],
    }


# Sign-up (allauth)


class SignupFields(forms.Form):
    """The inputs of allauth's sign-up form (checked against it below), to generate data without a request."""

    email = forms.EmailField()
    password1 = forms.CharField()
    password2 = forms.CharField()


SIGNUP_VALID = {
    "email": "new.volunteer@example.org",
    "password1": "ir-volunteer-2027!",
    "password2": "ir-volunteer-2027!",
}


@fuzz_settings(20)
@given(submission=submissions(SignupFields.base_fields))
@example(submission=Submission(from_valid=True))
@example(submission=Submission(from_valid=True, changes=(("email", ("a\x00b@example.org",)),)))
def test_sign_up_survives_generated_input(db, submission):
    assert set(SignupFields.base_fields) == set(SignupForm().fields)
    # allauth limits sign-ups per address (429): each example is a new visitor, not the same one again.
    cache.clear()
    fuzz_post(
        "sign-up", user=None, url=reverse("account_signup"), pairs=submission.pairs(SignupFields(), valid=SIGNUP_VALID)
    )


# The volunteer profile wizard, each step (as a volunteer editing a completed profile: every step open)


def _wizard_fields(step: str) -> dict[str, forms.Field]:
    if step == "languages":
        return formset_fields(LanguageForm, prefix="languages", rows=3)
    if step == "availability":
        return {**ModesForm.base_fields, **formset_fields(AvailabilityWindowForm, prefix="windows", rows=2)}
    return {"about": AboutForm, "skills": SkillsForm, "preferences": PreferencesForm}[step].base_fields


def _wizard_valid(step: str) -> dict:
    if step == "about":
        return {
            "profession": "ir_physician",
            "career_stage": "established",
            "years_experience": "8",
            "home_country": "CA",
            "institution": "Lakeside General Hospital",
        }
    if step == "languages":
        return {
            "languages-TOTAL_FORMS": "3",
            "languages-INITIAL_FORMS": "1",
            "languages-0-language": "en",
            "languages-0-proficiency": "4",
            "languages-1-language": "fr",
            "languages-1-proficiency": "2",
        }
    if step == "skills":
        return {"skills": [str(skill("embolisation").pk)]}
    if step == "availability":
        return {
            "offers_onsite": "on",
            "offers_remote": "on",
            "windows-TOTAL_FORMS": "2",
            "windows-INITIAL_FORMS": "0",
            "windows-0-start_date": days(30).isoformat(),
            "windows-0-end_date": days(120).isoformat(),
            "windows-0-hours_per_week": "4",
        }
    return {"preferred_regions": ["ssa", "lac"], "bio": "Interventional radiologist keen to teach.", "consent": "on"}


def _wizard_test(step: str, examples: int):
    prefix = {"languages": "languages", "availability": "windows"}.get(step)

    @fuzz_settings(examples)
    @given(submission=submissions(_wizard_fields(step)))
    @example(submission=Submission(from_valid=True))
    @example(submission=Submission(from_valid=False))
    # A hand-made request claiming a thousand rows: refused, and only a few rows are ever built.
    @example(submission=Submission(from_valid=True, changes=((f"{prefix}-TOTAL_FORMS", ("1000",)),)))
    # A skill id too large for the database (the skills step; an unknown input elsewhere).
    @example(submission=Submission(from_valid=True, changes=(("skills", ("9" * 400,)),)))
    def test(world, submission):
        volunteer = world["volunteer"]
        form = onboarding_step_forms(step, profile=volunteer)
        fuzz_post(
            f"wizard {step}",
            user=volunteer.user,
            url=reverse("volunteers:onboarding-step", args=[step]),
            pairs=submission.pairs(
                *[one for one in (form.form, form.formset) if one is not None],
                valid=_wizard_valid(step),
                foreign_ids=world["foreign_ids"],
            ),
        )

    return test


test_wizard_about_survives_generated_input = _wizard_test("about", 10)
test_wizard_languages_survives_generated_input = _wizard_test("languages", 10)
test_wizard_skills_survives_generated_input = _wizard_test("skills", 6)
test_wizard_availability_survives_generated_input = _wizard_test("availability", 10)
test_wizard_preferences_survives_generated_input = _wizard_test("preferences", 6)


@fuzz_settings(6)
@given(submission=submissions(AboutForm.base_fields))
@example(submission=Submission(from_valid=True))
def test_first_wizard_step_of_a_new_volunteer_survives_generated_input(plain_user, submission):
    # The first step creates the profile: its refusal must leave no half-made profile behind.
    fuzz_post(
        "wizard first step",
        user=plain_user,
        url=reverse("volunteers:onboarding-step", args=["about"]),
        pairs=submission.pairs(AboutForm(), valid=_wizard_valid("about")),
    )


# The coordinator's workspace: sites, programmes, needs


SITE_VALID = {
    "name": "Kilimanjaro Christian Medical Centre",
    "city": "Moshi",
    "country": "TZ",
    "website": "kcmc.example.org",
    "description": "Referral hospital.",
}


@fuzz_settings(10)
@given(submission=submissions(SiteForm.base_fields))
@example(submission=Submission(from_valid=True))
@example(submission=Submission(from_valid=True, changes=(("name", ("Bugando Medical Centre",)), ("city", ("Mwanza",)))))
# An empty submission (no field at all): the form says what is missing.
@example(submission=Submission(from_valid=False))
def test_site_create_survives_generated_input(world, submission):
    fuzz_post(
        "site create",
        user=world["coordinator"],
        url=reverse("programmes:site-create", args=[world["organisation"].slug]),
        pairs=submission.pairs(SiteForm(), valid=SITE_VALID),
    )


def _programme_valid(world) -> dict:
    return {
        "title": "Ultrasound-guided drainage, Moshi",
        "kind": "training",
        "summary": "Drainage training.",
        "description": "Two-week blocks.",
        "countries": ["TZ", "KE"],
        "sites": [str(world["site"].pk)],
        "start_date": days(10).isoformat(),
        "end_date": days(400).isoformat(),
    }


@fuzz_settings(8)
@given(submission=submissions(ProgrammeForm.base_fields))
@example(submission=Submission(from_valid=True))
@example(submission=Submission(from_valid=True, changes=(("sites", (Pick(1),)),)))
@example(submission=Submission(from_valid=True, changes=(("partners", ("9" * 30, "1")),)))
def test_programme_create_survives_generated_input(world, submission):
    form = ProgrammeForm(organisation=world["organisation"])
    fuzz_post(
        "programme create",
        user=world["coordinator"],
        url=reverse("programmes:programme-create", args=[world["organisation"].slug]),
        pairs=submission.pairs(form, valid=_programme_valid(world), foreign_ids=world["foreign_ids"]),
    )


@fuzz_settings(6)
@given(submission=submissions(ProgrammeForm.base_fields))
@example(submission=Submission(from_valid=True))
def test_programme_edit_survives_generated_input(world, submission):
    programme = world["programme"]
    form = ProgrammeForm(instance=programme, organisation=programme.lead_organisation)
    fuzz_post(
        "programme edit",
        user=world["coordinator"],
        url=reverse("programmes:programme-edit", args=[programme.pk]),
        pairs=submission.pairs(form, valid=_programme_valid(world), foreign_ids=world["foreign_ids"]),
    )


def _need_valid(world) -> dict:
    return {
        "title": "IR faculty for post-partum haemorrhage embolisation",
        "description": "Teach uterine artery embolisation to two local fellows.",
        "profession": "ir_physician",
        "places": "2",
        "mode": Mode.ONSITE,
        "host_site": str(world["site"].pk),
        "window_start": days(40).isoformat(),
        "window_end": days(100).isoformat(),
        "min_duration_days": "14",
        "hours_per_week": "0",
        "min_years_experience": "3",
        "application_deadline": days(30).isoformat(),
        "offers_accommodation": "on",
        "support_notes": "Airport pick-up.",
        "required_skills": [str(skill("embolisation").pk)],
        "required_languages": ["en"],
    }


@fuzz_settings(15)
@given(submission=submissions(NeedForm.base_fields))
@example(submission=Submission(from_valid=True))
@example(submission=Submission(from_valid=True, changes=(("host_site", (Pick(1),)),)))
# An id too large for the database: OverflowError on SQLite (IN (…) query) before the fix.
@example(submission=Submission(from_valid=True, changes=(("preferred_skills", ("9" * 400,)),)))
def test_need_create_survives_generated_input(world, submission):
    programme = world["programme"]
    fuzz_post(
        "need create",
        user=world["coordinator"],
        url=reverse("programmes:need-create", args=[programme.pk]),
        pairs=submission.pairs(
            NeedForm(programme=programme), valid=_need_valid(world), foreign_ids=world["foreign_ids"]
        ),
    )


@fuzz_settings(10)
@given(submission=submissions(NeedForm.base_fields))
@example(submission=Submission(from_valid=True))
@example(submission=Submission(from_valid=True, changes=(("required_skills", ("-" + "9" * 30,)),)))
def test_need_edit_survives_generated_input(world, submission):
    need = world["need"]
    fuzz_post(
        "need edit",
        user=world["coordinator"],
        url=reverse("programmes:need-edit", args=[need.pk]),
        pairs=submission.pairs(
            NeedForm(instance=need, programme=need.programme),
            valid=_need_valid(world),
            foreign_ids=world["foreign_ids"],
        ),
    )


# A volunteer's application to a need


@fuzz_settings(10)
@given(submission=submissions(ApplicationForm.base_fields))
@example(submission=Submission(from_valid=True))
def test_application_survives_generated_input(world, submission):
    need = world["need"]
    valid = {
        "message": "I have taught embolisation for eight years.",
        "proposed_start": need.window_start.isoformat(),
        "proposed_end": (need.window_start + datetime.timedelta(days=20)).isoformat(),
    }
    fuzz_post(
        "application",
        user=world["volunteer"].user,
        url=reverse("placements:application-create", args=[need.pk]),
        pairs=submission.pairs(ApplicationForm(need=need), valid=valid),
    )


# Organisations: asking to list one, inviting a member


ORGANISATION_VALID = {
    "name": "Interventional Outreach Tanzania",
    "acronym": "IOT",
    "kind": "ngo",
    "website": "iot.example.org",
    "contact_email": "hello@iot.example.org",
    "headquarters_country": "TZ",
    "countries": ["TZ", "KE"],
    "description": "Brings IR to northern Tanzania.",
}


@fuzz_settings(10)
@given(submission=submissions(OrganisationRequestForm.base_fields))
@example(submission=Submission(from_valid=True))
@example(submission=Submission(from_valid=True, changes=(("name", ("Road to IR Test Partners",)),)))
def test_organisation_request_survives_generated_input(plain_user, submission):
    fuzz_post(
        "organisation request",
        user=plain_user,
        url=reverse("organisations:organisation-request"),
        pairs=submission.pairs(OrganisationRequestForm(), valid=ORGANISATION_VALID),
    )


@fuzz_settings(8)
@given(submission=submissions(InvitationForm.base_fields))
@example(submission=Submission(from_valid=True))
def test_member_invitation_survives_generated_input(world, submission):
    fuzz_post(
        "member invitation",
        user=world["organisation_admin"],
        url=reverse("organisations:invitation-create", args=[world["organisation"].slug]),
        pairs=submission.pairs(InvitationForm(), valid={"email": "new.colleague@example.org", "role": "coordinator"}),
    )


# Feedback, declining with a reason, notification preferences


@pytest.fixture
def ended_placement(world):
    """The volunteer's placement on the need, which ended two days ago: feedback is open."""
    return PlacementFactory(
        application__need=world["need"],
        application__volunteer=world["volunteer"],
        application__proposed_start=days(-20),
        application__proposed_end=days(-2),
    )


@fuzz_settings(6)
@given(submission=submissions(FeedbackForm.base_fields))
@example(submission=Submission(from_valid=True))
@example(submission=Submission(from_valid=False))
def test_feedback_survives_generated_input(world, ended_placement, submission):
    fuzz_post(
        "feedback",
        user=world["volunteer"].user,
        url=reverse("placements:volunteer-feedback", args=[ended_placement.pk]),
        pairs=submission.pairs(FeedbackForm(), valid={"rating": "4", "comments": "Well organised."}),
    )


@pytest.fixture
def applicant(world):
    """Someone else's application to the need."""
    return ApplicationFactory(need=world["need"], volunteer=VolunteerProfileFactory())


@fuzz_settings(6)
@given(submission=submissions(DeclineForm.base_fields))
@example(submission=Submission(from_valid=True))
def test_decline_with_reason_survives_generated_input(world, applicant, submission):
    application = applicant
    fuzz_post(
        "decline with reason",
        user=world["coordinator"],
        url=reverse("placements:application-decline", args=[application.pk]),
        pairs=submission.pairs(DeclineForm(), valid={"reason": "Every place is taken this year."}),
    )


@fuzz_settings(4)
@given(submission=submissions(NotificationPreferenceForm.base_fields))
@example(submission=Submission(from_valid=True))
def test_notification_preferences_survive_generated_input(volunteer, submission):
    fuzz_post(
        "notification preferences",
        user=volunteer.user,
        url=reverse("notifications:preferences"),
        pairs=submission.pairs(NotificationPreferenceForm(), valid={}),
    )


# Credentials: the metadata (hostile files are another test's business)


CREDENTIAL_FIELDS = {name: field for name, field in CredentialForm.base_fields.items() if name != "document"}


@fuzz_settings(6)
@given(submission=submissions(CREDENTIAL_FIELDS))
@example(submission=Submission(from_valid=True))
def test_credential_metadata_survives_generated_input(volunteer, submission):
    valid = {
        "kind": "board",
        "title": "Board certification in radiology",
        "issuing_body": "Royal College",
        "issuing_country": "CA",
        "number": "RC-1234",
        "issued_on": days(-400).isoformat(),
        "expires_on": days(800).isoformat(),
    }
    data: dict[str, list[str]] = {}
    for name, value in submission.pairs(CredentialForm(), valid=valid):
        # A multipart body carries text as UTF-8: a lone surrogate cannot be sent that way.
        data.setdefault(name, []).append(value.encode("utf-8", "replace").decode("utf-8"))
    data["document"] = SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf")
    with rolled_back():
        response = client_for(volunteer.user).post(reverse("volunteers:credentials"), data)
        assert_handled(response)
    EXAMPLES_RUN["form:credential metadata"] += 1


# Match rounds: opening one, ranking applicants (coordinator) and needs (volunteer)


@fuzz_settings(6)
@given(submission=submissions(MatchRoundForm.base_fields))
@example(submission=Submission(from_valid=True))
@example(submission=Submission(from_valid=True, changes=(("ranking_deadline", ("99999-01-01T10:00",)),)))
# An empty submission (no field at all): the form says what is missing.
@example(submission=Submission(from_valid=False))
def test_match_round_creation_survives_generated_input(world, applicant, submission):
    programme = world["programme"]
    deadline = timezone.localtime() + datetime.timedelta(days=7)
    fuzz_post(
        "match round create",
        user=world["coordinator"],
        url=reverse("matcher:round-create", args=[programme.pk]),
        pairs=submission.pairs(MatchRoundForm(), valid={"ranking_deadline": deadline.strftime("%Y-%m-%dT%H:%M")}),
    )


@pytest.fixture
def open_round(world):
    """An open round on the programme: two applicants for the need, one of them the cast's volunteer."""
    need = world["need"]
    second_need = NeedFactory(programme=world["programme"], host_site=world["site"], title="Drainage teaching")
    applications = [
        ApplicationFactory(need=need, volunteer=world["volunteer"]),
        ApplicationFactory(need=need, volunteer=VolunteerProfileFactory()),
        ApplicationFactory(need=second_need, volunteer=world["volunteer"]),
    ]
    match_round = rounds.match_round_open(
        programme=world["programme"],
        ranking_deadline=timezone.now() + datetime.timedelta(days=7),
        by=world["coordinator"],
    )
    return match_round, applications, [need, second_need]


def rank_fields(key: str) -> dict[str, forms.Field]:
    # Boxes for the choices on the page (slot 0 and 1), for ids not on the page, and junk names.
    field = forms.IntegerField(min_value=1, max_value=999)
    return {f"{key}-slot0": field, f"{key}-slot1": field, f"{key}-999999": field, f"{key}-": field, key: field}


def _resolve_slots(pairs, key: str, ids: list[int]):
    return [
        (name.replace(f"{key}-slot0", f"{key}-{ids[0]}").replace(f"{key}-slot1", f"{key}-{ids[-1]}"), value)
        for name, value in pairs
    ]


@fuzz_settings(8)
@given(submission=submissions(rank_fields("applicant")))
@example(submission=Submission(from_valid=True))
@example(submission=Submission(from_valid=True, changes=(("applicant-slot1", ("1",)),)))
def test_coordinator_ranking_survives_generated_input(open_round, world, submission):
    match_round, applications, needs = open_round
    ids = [applications[0].pk, applications[1].pk]
    pairs = submission.pairs(forms.Form(), valid={"applicant-slot0": "1", "applicant-slot1": "2"})
    fuzz_post(
        "coordinator ranking",
        user=world["coordinator"],
        url=reverse("matcher:round-need-ranking", args=[match_round.pk, needs[0].pk]),
        pairs=_resolve_slots(pairs, "applicant", ids),
    )


@fuzz_settings(8)
@given(submission=submissions(rank_fields("need")))
@example(submission=Submission(from_valid=True))
@example(submission=Submission(from_valid=True, changes=(("need-slot0", DROP),)))
def test_volunteer_ranking_survives_generated_input(open_round, world, submission):
    match_round, _applications, needs = open_round
    pairs = submission.pairs(forms.Form(), valid={"need-slot0": "2", "need-slot1": "1"})
    fuzz_post(
        "volunteer ranking",
        user=world["volunteer"].user,
        url=reverse("matcher:round-volunteer", args=[match_round.pk]),
        pairs=_resolve_slots(pairs, "need", [need.pk for need in needs]),
    )


def test_choices_include_other_organisations_objects(world):
    """Picks go through the form's own choices, then through another organisation's ids: the fuzz tries both."""
    need_form = NeedForm(programme=world["programme"])

    own = Submission(from_valid=False, changes=(("host_site", (Pick(0),)),)).pairs(
        need_form, foreign_ids=world["foreign_ids"]
    )
    foreign = Submission(from_valid=False, changes=(("host_site", (Pick(1),)),)).pairs(
        need_form, foreign_ids=world["foreign_ids"]
    )

    assert own == [("host_site", str(world["site"].pk))]
    assert foreign == [("host_site", str(world["foreign_ids"][0]))]
