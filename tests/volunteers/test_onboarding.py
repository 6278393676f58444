"""The volunteer's profile wizard (/me/welcome/) and profile page (/me/profile/), driven through the test client."""

import datetime
import re
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import (
    AvailabilityWindowFactory,
    CredentialFactory,
    UserFactory,
    VolunteerProfileFactory,
    skill,
    today,
)
from volunteers import services
from volunteers.models import AvailabilityWindow, Proficiency, Skill, VolunteerProfile

pytestmark = pytest.mark.django_db

STEPS = ["about", "languages", "skills", "availability", "preferences"]
DAY = datetime.timedelta(days=1)


def step_url(step: str) -> str:
    return reverse("volunteers:onboarding-step", args=[step])


def in_days(days: int) -> str:
    return (today() + days * DAY).isoformat()


def test_the_address_people_guess_for_the_wizard_leads_to_it(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get("/welcome/", follow=True)

    assert response.redirect_chain[0] == ("/me/welcome/", 302)
    assert response.status_code == 200
    assert response.request["PATH_INFO"].startswith("/me/welcome/")


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def about_data(**overrides) -> dict:
    return {
        "name": "Adaeze Nwosu",
        "title": "",
        "profession": "sonographer",
        "career_stage": "early",
        "years_experience": "4",
        "home_country": "NG",
        "institution": "Lagos University Teaching Hospital",
        **overrides,
    }


def languages_data(*rows: tuple[str, int], initial: int = 0, deleted: tuple[int, ...] = ()) -> dict:
    """rows are (language code, proficiency); an empty code leaves the row blank, as the browser sends it."""
    data = management("languages", len(rows), initial)
    for index, (code, proficiency) in enumerate(rows):
        data[f"languages-{index}-language"] = code
        data[f"languages-{index}-proficiency"] = str(proficiency)
        if index in deleted:
            data[f"languages-{index}-DELETE"] = "on"
    return data


def availability_data(
    *windows: tuple[str, str, str], onsite: bool = True, remote: bool = False, initial: int = 0, deleted=()
) -> dict:
    """windows are (start, end, hours per week) as the form's inputs send them."""
    data = management("windows", len(windows), initial)
    if onsite:
        data["offers_onsite"] = "on"
    if remote:
        data["offers_remote"] = "on"
    for index, (start, end, hours) in enumerate(windows):
        data[f"windows-{index}-start_date"] = start
        data[f"windows-{index}-end_date"] = end
        data[f"windows-{index}-hours_per_week"] = hours
        if index in deleted:
            data[f"windows-{index}-DELETE"] = "on"
    return data


def preferences_data(consent: bool = True, **overrides) -> dict:
    data = {"preferred_regions": ["ssa", "lac"], "bio": "Sonographer teaching obstetric ultrasound.", **overrides}
    if consent:
        data["consent"] = "on"
    return data


STEP_DATA = {
    "about": about_data,
    "languages": lambda: languages_data(("en", 4), ("yo", 3), ("", 2)),
    "skills": lambda: {"skills": [skill("ultrasound").pk, skill("teaching").pk]},
    "availability": lambda: availability_data((in_days(30), in_days(60), "4"), remote=True),
    "preferences": preferences_data,
}


def save_steps(client, *steps: str):
    for step in steps:
        response = client.post(step_url(step), STEP_DATA[step]())
        assert response.status_code == 302, f"step {step} was refused: {response.content.decode()[:2000]}"
    return response


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def progress_items(page: str) -> list[str]:
    nav = re.search(r'<nav class="wizard-progress".*?</nav>', page, re.S)
    assert nav, "no progress indicator on the page"
    return re.findall(r"<li[^>]*>.*?</li>", nav.group(0), re.S)


@pytest.fixture
def newcomer(plain_user):
    """A verified user who has not started a volunteer profile."""
    return plain_user


@pytest.fixture
def newcomer_client(client, newcomer):
    client.force_login(newcomer)
    return client


@pytest.fixture
def volunteer_client(client, volunteer):
    client.force_login(volunteer.user)
    return client


def profile_of(user) -> VolunteerProfile:
    return VolunteerProfile.objects.get(user=user)


# Starting, progress and resuming


def test_new_volunteer_is_sent_to_the_first_step(newcomer_client):
    response = newcomer_client.get(reverse("volunteers:onboarding"))

    assert response.status_code == 302
    assert response["Location"] == step_url("about")


def test_every_step_shows_where_the_volunteer_is_among_the_five(newcomer_client, newcomer):
    save_steps(newcomer_client, *STEPS[:4])

    for number, step in enumerate(STEPS, start=1):
        response = newcomer_client.get(step_url(step))

        assert response.status_code == 200
        page = response.content.decode()
        assert f"Step {number} of 5" in page
        items = progress_items(page)
        assert len(items) == 5
        current = [item for item in items if 'aria-current="step"' in item]
        assert len(current) == 1
        assert str(response.context["step_title"]) in current[0]


def test_saved_steps_are_links_in_the_progress_and_steps_not_reached_are_not(newcomer_client):
    save_steps(newcomer_client, "about", "languages")

    items = progress_items(newcomer_client.get(step_url("skills")).content.decode())

    assert f'href="{step_url("about")}"' in items[0] and "(saved)" in items[0]
    assert f'href="{step_url("languages")}"' in items[1] and "(saved)" in items[1]
    assert "href" not in items[2]  # the current step
    assert "href" not in items[3] and "href" not in items[4]


def test_volunteer_who_left_after_step_two_resumes_at_step_three(client, newcomer):
    client.force_login(newcomer)
    save_steps(client, "about", "languages")
    client.logout()

    returning = Client()
    returning.force_login(newcomer)
    response = returning.get(reverse("volunteers:onboarding"))

    assert response["Location"] == step_url("skills")
    page = returning.get(response["Location"]).content.decode()
    assert "Step 3 of 5" in page


@pytest.mark.parametrize("later_step", ["skills", "availability", "preferences"])
def test_later_steps_cannot_be_skipped_to(newcomer_client, newcomer, later_step):
    save_steps(newcomer_client, "about")

    opened = newcomer_client.get(step_url(later_step))
    posted = newcomer_client.post(step_url(later_step), STEP_DATA[later_step]())

    assert opened["Location"] == step_url("languages")
    assert posted["Location"] == step_url("languages")
    profile = profile_of(newcomer)
    assert profile.onboarding_step == 1
    assert not profile.skills.exists()
    assert not profile.availability.exists()
    assert not profile.consent_to_share


def test_nobody_reaches_the_second_step_before_the_first(newcomer_client, newcomer):
    response = newcomer_client.post(step_url("languages"), STEP_DATA["languages"]())

    assert response["Location"] == step_url("about")
    assert not VolunteerProfile.objects.filter(user=newcomer).exists()


def test_unknown_step_is_not_found(newcomer_client):
    assert newcomer_client.get(step_url("payment")).status_code == 404


def test_going_back_to_an_earlier_step_shows_what_was_saved(newcomer_client):
    save_steps(newcomer_client, "about", "languages")

    response = newcomer_client.get(step_url("about"))

    form = response.context["form"]
    assert form["institution"].value() == "Lagos University Teaching Hospital"
    assert form["home_country"].value() == "NG"
    assertContains(response, f'href="{step_url("skills")}"')  # the next step is still reachable


# The whole wizard


def test_volunteer_completes_the_five_steps_and_lands_on_the_dashboard(newcomer_client, newcomer):
    for step in STEPS[:-1]:
        response = newcomer_client.post(step_url(step), STEP_DATA[step]())
        assert response["Location"] == step_url(STEPS[STEPS.index(step) + 1])

    response = newcomer_client.post(step_url("preferences"), preferences_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("placements:dashboard")
    assert messages_of(response) == [
        "Welcome to GlobalIR! Your profile is complete: you can now apply to opportunities."
    ]
    profile = profile_of(newcomer)
    assert profile.onboarding_completed_at is not None
    assert (profile.profession, profile.career_stage, profile.years_experience) == ("sonographer", "early", 4)
    assert profile.home_country == "NG"
    assert [(row.language_id, row.proficiency) for row in profile.languages.all()] == [("en", 4), ("yo", 3)]
    assert set(profile.skills.values_list("slug", flat=True)) == {"ultrasound", "teaching"}
    assert (profile.offers_onsite, profile.offers_remote) == (True, True)
    assert list(profile.availability.values_list("start_date", "end_date", "hours_per_week")) == [
        (today() + 30 * DAY, today() + 60 * DAY, 4)
    ]
    assert profile.preferred_regions == ["ssa", "lac"]
    assert profile.bio == "Sonographer teaching obstetric ultrasound."
    assert profile.consent_to_share and profile.consent_given_at is not None


def test_finishing_without_consent_is_refused_and_keeps_what_was_typed(newcomer_client, newcomer):
    save_steps(newcomer_client, *STEPS[:4])

    response = newcomer_client.post(
        step_url("preferences"), preferences_data(consent=False, bio="Happy to teach in French.")
    )

    assert response.status_code == 200
    assertContains(
        response,
        "Tick the box to agree to be shown to the coordinators of needs you apply to or are suggested for: "
        "they cannot consider you without it.",
    )
    assertContains(response, 'role="alert"')
    assertContains(response, "Happy to teach in French.</textarea>")
    assert response.context["form"]["preferred_regions"].value() == ["ssa", "lac"]
    profile = profile_of(newcomer)
    assert profile.onboarding_completed_at is None
    assert not profile.consent_to_share
    assert profile.bio == ""


def test_the_finish_button_says_finish_only_on_the_last_step(newcomer_client):
    save_steps(newcomer_client, *STEPS[:4])

    assertContains(newcomer_client.get(step_url("availability")), "Save and continue")
    last = newcomer_client.get(step_url("preferences"))
    assertContains(last, ">Finish</button>")
    assertContains(last, "You can withdraw your consent at any time from your profile.")


def test_onboarded_volunteer_opening_the_wizard_is_sent_to_their_profile(volunteer_client):
    response = volunteer_client.get(reverse("volunteers:onboarding"))

    assert response["Location"] == reverse("volunteers:profile")


# Step 1: about


def test_first_step_with_mistakes_shows_each_error_and_keeps_what_was_typed(newcomer_client, newcomer):
    response = newcomer_client.post(
        step_url("about"), about_data(profession="", years_experience="four", home_country="")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["profession"] == ["This field is required."]
    assert errors["years_experience"] == ["Enter a whole number."]
    assert errors["home_country"] == ["This field is required."]
    assertContains(response, "Some answers need your attention: see the messages below.")
    assertContains(response, 'value="four"')
    assertContains(response, 'value="Lagos University Teaching Hospital"')
    assertContains(response, '<option value="early" selected>')
    assert not VolunteerProfile.objects.filter(user=newcomer).exists()


def test_first_step_asks_for_the_name_to_be_called_by_and_offers_titles(newcomer_client, newcomer):
    page = newcomer_client.get(step_url("about"))

    assertContains(page, '<label for="id_name">Your name:</label>', html=True)
    assertContains(page, '<label for="id_title">Title:</label>', html=True)
    assertContains(page, 'list="id_title-suggestions"')
    assertContains(page, '<datalist id="id_title-suggestions">')
    assertContains(page, '<option value="Dr"></option>', html=True)
    assertContains(page, '<option value="Prof"></option>', html=True)

    save_response = newcomer_client.post(step_url("about"), about_data(name="  Adaeze   Nwosu ", title="Assoc. Prof"))

    assert save_response.status_code == 302
    profile = profile_of(newcomer)
    assert (profile.title, profile.name) == ("Assoc. Prof", "Adaeze Nwosu")
    assert profile.display_name == "Assoc. Prof Adaeze Nwosu"


def test_first_step_without_a_name_is_refused_and_the_title_is_optional(newcomer_client, newcomer):
    response = newcomer_client.post(step_url("about"), about_data(name="   ", title="Dr"))

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Tell us your name: coordinators need to know what to call you."]
    assertContains(response, 'value="Dr"')
    assert not VolunteerProfile.objects.filter(user=newcomer).exists()

    save_steps(newcomer_client, "about")
    assert (profile_of(newcomer).title, profile_of(newcomer).name) == ("", "Adaeze Nwosu")


def test_medical_student_cannot_claim_more_than_ten_years_of_experience(newcomer_client, newcomer):
    response = newcomer_client.post(
        step_url("about"), about_data(profession="student", career_stage="student", years_experience="12")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["years_experience"] == [
        "A medical student cannot have more than 10 years of experience."
    ]
    assert not VolunteerProfile.objects.filter(user=newcomer).exists()


def test_first_step_sent_twice_at_once_creates_one_profile(transactional_db):
    """A double-clicked "Save and continue": the second request waits for the first, then updates its row."""
    user = UserFactory()
    data = {
        "name": "Adaeze Nwosu",
        "title": "",
        "profession": "sonographer",
        "career_stage": "early",
        "years_experience": 4,
        "home_country": "NG",
        "institution": "",
    }
    first_inserted = threading.Event()
    release_first = threading.Event()
    errors = []

    def first_request():
        try:
            with transaction.atomic():
                services.profile_save_step(user=user, step="about", data=data)
                first_inserted.set()
                release_first.wait(timeout=10)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            first_inserted.set()
            connection.close()

    def second_request():
        try:
            services.profile_save_step(user=user, step="about", data={**data, "years_experience": 5})
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=first_request)
    first.start()
    assert first_inserted.wait(timeout=10)
    second = threading.Thread(target=second_request)
    second.start()
    # Let the second request reach the database and wait on the first one's uncommitted row.
    second.join(timeout=0.5)
    release_first.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert errors == []
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.years_experience == 5
    assert profile.onboarding_step == 1


# Step 2: languages


def test_languages_are_saved_with_their_level(newcomer_client, newcomer):
    save_steps(newcomer_client, "about")

    response = newcomer_client.post(step_url("languages"), languages_data(("fr", 2), ("en", 3), ("", 2)))

    assert response["Location"] == step_url("skills")
    assert sorted(profile_of(newcomer).languages.values_list("language_id", "proficiency")) == [
        ("en", Proficiency.FLUENT),
        ("fr", Proficiency.WORKING),
    ]


def test_the_same_language_twice_is_refused(newcomer_client, newcomer):
    save_steps(newcomer_client, "about")

    response = newcomer_client.post(step_url("languages"), languages_data(("en", 4), ("fr", 2), ("en", 2)))

    assert response.status_code == 200
    assertContains(response, "English is listed twice: keep it once, with your best level.")
    assert response.context["formset"].forms[1]["language"].value() == "fr"
    assert not profile_of(newcomer).languages.exists()
    assert profile_of(newcomer).onboarding_step == 1


def test_at_least_one_language_is_required(newcomer_client, newcomer):
    save_steps(newcomer_client, "about")

    response = newcomer_client.post(step_url("languages"), languages_data(("", 2), ("", 2), ("", 2)))

    assert response.status_code == 200
    assertContains(response, "Add at least one language you can work in.")
    assert profile_of(newcomer).onboarding_step == 1


def test_removing_every_language_later_is_refused(volunteer_client, volunteer):
    response = volunteer_client.post(step_url("languages"), languages_data(("en", 4), initial=1, deleted=(0,)))

    assert response.status_code == 200
    assertContains(response, "Add at least one language you can work in.")
    assert list(volunteer.languages.values_list("language_id", flat=True)) == ["en"]


# Step 3: skills


def test_skills_are_plain_checkboxes_that_work_without_javascript(newcomer_client):
    save_steps(newcomer_client, "about", "languages")

    response = newcomer_client.get(step_url("skills"))

    page = response.content.decode()
    checkboxes = re.findall(r'<input type="checkbox" name="skills" value="(\d+)"', page)
    assert sorted(map(int, checkboxes)) == sorted(Skill.objects.active().values_list("pk", flat=True))
    for category in ("IR procedure", "Imaging modality", "Teaching, research and service development"):
        assertContains(response, f"<legend>{category}</legend>")
    assertContains(response, '<label for="id_skills_', count=len(checkboxes))
    # The filter box is an enhancement: hidden until skill-filter.js shows it.
    assert re.search(r"<div[^>]*data-skill-filter[^>]*\shidden[\s>]", page)
    assert re.search(r'<script src="[^"]*js/skill-filter\.js" defer></script>', page)


def test_filter_script_is_only_loaded_on_the_skills_step(newcomer_client):
    response = newcomer_client.get(step_url("about"))

    assertNotContains(response, "skill-filter.js")


def test_ticked_skills_are_saved_and_shown_ticked_when_coming_back(newcomer_client, newcomer):
    save_steps(newcomer_client, "about", "languages")
    chosen = [skill("embolisation"), skill("ultrasound"), skill("mentoring")]

    response = newcomer_client.post(step_url("skills"), {"skills": [item.pk for item in chosen]})

    assert response["Location"] == step_url("availability")
    assert set(profile_of(newcomer).skills.all()) == set(chosen)
    page = newcomer_client.get(step_url("skills")).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="skills" value="(\d+)"[^>]*checked', page)
    assert sorted(map(int, ticked)) == sorted(item.pk for item in chosen)


def test_no_skill_ticked_is_allowed(newcomer_client, newcomer):
    save_steps(newcomer_client, "about", "languages")

    response = newcomer_client.post(step_url("skills"), {})

    assert response["Location"] == step_url("availability")
    assert profile_of(newcomer).onboarding_step == 3


def test_retired_skill_is_not_offered(newcomer_client):
    retired = skill("nephrostomy")
    retired.is_active = False
    retired.save()
    save_steps(newcomer_client, "about", "languages")

    response = newcomer_client.post(step_url("skills"), {"skills": [retired.pk]})

    assert response.status_code == 200
    assert response.context["form"].errors["skills"]
    assertNotContains(newcomer_client.get(step_url("skills")), f'value="{retired.pk}"')


# Step 4: modes and availability


@pytest.fixture
def at_availability(newcomer_client):
    save_steps(newcomer_client, "about", "languages", "skills")
    return newcomer_client


def test_several_periods_are_saved(at_availability, newcomer):
    data = availability_data(
        (in_days(10), in_days(40), "4"), (in_days(100), in_days(130), "6"), ("", "", ""), remote=True
    )

    response = at_availability.post(step_url("availability"), data)

    assert response["Location"] == step_url("preferences")
    assert list(profile_of(newcomer).availability.values_list("start_date", "end_date", "hours_per_week")) == [
        (today() + 10 * DAY, today() + 40 * DAY, 4),
        (today() + 100 * DAY, today() + 130 * DAY, 6),
    ]


def test_hours_per_week_are_required_in_each_period_when_remote_work_is_offered(at_availability, newcomer):
    data = availability_data(
        (in_days(10), in_days(40), "4"), (in_days(100), in_days(130), ""), onsite=False, remote=True
    )

    response = at_availability.post(step_url("availability"), data)

    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.forms[1].errors["hours_per_week"] == [
        "You offer remote work: say how many hours a week you can give in this period."
    ]
    assert not formset.forms[0].errors
    assertContains(response, f'value="{in_days(100)}"')
    assertContains(response, 'name="offers_remote" id="id_offers_remote" checked')
    assert not profile_of(newcomer).availability.exists()


def test_hours_per_week_are_not_needed_for_on_site_work_only(at_availability, newcomer):
    response = at_availability.post(step_url("availability"), availability_data((in_days(10), in_days(40), "")))

    assert response["Location"] == step_url("preferences")
    profile = profile_of(newcomer)
    assert (profile.offers_onsite, profile.offers_remote) == (True, False)
    assert profile.availability.get().hours_per_week == 0


def test_period_that_is_already_over_is_refused(at_availability, newcomer):
    response = at_availability.post(step_url("availability"), availability_data((in_days(-40), in_days(-1), "")))

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["end_date"] == [
        "This period is already over: give dates from today onwards."
    ]
    assert not profile_of(newcomer).availability.exists()


def test_period_that_has_started_and_goes_on_is_accepted(at_availability, newcomer):
    response = at_availability.post(step_url("availability"), availability_data((in_days(-5), in_days(20), "")))

    assert response["Location"] == step_url("preferences")
    assert profile_of(newcomer).availability.get().start_date == today() - 5 * DAY


def test_period_ending_before_it_starts_is_refused(at_availability):
    response = at_availability.post(step_url("availability"), availability_data((in_days(40), in_days(10), "")))

    assert response.context["formset"].forms[0].errors["end_date"] == ["The end date cannot be before the start date."]


def test_a_way_to_help_must_be_chosen(at_availability, newcomer):
    data = availability_data((in_days(10), in_days(40), "4"), onsite=False, remote=False)

    response = at_availability.post(step_url("availability"), data)

    assert response.status_code == 200
    assertContains(response, "Choose at least one way you can help: on site, remotely or both.")
    assert profile_of(newcomer).onboarding_step == 3


def test_at_least_one_period_is_required(at_availability):
    response = at_availability.post(step_url("availability"), availability_data(("", "", "")))

    assert response.status_code == 200
    assertContains(response, "Add at least one period when you are available.")


def test_editing_availability_replaces_upcoming_periods_and_keeps_past_ones(volunteer_client, volunteer):
    past = AvailabilityWindowFactory(profile=volunteer, start_date=today() - 90 * DAY, end_date=today() - 60 * DAY)
    AvailabilityWindowFactory(profile=volunteer, start_date=today() + 10 * DAY, end_date=today() + 40 * DAY)
    AvailabilityWindowFactory(profile=volunteer, start_date=today() + 100 * DAY, end_date=today() + 130 * DAY)

    # The form shows the two upcoming periods; the volunteer removes the second and adds a new one.
    data = availability_data(
        (in_days(10), in_days(40), "4"),
        (in_days(100), in_days(130), "4"),
        (in_days(200), in_days(220), "2"),
        remote=True,
        initial=2,
        deleted=(1,),
    )
    response = volunteer_client.post(step_url("availability"), data)

    assert response["Location"] == reverse("volunteers:profile")
    assert list(AvailabilityWindow.objects.filter(profile=volunteer).values_list("start_date", "hours_per_week")) == [
        (past.start_date, past.hours_per_week),
        (today() + 10 * DAY, 4),
        (today() + 200 * DAY, 2),
    ]


# The profile page and editing after onboarding


def test_profile_page_shows_every_section_with_a_link_to_edit_its_step(volunteer_client, volunteer):
    volunteer.skills.set([skill("embolisation"), skill("teaching")])
    AvailabilityWindowFactory(
        profile=volunteer, start_date=today() + 10 * DAY, end_date=today() + 40 * DAY, hours_per_week=6
    )

    response = volunteer_client.get(reverse("volunteers:profile"))

    assert response.status_code == 200
    for step in STEPS:
        assertContains(response, f'href="{step_url(step)}"', count=1)
    assertContains(response, f'href="{reverse("volunteers:credentials")}"')
    for text in (
        "Interventional radiologist",
        "8 years",
        "Canada",
        "Lakeside General Hospital",
        "English — Native",
        "Embolisation",
        "Teaching",
        "6 hours a week remotely",
        "Sub-Saharan Africa",
        "Interventional radiologist keen to teach.",
    ):
        assertContains(response, text)


def test_profile_page_does_not_list_periods_that_are_over(volunteer_client, volunteer):
    AvailabilityWindowFactory(
        profile=volunteer, start_date=datetime.date(2020, 1, 6), end_date=datetime.date(2020, 2, 7)
    )

    response = volunteer_client.get(reverse("volunteers:profile"))

    assertNotContains(response, "2020")
    assertContains(response, "No upcoming period: add one so that coordinators know when you can help.")


@pytest.mark.parametrize("step", STEPS)
def test_editing_a_step_after_onboarding_returns_to_the_profile(volunteer_client, volunteer, step):
    page = volunteer_client.get(step_url(step))
    assert page.status_code == 200
    assertContains(page, "Save changes")
    assertContains(page, f'href="{reverse("volunteers:profile")}"')
    assertNotContains(page, "wizard-progress")

    response = volunteer_client.post(step_url(step), STEP_DATA[step]())

    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:profile")
    assert messages_of(response) == ["Your profile has been saved."]
    profile = profile_of(volunteer.user)
    assert profile.onboarding_completed_at == volunteer.onboarding_completed_at


def test_edited_answers_show_on_the_profile_page(volunteer_client):
    volunteer_client.post(step_url("about"), about_data(institution="Hôpital de la Croix-Rousse"))

    assertContains(volunteer_client.get(reverse("volunteers:profile")), "Hôpital de la Croix-Rousse")


def test_editing_preferences_leaves_consent_alone_and_points_to_its_own_page(volunteer_client, volunteer):
    page = volunteer_client.get(step_url("preferences"))
    assertNotContains(page, 'name="consent"')
    assertContains(page, f'href="{reverse("volunteers:consent")}"')

    # What a volunteer who unticked the box used to send: now saved, consent untouched.
    response = volunteer_client.post(step_url("preferences"), preferences_data(consent=False, bio="New bio."))

    assert response.status_code == 302
    profile = profile_of(volunteer.user)
    assert profile.bio == "New bio."
    assert profile.consent_to_share


def test_a_volunteer_who_withdrew_consent_can_still_edit_their_preferences(volunteer_client, volunteer):
    services.profile_consent_withdraw(profile=volunteer)

    response = volunteer_client.post(step_url("preferences"), preferences_data(consent=False, bio="Still here."))

    assert response.status_code == 302
    profile = profile_of(volunteer.user)
    assert profile.bio == "Still here."
    assert not profile.consent_to_share


# Consent: withdrawn and given again on its own page

CONSENT = reverse("volunteers:consent")


def test_profile_page_says_whether_the_volunteer_is_shown_and_links_to_change_it(volunteer_client, volunteer):
    page = volunteer_client.get(reverse("volunteers:profile"))
    assertContains(page, "Yes, you agreed on")
    assertContains(page, f'<a href="{CONSENT}">Withdraw your consent</a>', html=True)

    services.profile_consent_withdraw(profile=volunteer)

    page = volunteer_client.get(reverse("volunteers:profile"))
    assertContains(page, "No, you withdrew your consent on")
    assertContains(page, f'<a href="{CONSENT}">Give your consent</a>', html=True)


def test_consent_page_says_what_withdrawing_changes_before_the_volunteer_does_it(volunteer_client, volunteer):
    page = volunteer_client.get(CONSENT)

    assert page.status_code == 200
    assertContains(page, "What coordinators see now")
    assertContains(page, "After you withdraw your consent")
    assertContains(page, "No credential document opens for them, whether you uploaded it before or after withdrawing.")
    assertContains(page, "you cannot apply to new needs")
    assertContains(page, "Withdraw my consent</button>")
    assert profile_of(volunteer.user).consent_to_share  # reading the page changes nothing


def test_volunteer_withdraws_consent_at_any_time(volunteer_client, volunteer):
    response = volunteer_client.post(CONSENT, {"action": "withdraw"})

    assert response.status_code == 302
    assert response["Location"] == CONSENT
    assert messages_of(response) == [
        "You have withdrawn your consent. Coordinators now see you only as a number and cannot open your credentials."
    ]
    profile = profile_of(volunteer.user)
    assert not profile.consent_to_share
    assert profile.consent_withdrawn_at is not None
    assert profile.consent_given_at == volunteer.consent_given_at
    page = volunteer_client.get(CONSENT)
    assertContains(page, "You withdrew your consent on")
    assertContains(page, "Give my consent</button>")
    assertNotContains(page, "Withdraw my consent")


def test_withdrawing_twice_keeps_the_first_date(volunteer_client, volunteer):
    volunteer_client.post(CONSENT, {"action": "withdraw"})
    first = profile_of(volunteer.user).consent_withdrawn_at

    volunteer_client.post(CONSENT, {"action": "withdraw"})

    assert profile_of(volunteer.user).consent_withdrawn_at == first


def test_consent_is_given_again_only_with_the_box_ticked(volunteer_client, volunteer):
    services.profile_consent_withdraw(profile=volunteer)

    refused = volunteer_client.post(CONSENT, {"action": "give"})

    assert refused.status_code == 400
    assertContains(refused, "Tick the box to agree to be shown", status_code=400)
    assert not profile_of(volunteer.user).consent_to_share

    response = volunteer_client.post(CONSENT, {"action": "give", "consent": "on"})

    assert response["Location"] == CONSENT
    profile = profile_of(volunteer.user)
    assert profile.consent_to_share
    assert profile.consent_withdrawn_at is None
    assert profile.consent_given_at > volunteer.consent_given_at


def test_consent_page_is_for_onboarded_volunteers_only(client, newcomer):
    assert client.get(CONSENT)["Location"] == f"{reverse('account_login')}?next={CONSENT}"
    client.force_login(newcomer)
    assert client.post(CONSENT, {"action": "withdraw"})["Location"] == reverse("volunteers:onboarding")


def test_unfinished_profile_page_sends_the_volunteer_back_to_the_wizard(newcomer_client):
    save_steps(newcomer_client, "about")

    response = newcomer_client.get(reverse("volunteers:profile"))

    assert response["Location"] == reverse("volunteers:onboarding")
    assert messages_of(response) == ["Finish setting up your volunteer profile first."]


@pytest.mark.parametrize(("skills", "windows", "credentials"), [(1, 1, 1), (12, 6, 5)])
def test_profile_page_needs_the_same_few_queries_however_much_it_shows(
    client, django_assert_max_num_queries, skills, windows, credentials
):
    profile = VolunteerProfileFactory(languages=[("en", 4), ("fr", 3), ("pt", 2)][: min(skills, 3)])
    profile.skills.set(Skill.objects.all()[:skills])
    for index in range(windows):
        AvailabilityWindowFactory(
            profile=profile, start_date=today() + (10 + 30 * index) * DAY, end_date=today() + (20 + 30 * index) * DAY
        )
    for _index in range(credentials):
        CredentialFactory(profile=profile)
    client.force_login(profile.user)

    # Session, user, profile, its languages, skills and availability, its credentials, and whether
    # the navigation shows the coordinator's workspace.
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("volunteers:profile"))

    assert response.status_code == 200
    assert len(response.context["profile"].current_availability) == windows
    assert len(queries) == 8


# Who may open these pages


@pytest.mark.parametrize(
    "url",
    [
        reverse("volunteers:onboarding"),
        reverse("volunteers:onboarding-step", args=["about"]),
        reverse("volunteers:onboarding-step", args=["preferences"]),
        reverse("volunteers:profile"),
    ],
)
def test_anonymous_visitor_is_asked_to_log_in(client, url):
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert not VolunteerProfile.objects.exists()


def test_wizard_pages_only_ever_show_the_signed_in_users_own_answers(client, volunteer, other_volunteer):
    other_volunteer.institution = "Somewhere Else Entirely"
    other_volunteer.save()
    client.force_login(volunteer.user)

    for step in STEPS:
        assertNotContains(client.get(step_url(step)), "Somewhere Else Entirely")
    assertNotContains(client.get(reverse("volunteers:profile")), "Somewhere Else Entirely")
