"""IR Juniors electives in the demo: a fictional "IR Juniors (demo)" society whose coordinator supervises
electives for medical students and trainees in Dar es Salaam and Moshi, with a few of the generated student
volunteers holding letters from their home institution and places at every stage (accepted, offered,
interested). Deleted with the other demo organisations (its slug and name mark it as demo data).
"""

import datetime

from django.utils.text import slugify

from organisations.models import Membership, Organisation
from placements.models import Application, Placement
from programmes.electives import Elective
from programmes.models import Mode, Need, Programme, Site
from volunteers.models import Credential, Profession, VolunteerProfile

ELECTIVES_ORGANISATION = "IR Juniors (demo)"
# The seventh demo coordinator: the first six coordinate the generated organisations.
ELECTIVES_COORDINATOR_NUMBER = 7
# (title, profession, city, places, students per supervisor, days from today to the window's start)
ELECTIVE_NEEDS = (
    ("Medical student elective in interventional radiology – Dar es Salaam", Profession.STUDENT, 0, 4, 2, 30),
    ("Trainee elective: image-guided drainage – Moshi", Profession.TRAINEE, 1, 2, 1, 60),
)
SITES = (("Demo University Teaching Hospital (IR Juniors)", "Dar es Salaam"), ("Demo Referral Hospital", "Moshi"))
# A need that is not an elective, on site and asking for a licence: medical students are refused it.
LICENSED_NEED = "IR registrar cover for the emergency embolisation list – Dar es Salaam"
# What this adds to the generated demo data: one organisation, its coordinator's account, its needs.
ELECTIVES_DEMO_ORGANISATIONS = 1
ELECTIVES_DEMO_ACCOUNTS = 1
ELECTIVES_DEMO_NEEDS = len(ELECTIVE_NEEDS) + 1


def electives_demo_load(generator) -> list[tuple[str, str]]:
    """Create the IR Juniors demo electives with the demo loader's `generator` (demo.loader._Generator).

    Returns the coordinator's login, printed with the others by load_demo."""
    today, now = generator.today, generator.now
    organisation = Organisation.objects.create(
        name=ELECTIVES_ORGANISATION,
        slug="demo-" + slugify(ELECTIVES_ORGANISATION.removesuffix(" (demo)")),
        kind=Organisation.Kind.SOCIETY,
        headquarters_country="GB",
        countries=["TZ"],
        description="A fictional trainees' society created by the load_demo command: electives abroad for "
        "medical students and trainees.",
        status=Organisation.Status.VERIFIED,
        verified_at=now,
    )
    email = f"demo-coordinator-{ELECTIVES_COORDINATOR_NUMBER:02d}@example.org"
    [supervisor] = generator.users([(email, "Demo", f"Coordinator {ELECTIVES_COORDINATOR_NUMBER:02d}")])
    Membership.objects.create(user=supervisor, organisation=organisation, role=Membership.Role.COORDINATOR)
    generator.authenticator_apps([email])
    sites = [
        Site.objects.create(
            name=name,
            city=city,
            country="TZ",
            organisation=organisation,
            description="A fictional hospital created for demonstrations.",
        )
        for name, city in SITES
    ]
    programme = Programme.objects.create(
        content_language="en",
        lead_organisation=organisation,
        title="IR Juniors global health electives (demo)",
        slug="demo-ir-juniors-electives",
        kind=Programme.Kind.TRAINING,
        summary="Electives in interventional radiology for medical students and trainees, with a supervisor on site.",
        description="Created by the load_demo command for demonstrations; not a real programme.",
        countries=["TZ"],
        status=Programme.Status.PUBLISHED,
    )
    programme.sites.set(sites)

    def need(title, profession, site, places, start_in, **extra):
        start = today + datetime.timedelta(days=start_in)
        return Need.objects.create(
            content_language="en",
            programme=programme,
            title=title,
            description=f"{title}. A fictional need of the IR Juniors demo programme, created for demonstrations.",
            profession=profession,
            places=places,
            mode=Mode.ONSITE,
            host_site=site,
            window_start=start,
            window_end=start + datetime.timedelta(days=90),
            min_duration_days=28,
            min_years_experience=0,
            offers_accommodation=True,
            offers_visa_letter=True,
            application_deadline=start - datetime.timedelta(days=7),
            **extra,
        )

    electives = []
    for title, profession, site_index, places, cap, start_in in ELECTIVE_NEEDS:
        elective_need = need(title, profession, sites[site_index], places, start_in)
        electives.append(Elective.objects.create(need=elective_need, supervisor=supervisor, max_students=cap))
    need(LICENSED_NEED, Profession.TRAINEE, sites[0], 1, 45, requires_verified_credential=True)
    generator.counts["electives"] = len(electives)

    _students_apply(generator, electives[0])
    return [(email, ELECTIVES_ORGANISATION)]


def _students_apply(generator, elective: Elective) -> None:
    """The first consenting medical students of the generated volunteers, with a verified letter from their
    home institution: one placed on the elective, one offered a place, one interested; a fourth has no letter."""
    students = list(
        VolunteerProfile.objects.filter(
            profession=Profession.STUDENT,
            consent_to_share=True,
            offers_onsite=True,
            onboarding_completed_at__isnull=False,
            user__email__startswith="demo-volunteer-",
        ).order_by("user__email")[:4]
    )
    need = elective.need
    start, end = need.window_start, need.window_start + datetime.timedelta(days=27)
    for number, (student, status) in enumerate(
        zip(
            students,
            (Application.Status.ACCEPTED, Application.Status.OFFERED, Application.Status.INTERESTED),
            strict=False,
        ),
        start=1,
    ):
        Credential.objects.create(
            profile=student,
            kind=Credential.Kind.HOME_LETTER,
            title="Letter from the dean of the medical school",
            issuing_body="Demo Medical School",
            issuing_country=student.home_country or "GB",
            number=f"DEMO-LETTER-{number:03d}",
            issued_on=generator.today - datetime.timedelta(days=30),
            expires_on=generator.today + datetime.timedelta(days=365),
            status=Credential.Status.VERIFIED,
            verified_at=generator.now,
        )
        application = Application.objects.create(
            need=need,
            volunteer=student,
            message="A fictional application created for demonstrations.",
            proposed_start=start,
            proposed_end=end,
            status=status,
            offered_at=generator.now if status != Application.Status.INTERESTED else None,
            accepted_at=generator.now if status == Application.Status.ACCEPTED else None,
        )
        if status == Application.Status.ACCEPTED:
            Placement.objects.create(
                application=application, need=need, volunteer=student, mode=need.mode, start_date=start, end_date=end
            )
        # Each student's dates follow the last one's, so the supervisor's cap of two holds.
        start, end = end + datetime.timedelta(days=1), end + datetime.timedelta(days=28)
