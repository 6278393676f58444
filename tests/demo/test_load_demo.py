"""`manage.py load_demo`: reproducible, clearly fictional demo data that replaces itself and nothing else."""

import datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from demo.electives import ELECTIVES_DEMO_ACCOUNTS, ELECTIVES_DEMO_NEEDS, ELECTIVES_DEMO_ORGANISATIONS
from demo.languages import COUNTRY_LANGUAGES as DEMO_COUNTRY_LANGUAGES
from demo.loader import DEMO_COUNTRIES, DEMO_PASSWORD, DEMO_SURNAMES, DOCTOR_PROFESSIONS, demo_organisations, demo_users
from globalir.accounts.models import User
from organisations.models import Membership, Organisation
from placements.models import Application
from programmes.electives import Elective
from programmes.models import Mode, Need, Programme, Site
from tests.factories import NeedFactory
from volunteers.models import AvailabilityWindow, Credential, VolunteerLanguage, VolunteerProfile

pytestmark = pytest.mark.django_db

VOLUNTEERS, NEEDS = 50, 20


def load_demo(seed: int = 1, volunteers: int = VOLUNTEERS, needs: int = NEEDS) -> str:
    out = StringIO()
    # Tests run with DEBUG off, like production, hence --force.
    call_command("load_demo", volunteers=volunteers, needs=needs, seed=seed, force=True, stdout=out)
    return out.getvalue()


def demo_profiles():
    return VolunteerProfile.objects.filter(user__in=demo_users())


def demo_needs():
    return Need.objects.filter(programme__lead_organisation__in=demo_organisations())


def snapshot() -> dict:
    """What a person browsing the demo would see, independent of database ids."""
    return {
        "volunteers": list(
            demo_profiles()
            .order_by("user__email")
            .values_list("user__email", "profession", "career_stage", "home_country", "consent_to_share")
        ),
        "languages": sorted(
            VolunteerLanguage.objects.filter(profile__in=demo_profiles()).values_list(
                "profile__user__email", "language", "proficiency"
            )
        ),
        "needs": list(
            demo_needs()
            .order_by("pk")
            .values_list("title", "profession", "mode", "places", "window_start", "window_end", "host_site__name")
        ),
        "required skills": sorted(
            Need.required_skills.through.objects.filter(need__in=demo_needs()).values_list("need__title", "skill__slug")
        ),
    }


def test_it_creates_the_requested_numbers_of_volunteers_and_needs():
    load_demo()

    assert demo_profiles().count() == VOLUNTEERS
    assert demo_needs().count() == NEEDS + ELECTIVES_DEMO_NEEDS
    assert User.objects.filter(email="demo-volunteer-0042@example.org", first_name="Demo").exists()


def test_demo_volunteers_have_names_nobody_could_take_for_a_real_persons():
    load_demo()

    names = list(demo_profiles().values_list("name", "title", "profession"))
    assert len({name for name, _title, _profession in names}) == VOLUNTEERS
    for name, title, profession in names:
        assert name.split()[-1] in DEMO_SURNAMES, name
        assert title in ({"Dr", "Prof"} if profession in DOCTOR_PROFESSIONS else {""}), (name, title)


def test_volunteers_have_languages_skills_availability_and_some_credentials():
    load_demo()

    for profile in demo_profiles().prefetch_related("languages", "skills", "availability"):
        assert profile.languages.all(), profile
        assert profile.skills.all(), profile
        assert profile.availability.all(), profile
        assert profile.offers_onsite or profile.offers_remote, profile
    credentials = Credential.objects.filter(profile__in=demo_profiles())
    assert credentials.exists()
    assert not credentials.exclude(document="").exists()
    consenting = demo_profiles().consenting().count()
    assert VOLUNTEERS * 0.7 <= consenting < VOLUNTEERS


def test_every_generated_row_passes_model_validation():
    load_demo()

    organisations = demo_organisations()
    profiles = demo_profiles()
    for queryset in (
        organisations,
        Membership.objects.filter(organisation__in=organisations),
        Site.objects.filter(organisation__in=organisations),
        Programme.objects.filter(lead_organisation__in=organisations),
        demo_needs(),
        profiles,
        VolunteerLanguage.objects.filter(profile__in=profiles),
        AvailabilityWindow.objects.filter(profile__in=profiles),
        Credential.objects.filter(profile__in=profiles),
    ):
        assert queryset.exists(), queryset.model
        for instance in queryset:
            instance.full_clean()


def test_needs_are_in_low_and_middle_income_countries_with_future_windows():
    load_demo(needs=60)
    today = timezone.localdate()

    needs = list(demo_needs().select_related("host_site"))
    assert {need.mode for need in needs} == {Mode.ONSITE, Mode.REMOTE, Mode.HYBRID}
    assert len({need.profession for need in needs}) >= 5
    completed = set(demo_needs().filter(placements__completed_at__isnull=False).values_list("pk", flat=True))
    assert len(completed) == 1  # the one placement already carried out (demo.completed)
    for need in needs:
        if need.pk in completed:
            assert need.window_start <= need.window_end < today
            continue
        assert today < need.window_start <= need.window_end
        assert 1 <= need.places <= 4
        if need.mode == Mode.REMOTE:
            assert need.host_site is None
        else:
            assert need.host_site.country.code in DEMO_COUNTRIES
    assert Need.required_skills.through.objects.filter(need__in=demo_needs()).count() >= len(needs)


def test_demo_organisations_are_clearly_fictional_verified_and_have_published_programmes():
    load_demo()

    organisations = demo_organisations()
    assert organisations.count() == 6 + ELECTIVES_DEMO_ORGANISATIONS
    for organisation in organisations:
        assert organisation.name.endswith("(demo)")
        assert organisation.is_listed
        assert Programme.objects.published().filter(lead_organisation=organisation).exists()
    assert demo_needs().listed().exists()
    assert all(site.name.startswith("Demo ") for site in Site.objects.filter(organisation__in=organisations))


def test_the_same_seed_gives_the_same_data():
    load_demo(seed=7)
    first = snapshot()

    load_demo(seed=7)

    assert snapshot() == first


def test_a_different_seed_gives_different_data():
    load_demo(seed=7)
    first = snapshot()

    load_demo(seed=8)

    second = snapshot()
    assert second["volunteers"] != first["volunteers"]
    assert second["needs"] != first["needs"]


def test_running_it_again_replaces_the_demo_data_and_leaves_real_data_alone(volunteer, organisation):
    real_need = NeedFactory(programme__lead_organisation=organisation)
    load_demo(seed=1)

    output = load_demo(seed=2)

    # 50 volunteers, 6 coordinators, a site admin, the IR Juniors electives' coordinator and a partner clinician.
    assert "Replaced the previous demo data (59 demo accounts)." in output
    assert demo_users().count() == VOLUNTEERS + 8 + ELECTIVES_DEMO_ACCOUNTS
    assert demo_needs().count() == NEEDS + ELECTIVES_DEMO_NEEDS
    assert demo_organisations().count() == 6 + ELECTIVES_DEMO_ORGANISATIONS
    assert EmailAddress.objects.filter(user__in=demo_users()).count() == VOLUNTEERS + 8 + ELECTIVES_DEMO_ACCOUNTS
    assert VolunteerProfile.objects.filter(pk=volunteer.pk).exists()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert Need.objects.filter(pk=real_need.pk).exists()


def test_the_real_directory_survives_demo_data_replacement():
    call_command("load_directory", stdout=StringIO())
    load_demo()

    load_demo()

    assert Organisation.objects.exclude(pk__in=demo_organisations()).count() == 60
    assert Programme.objects.filter(slug="tanzania-ir-training-programme").exists()


def test_a_demo_volunteer_signs_in_with_the_documented_password(client):
    load_demo()

    response = client.post(
        reverse("account_login"), {"login": "demo-volunteer-0007@example.org", "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("placements:dashboard")
    assert client.session["_auth_user_id"] == str(User.objects.get(email="demo-volunteer-0007@example.org").pk)


def test_each_demo_organisation_has_a_coordinator_who_can_sign_in(client):
    load_demo()

    for index, organisation in enumerate(demo_organisations().order_by("pk"), start=1):
        membership = Membership.objects.coordinators().get(organisation=organisation)
        assert membership.role == (Membership.Role.ADMIN if index == 1 else Membership.Role.COORDINATOR)
        assert membership.user.email == f"demo-coordinator-{index:02d}@example.org"
        assert client.login(email=membership.user.email, password=DEMO_PASSWORD)


def test_a_demo_site_admin_can_open_the_admin(client):
    load_demo()

    assert client.login(email="demo-admin@example.org", password=DEMO_PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_prints_counts_elapsed_time_and_the_logins():
    output = load_demo()

    assert "volunteers: 50" in output
    assert "needs: 20" in output
    assert "created in" in output and "seconds" in output
    assert f"password: {DEMO_PASSWORD}" in output
    assert "demo-coordinator-01@example.org" in output
    assert "Site admin: demo-admin@example.org" in output


def test_it_refuses_to_create_demo_accounts_outside_debug_without_force():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", volunteers=5, needs=2, stdout=StringIO())

    assert not demo_users().exists()


def test_demo_windows_start_after_today():
    load_demo()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    assert not AvailabilityWindow.objects.filter(profile__in=demo_profiles(), end_date__lt=tomorrow).exists()
    # All but the need of the one placement already carried out and completed.
    assert not demo_needs().filter(window_start__lt=tomorrow).exclude(placements__completed_at__isnull=False).exists()


def test_if_empty_loads_the_demo_data_into_a_database_without_accounts():
    out = StringIO()
    call_command("load_demo", volunteers=3, needs=2, seed=1, force=True, if_empty=True, stdout=out)

    assert "Demo data for seed 1 created" in out.getvalue()
    assert demo_profiles().count() == 3


def test_if_empty_keeps_a_database_with_accounts_as_it_is(volunteer):
    load_demo(seed=1)
    first = snapshot()
    extra_need = NeedFactory(programme__lead_organisation=demo_organisations().first())
    out = StringIO()

    call_command("load_demo", volunteers=3, needs=2, seed=2, force=True, if_empty=True, stdout=out)

    assert "The database already holds accounts: kept them and everything else, and loaded no demo data." in (
        out.getvalue()
    )
    assert "`make demo-reset` replaces the demo data." in out.getvalue()
    assert snapshot()["volunteers"] == first["volunteers"]
    assert Need.objects.filter(pk=extra_need.pk).exists()
    assert VolunteerProfile.objects.filter(pk=volunteer.pk).exists()


def test_it_prints_the_two_factor_command_for_the_python_that_ran_it(monkeypatch, settings):
    monkeypatch.chdir(settings.BASE_DIR)
    monkeypatch.setattr("sys.executable", str(settings.BASE_DIR / ".venv" / "bin" / "python"))

    output = load_demo()

    assert "print the current code with: .venv/bin/python manage.py demo_totp_code" in output


def test_the_demo_has_ir_juniors_electives_with_a_supervisor_and_students():
    load_demo(volunteers=120)

    electives = Elective.objects.filter(need__programme__lead_organisation__in=demo_organisations())
    assert electives.count() == 2
    for elective in electives.select_related("need"):
        elective.need.full_clean()
        elective.full_clean()
        assert elective.need.is_listed()
    supervisor = electives.first().supervisor
    assert supervisor.email == "demo-coordinator-07@example.org"
    students = Application.objects.filter(need__elective__isnull=False)
    assert set(students.values_list("status", flat=True)) == {"accepted", "offered", "interested"}
    assert Credential.objects.filter(kind=Credential.Kind.HOME_LETTER, profile__in=demo_profiles()).count() == 3
    assert demo_needs().filter(requires_verified_credential=True, elective__isnull=True, title__contains="registrar")


def test_demo_programmes_and_needs_are_written_in_their_partners_languages():
    load_demo(needs=200)

    programmes = Programme.objects.filter(slug__startswith="demo-programme-")
    for programme in programmes:
        languages = {DEMO_COUNTRY_LANGUAGES.get(country.code, "en") for country in programme.countries}
        assert programme.content_language in languages, (programme.title, languages)
    french = programmes.filter(content_language="fr").first()
    assert french is not None and "Programme fictif de démonstration" in french.summary

    needs = demo_needs()
    written = set(needs.values_list("content_language", flat=True))
    assert {"en", "fr", "pt", "es"} <= written and "" not in written
    # Most needs of a French programme are in French; one in ENGLISH_NEED_EVERY is in English.
    in_french = needs.filter(programme__content_language="fr")
    assert in_french.filter(content_language="fr").count() > in_french.filter(content_language="en").count() > 0
    assert all("Besoin fictif" in need.description for need in needs.filter(content_language="fr")), (
        "a need marked French is written in French"
    )
    assert not needs.filter(content_language="en", description__contains="Besoin fictif").exists()
