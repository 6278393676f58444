"""Generate clearly fictional demo data: volunteers, demo organisations, sites, programmes and needs.

Used by ``python manage.py load_demo``. Everything is drawn from one ``random.Random(seed)`` so the
same seed gives the same data (on the same day: dates are relative to today). Rows are written with
``bulk_create`` (many-to-many links through their ``through`` models) and one password hash shared by
every demo account, so ten thousand volunteers take seconds, not minutes.

Demo data is recognisable, and only demo data is ever deleted:
- users whose e-mail is ``demo-volunteer-NNNN@example.org`` or ``demo-coordinator-NN@example.org``;
- organisations whose slug starts with ``demo-`` and whose name ends with ``(demo)``, with their
  programmes, needs and sites.
"""

import datetime
import random
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django_countries import countries as country_names

from demo.checklists import demo_checklists
from demo.completed import NEEDS as DEMO_COMPLETED_NEEDS
from demo.completed import demo_completed_placement
from demo.consults import demo_consults, demo_consults_delete
from demo.electives import electives_demo_load
from demo.speakers import demo_speakers
from demo.teams import NEEDS as DEMO_TEAM_NEEDS
from demo.teams import demo_teams
from globalir.regions import region_of
from organisations.models import Membership, Organisation
from placements.models import Placement
from programmes.models import Mode, Need, Programme, Site
from volunteers.models import (
    LICENCE_TO_PRACTISE_KINDS,
    AvailabilityWindow,
    CareerStage,
    Credential,
    Language,
    Profession,
    Proficiency,
    Skill,
    VolunteerLanguage,
    VolunteerProfile,
)

from . import languages as demo_languages
from .languages import programme_language
from .visiting import load_visiting_demo
from .waiting import demo_waiting_list

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - published on purpose: demo accounts only.
DEMO_EMAIL_DOMAIN = "example.org"
VOLUNTEER_EMAIL = "demo-volunteer-{:04d}@" + DEMO_EMAIL_DOMAIN
COORDINATOR_EMAIL = "demo-coordinator-{:02d}@" + DEMO_EMAIL_DOMAIN
SITE_ADMIN_EMAIL = "demo-admin@" + DEMO_EMAIL_DOMAIN
# Coordinators and site admins must use two-factor authentication: the demo ones come with an
# authenticator app already set up on this key (published, like the password; `manage.py
# demo_totp_code` prints the current code).
DEMO_TOTP_SECRET = "GLOBALIRDEMOTOTPGLOBALIRDEMOTOTP"  # noqa: S105 - published on purpose: demo accounts only.
BATCH_SIZE = 1000

# Low- and middle-income countries the demo needs are placed in: (code, cities, local language codes).
DEMO_COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "TZ": (("Dar es Salaam", "Mwanza", "Moshi"), ("sw",)),
    "KE": (("Nairobi", "Eldoret", "Kisumu"), ("sw",)),
    "UG": (("Kampala", "Mbarara"), ()),
    "RW": (("Kigali", "Butare"), ("rw", "fr")),
    "ET": (("Addis Ababa", "Gondar"), ("am",)),
    "GH": (("Accra", "Kumasi"), ()),
    "NG": (("Ibadan", "Kano", "Enugu"), ("yo", "ha", "ig")),
    "SN": (("Dakar", "Saint-Louis"), ("fr",)),
    "CM": (("Yaoundé", "Douala"), ("fr",)),
    "CD": (("Kinshasa", "Lubumbashi"), ("fr",)),
    "MZ": (("Maputo", "Beira"), ("pt",)),
    "AO": (("Luanda", "Huambo"), ("pt",)),
    "MW": (("Blantyre", "Lilongwe"), ()),
    "ZM": (("Lusaka", "Ndola"), ()),
    "HT": (("Port-au-Prince", "Cap-Haïtien"), ("ht", "fr")),
    "GT": (("Guatemala City", "Quetzaltenango"), ("es",)),
    "HN": (("Tegucigalpa", "San Pedro Sula"), ("es",)),
    "BO": (("La Paz", "Cochabamba"), ("es",)),
    "PE": (("Lima", "Cusco"), ("es",)),
    "NP": (("Kathmandu", "Pokhara"), ("ne",)),
    "BD": (("Dhaka", "Chittagong"), ("bn",)),
    "PK": (("Lahore", "Karachi"), ("ur",)),
    "KH": (("Phnom Penh", "Battambang"), ("km",)),
    "LA": (("Vientiane", "Luang Prabang"), ("lo",)),
    "VN": (("Hanoi", "Hue"), ("vi",)),
    "PH": (("Cebu", "Davao"), ("tl",)),
    "EG": (("Assiut", "Alexandria"), ("ar",)),
    "MA": (("Marrakesh", "Fez"), ("ar", "fr")),
}

# Fictional organisations, each with the countries it works in.
DEMO_ORGANISATIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Lakeshore Imaging Outreach (demo)", Organisation.Kind.NGO, "CA", ("TZ", "KE", "UG", "RW", "ET")),
    ("Harmattan Radiology Partnership (demo)", Organisation.Kind.NETWORK, "GB", ("GH", "NG", "SN", "CM")),
    ("Cordillera Image-Guided Care Network (demo)", Organisation.Kind.NETWORK, "ES", ("GT", "HN", "BO", "PE", "HT")),
    ("Mekong Interventional Teaching Trust (demo)", Organisation.Kind.FOUNDATION, "AU", ("KH", "LA", "VN", "PH")),
    ("Southern Cross Teleradiology Collective (demo)", Organisation.Kind.NGO, "IE", ("MZ", "AO", "MW", "ZM", "CD")),
    ("Himalaya and Nile Imaging Exchange (demo)", Organisation.Kind.ACADEMIC, "US", ("NP", "BD", "PK", "EG", "MA")),
)

HIGH_INCOME_HOMES: dict[str, tuple[str, ...]] = {
    "US": ("en",),
    "CA": ("en", "fr"),
    "GB": ("en",),
    "IE": ("en",),
    "AU": ("en",),
    "NZ": ("en",),
    "FR": ("fr",),
    "BE": ("fr", "nl"),
    "CH": ("de", "fr"),
    "DE": ("de",),
    "NL": ("nl",),
    "ES": ("es",),
    "PT": ("pt",),
    "IT": ("it",),
    "JP": ("ja",),
    "KR": ("ko",),
}

# Demo volunteers' names: everyday given names with surnames nobody has, so that no demo volunteer
# can be taken for a real person. Picked by the volunteer's number, not drawn: the seed's data stays
# what it was.
DEMO_GIVEN_NAMES = (
    "Amina", "Kofi", "Lucía", "Priya", "Tomás", "Wanjiru", "Chen", "Fatou", "Mateus", "Aroha",
    "Siddharth", "Ingrid", "Yusuf", "Mei", "Olusegun", "Camille", "Rahel", "Diego", "Nadia", "Kwame",
)  # fmt: skip
DEMO_SURNAMES = (
    "Example", "Sample", "Placeholder", "Specimen", "Demoworth", "Mockingham", "Fictiva", "Testerson",
    "Pretendi", "Makebelieve", "Samplewood", "Exemplar", "Dummington",
)  # fmt: skip
DOCTOR_PROFESSIONS = (Profession.IR_PHYSICIAN, Profession.RADIOLOGIST, Profession.PHYSICIST)


def demo_volunteer_name(number: int, *, profession: str, stage: str) -> tuple[str, str]:
    """The fictional name and title of demo volunteer `number` (from 1)."""
    given = DEMO_GIVEN_NAMES[(number - 1) % len(DEMO_GIVEN_NAMES)]
    surname = DEMO_SURNAMES[(number - 1) // len(DEMO_GIVEN_NAMES) % len(DEMO_SURNAMES)]
    title = ""
    if profession in DOCTOR_PROFESSIONS:
        title = "Prof" if stage == CareerStage.SENIOR and number % 4 == 0 else "Dr"
    return f"{given} {surname}", title


PROCEDURES = (
    "embolisation",
    "post-partum-haemorrhage-embolisation",
    "image-guided-drainage",
    "image-guided-biopsy",
    "vascular-access",
    "biliary-intervention",
    "nephrostomy",
    "angioplasty-and-stenting",
    "tumour-ablation",
    "chemoembolisation-tace",
)
SKILLS_BY_PROFESSION: dict[str, tuple[str, ...]] = {
    Profession.IR_PHYSICIAN: PROCEDURES
    + ("fluoroscopy", "ultrasound", "ct", "teaching", "mentoring", "research", "case-consultation"),
    Profession.RADIOLOGIST: (
        "x-ray",
        "ultrasound",
        "ct",
        "mri",
        "mammography",
        "image-guided-biopsy",
        "teaching",
        "tele-radiology-reporting",
        "case-consultation",
        "research",
    ),
    Profession.RADIOGRAPHER: (
        "x-ray",
        "ct",
        "mri",
        "fluoroscopy",
        "mammography",
        "quality-assurance-clinical-governance",
        "teaching",
    ),
    Profession.SONOGRAPHER: ("ultrasound", "mammography", "teaching", "quality-assurance-clinical-governance"),
    Profession.IR_NURSE: (
        "vascular-access",
        "image-guided-drainage",
        "nephrostomy",
        "teaching",
        "quality-assurance-clinical-governance",
    ),
    Profession.PHYSICIST: (
        "quality-assurance-clinical-governance",
        "equipment-pacs",
        "fluoroscopy",
        "ct",
        "teaching",
        "research",
    ),
    Profession.IMAGING_IT: ("equipment-pacs", "tele-radiology-reporting", "programme-development"),
    Profession.TRAINEE: ("embolisation", "image-guided-drainage", "vascular-access", "ultrasound", "ct", "research"),
    Profession.STUDENT: ("research", "ultrasound", "teaching"),
}
PROFESSION_WEIGHTS: dict[str, int] = {
    Profession.IR_PHYSICIAN: 30,
    Profession.RADIOLOGIST: 15,
    Profession.RADIOGRAPHER: 12,
    Profession.SONOGRAPHER: 7,
    Profession.IR_NURSE: 12,
    Profession.PHYSICIST: 5,
    Profession.IMAGING_IT: 4,
    Profession.TRAINEE: 9,
    Profession.STUDENT: 6,
}
NEED_TITLES: dict[str, tuple[str, ...]] = {
    Profession.IR_PHYSICIAN: (
        "Teach embolisation to IR fellows",
        "Proctor image-guided drainage procedures",
        "Lead a biliary intervention workshop",
        "Support a post-partum haemorrhage embolisation service",
        "Mentor IR fellows in vascular access",
        "Review IR cases with the local team",
    ),
    Profession.RADIOLOGIST: (
        "Teach ultrasound to radiology residents",
        "Report CT and MRI studies",
        "Lead chest X-ray reporting sessions",
        "Give a lecture series on oncologic imaging",
    ),
    Profession.RADIOGRAPHER: (
        "Train radiographers in CT protocols",
        "Set up radiation-safety practice in fluoroscopy",
        "Teach mammography positioning",
    ),
    Profession.SONOGRAPHER: ("Teach obstetric ultrasound", "Run point-of-care ultrasound training"),
    Profession.IR_NURSE: ("Train IR nurses in peri-procedural care", "Help set up an IR recovery area"),
    Profession.PHYSICIST: ("Commission a fluoroscopy unit", "Run a radiation dose audit"),
    Profession.IMAGING_IT: ("Set up PACS and a tele-radiology link", "Improve the PACS reporting workflow"),
    Profession.TRAINEE: ("IR fellow exchange elective", "Join the IR team for a research elective"),
    Profession.STUDENT: ("Medical student elective in global IR", "Student assistant for an imaging audit"),
}
REMOTE_NEED_TITLES: dict[str, tuple[str, ...]] = {
    Profession.IR_PHYSICIAN: (
        "Give online lectures to IR fellows",
        "Join remote IR case conferences",
        "Lead a virtual IR journal club",
    ),
    Profession.RADIOLOGIST: (
        "Report CT and MRI studies remotely",
        "Give online lectures to radiology residents",
        "Provide tele-radiology second opinions",
    ),
    Profession.RADIOGRAPHER: ("Review CT protocols remotely", "Give online radiography tutorials"),
    Profession.SONOGRAPHER: ("Review ultrasound images remotely", "Give online ultrasound tutorials"),
    Profession.IR_NURSE: ("Give online IR nursing tutorials", "Help write IR nursing protocols remotely"),
    Profession.PHYSICIST: ("Advise remotely on radiation protection", "Review radiation dose data remotely"),
    Profession.IMAGING_IT: ("Support the PACS remotely", "Help set up a tele-radiology platform remotely"),
    Profession.TRAINEE: ("Join an online research collaboration", "Co-present at a virtual journal club"),
    Profession.STUDENT: ("Help with a remote imaging audit", "Join an online research project"),
}
CREDENTIAL_TITLES: dict[str, tuple[str, str]] = {
    Profession.IR_PHYSICIAN: (Credential.Kind.BOARD, "Board certification in interventional radiology"),
    Profession.RADIOLOGIST: (Credential.Kind.BOARD, "Board certification in diagnostic radiology"),
    Profession.RADIOGRAPHER: (Credential.Kind.REGISTRATION, "Registration as a diagnostic radiographer"),
    Profession.SONOGRAPHER: (Credential.Kind.REGISTRATION, "Registration as a sonographer"),
    Profession.IR_NURSE: (Credential.Kind.REGISTRATION, "Registration as a nurse"),
    Profession.PHYSICIST: (Credential.Kind.OTHER, "Certification in diagnostic medical physics"),
    Profession.IMAGING_IT: (Credential.Kind.OTHER, "Certificate in imaging informatics"),
    Profession.TRAINEE: (Credential.Kind.LICENCE, "Medical licence"),
}
PROGRAMME_TITLES: dict[str, str] = {
    Programme.Kind.TRAINING: "Interventional radiology fellowship training",
    Programme.Kind.VISITING_PROFESSOR: "Visiting professor exchange",
    Programme.Kind.CLINICAL_SUPPORT: "Imaging service support",
    Programme.Kind.TELERADIOLOGY: "Tele-radiology reporting support",
    Programme.Kind.EDUCATION: "Imaging lecture series",
    Programme.Kind.RESEARCH: "Imaging outcomes research",
    Programme.Kind.EQUIPMENT: "Ultrasound and fluoroscopy commissioning",
}
SITE_KINDS = (
    "Demo District Hospital",
    "Demo Regional Referral Hospital",
    "Demo University Teaching Hospital",
    "Demo Mission Hospital",
    "Demo Cancer Institute",
)


@dataclass
class DemoSummary:
    counts: dict[str, int] = field(default_factory=dict)
    deleted_users: int = 0
    coordinators: list[tuple[str, str]] = field(default_factory=list)


def demo_users():
    User = get_user_model()
    return User.objects.filter(
        Q(email__startswith="demo-volunteer-")
        | Q(email__startswith="demo-coordinator-")
        | Q(email__startswith="demo-clinician-")
        | Q(email=SITE_ADMIN_EMAIL),
        email__endswith="@" + DEMO_EMAIL_DOMAIN,
    )


def demo_organisations():
    return Organisation.objects.filter(slug__startswith="demo-", name__endswith="(demo)")


def demo_data_delete() -> int:
    """Delete every piece of demo data, and nothing else. Returns the number of demo users deleted."""
    with transaction.atomic():
        organisations = demo_organisations()
        programmes = Programme.objects.filter(lead_organisation__in=organisations)
        demo_consults_delete(sites=Site.objects.filter(organisation__in=organisations))
        Placement.objects.filter(need__programme__in=programmes).delete()
        Need.objects.filter(programme__in=programmes).delete()
        programmes.delete()
        Site.objects.filter(organisation__in=organisations, name__startswith="Demo ").delete()
        users = demo_users()
        profiles = VolunteerProfile.objects.filter(user__in=users)
        # The bulky rows first, each in one query (nothing depends on them), so the deletion collector
        # does not have to load them when the users go.
        for queryset in (
            VolunteerLanguage.objects.filter(profile__in=profiles),
            AvailabilityWindow.objects.filter(profile__in=profiles),
            Credential.objects.filter(profile__in=profiles),
            VolunteerProfile.skills.through.objects.filter(volunteerprofile__in=profiles),
        ):
            queryset.delete()
        EmailAddress.objects.filter(user__in=users).delete()
        deleted_users = users.count()
        users.delete()
        organisations.delete()
    return deleted_users


class _Generator:
    def __init__(self, *, seed: int, today: datetime.date):
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security.
        self.today = today
        self.now = timezone.now()
        self.password = make_password(DEMO_PASSWORD)
        self.skill_ids = dict(Skill.objects.active().order_by("slug").values_list("slug", "pk"))
        self.language_codes = set(Language.objects.values_list("code", flat=True))
        self.counts: dict[str, int] = {}

    # --- helpers -------------------------------------------------------------------------------

    def days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(low, high))

    def skills_for(self, profession: str) -> list[int]:
        pool = [self.skill_ids[slug] for slug in SKILLS_BY_PROFESSION[profession] if slug in self.skill_ids]
        return pool or sorted(self.skill_ids.values())

    def languages(self, codes) -> list[str]:
        return [code for code in codes if code in self.language_codes]

    def bulk(self, label: str, model, objects: list) -> list:
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        self.counts[label] = self.counts.get(label, 0) + len(objects)
        return objects

    def users(self, emails_and_names: list[tuple[str, str, str]], **flags) -> list:
        User = get_user_model()
        users = User.objects.bulk_create(
            [
                User(email=email, first_name=first, last_name=last, password=self.password, is_active=True, **flags)
                for email, first, last in emails_and_names
            ],
            batch_size=BATCH_SIZE,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user_id=user.pk, email=user.email, verified=True, primary=True) for user in users],
            batch_size=BATCH_SIZE,
        )
        return users

    def authenticator_apps(self, emails: list[str]) -> None:
        """Set up allauth.mfa's TOTP authenticator on DEMO_TOTP_SECRET for these accounts."""
        user_ids = get_user_model().objects.filter(email__in=emails).values_list("pk", flat=True)
        self.bulk(
            "authenticator apps",
            Authenticator,
            [
                Authenticator(user_id=pk, type=Authenticator.Type.TOTP, data={"secret": encrypt(DEMO_TOTP_SECRET)})
                for pk in user_ids
            ],
        )

    # --- organisations, coordinators, sites, programmes ---------------------------------------

    def organisations(self) -> list[Organisation]:
        organisations = [
            Organisation(
                name=name,
                slug="demo-" + slugify(name.removesuffix(" (demo)")),
                kind=kind,
                headquarters_country=hq,
                countries=list(codes),
                description="A fictional organisation created by the load_demo command for demonstrations.",
                content_language="en",
                status=Organisation.Status.VERIFIED,
                verified_at=self.now,
            )
            for name, kind, hq, codes in DEMO_ORGANISATIONS
        ]
        return self.bulk("organisations", Organisation, organisations)

    def coordinators(self, organisations: list[Organisation]) -> list[tuple[str, str]]:
        people = [
            (COORDINATOR_EMAIL.format(index), "Demo", f"Coordinator {index:02d}")
            for index in range(1, len(organisations) + 1)
        ]
        users = self.users(people)
        self.bulk(
            "coordinators",
            Membership,
            [
                # The first demo organisation's coordinator is also its admin: its members page (invitations,
                # API tokens, the embeddable listing) has someone to show it to.
                Membership(
                    user_id=user.pk,
                    organisation_id=organisation.pk,
                    role=Membership.Role.ADMIN if index == 0 else Membership.Role.COORDINATOR,
                )
                for index, (user, organisation) in enumerate(zip(users, organisations, strict=True))
            ],
        )
        return [(user.email, organisation.name) for user, organisation in zip(users, organisations, strict=True)]

    def sites(self, organisations: list[Organisation], count: int) -> list[Site]:
        sites = []
        for index in range(1, count + 1):
            organisation = organisations[(index - 1) % len(organisations)]
            country = self.rng.choice([country.code for country in organisation.countries])
            city = self.rng.choice(DEMO_COUNTRIES[country][0])
            sites.append(
                Site(
                    name=f"{self.rng.choice(SITE_KINDS)} {index}",
                    city=city,
                    country=country,
                    organisation=organisation,
                    description="A fictional hospital created for demonstrations.",
                )
            )
        return self.bulk("sites", Site, sites)

    def programmes(self, organisations: list[Organisation], sites: list[Site], count: int):
        sites_of: dict[int, list[Site]] = {}
        for site in sites:
            sites_of.setdefault(site.organisation_id, []).append(site)
        programmes, partner_links, site_links, programme_sites = [], [], [], {}
        kinds = list(Programme.Kind.values)
        for index in range(1, count + 1):
            organisation = organisations[(index - 1) % len(organisations)]
            chosen = self.rng.sample(
                sites_of[organisation.pk], min(len(sites_of[organisation.pk]), self.rng.randint(1, 3))
            )
            codes = sorted({site.country.code for site in chosen})
            kind = self.rng.choice(kinds)
            # Each demo organisation's first programme is published, so every one has something to show.
            status = self.rng.choices(
                [Programme.Status.PUBLISHED, Programme.Status.DRAFT, Programme.Status.CLOSED], weights=[85, 10, 5]
            )[0]
            if index <= len(organisations):
                status = Programme.Status.PUBLISHED
            start = self.today - self.days(0, 400)
            language = programme_language([site.country.code for site in chosen])
            # The countries named in the programme's own language.
            with translation.override(language):
                places = ", ".join(str(country_names.name(code)) for code in codes)
            if language == "en":
                title = PROGRAMME_TITLES[kind]
                summary = f"A fictional {title.lower()} programme in {places}."
                description = "Created by the load_demo command for demonstrations; not a real programme."
            else:
                title = demo_languages.PROGRAMME_TITLES[language][kind]
                summary = demo_languages.PROGRAMME_SUMMARIES[language].format(title=title, places=places)
                description = demo_languages.PROGRAMME_DESCRIPTIONS[language]
            programmes.append(
                Programme(
                    lead_organisation=organisation,
                    title=f"{title} – {places} ({index})",
                    slug=f"demo-programme-{index:04d}",
                    kind=kind,
                    summary=summary,
                    description=description,
                    content_language=language,
                    countries=codes,
                    start_date=start,
                    end_date=start + self.days(400, 1500) if self.rng.random() < 0.5 else None,
                    status=status,
                )
            )
            programme_sites[index - 1] = chosen
            if self.rng.random() < 0.3:
                partner = self.rng.choice([other for other in organisations if other.pk != organisation.pk])
                partner_links.append((index - 1, partner.pk))
        self.bulk("programmes", Programme, programmes)
        Partners, Sites = Programme.partners.through, Programme.sites.through
        self.bulk(
            "programme partners",
            Partners,
            [Partners(programme_id=programmes[i].pk, organisation_id=pk) for i, pk in partner_links],
        )
        for i, chosen in programme_sites.items():
            site_links.extend(Sites(programme_id=programmes[i].pk, site_id=site.pk) for site in chosen)
        self.bulk("programme sites", Sites, site_links)
        return programmes, programme_sites

    # --- volunteers ----------------------------------------------------------------------------

    def volunteers(self, count: int) -> None:
        rng = self.rng
        professions = list(PROFESSION_WEIGHTS)
        weights = list(PROFESSION_WEIGHTS.values())
        lmic_codes = sorted(DEMO_COUNTRIES)
        demo_regions = sorted({region_of(code) for code in lmic_codes})
        users = self.users(
            [(VOLUNTEER_EMAIL.format(index), "Demo", f"Volunteer {index:04d}") for index in range(1, count + 1)]
        )
        profiles, details = [], []
        for number, user in enumerate(users, start=1):
            profession = rng.choices(professions, weights)[0]
            if profession == Profession.STUDENT:
                stage, years = CareerStage.STUDENT, 0
            elif profession == Profession.TRAINEE:
                stage, years = CareerStage.TRAINEE, rng.randint(1, 6)
            else:
                stage = rng.choices(
                    [CareerStage.EARLY, CareerStage.ESTABLISHED, CareerStage.SENIOR, CareerStage.RETIRED],
                    [25, 40, 25, 10],
                )[0]
                years = {
                    CareerStage.EARLY: (1, 4),
                    CareerStage.ESTABLISHED: (5, 15),
                    CareerStage.SENIOR: (16, 35),
                    CareerStage.RETIRED: (30, 45),
                }[stage]
                years = rng.randint(*years)
            if rng.random() < 0.75:
                home = rng.choice(sorted(HIGH_INCOME_HOMES))
                home_languages = HIGH_INCOME_HOMES[home]
            else:
                home = rng.choice(lmic_codes)
                home_languages = DEMO_COUNTRIES[home][1]
            onsite, remote = rng.choices([(True, True), (True, False), (False, True)], [45, 30, 25])[0]
            consent = rng.random() < 0.92
            completed = rng.random() < 0.9
            name, title = demo_volunteer_name(number, profession=profession, stage=stage)
            profiles.append(
                VolunteerProfile(
                    user_id=user.pk,
                    name=name,
                    title=title,
                    profession=profession,
                    career_stage=stage,
                    years_experience=years,
                    home_country=home,
                    institution=f"Demo University Hospital {rng.randint(1, 250)}",
                    offers_onsite=onsite,
                    offers_remote=remote,
                    preferred_regions=sorted(rng.sample(demo_regions, rng.randint(1, 2))),
                    bio=f"A fictional volunteer with {years} years of experience, created for demonstrations.",
                    consent_to_share=consent,
                    consent_given_at=self.now if consent else None,
                    onboarding_step=99 if completed else rng.randint(1, 3),
                    onboarding_completed_at=self.now if completed else None,
                )
            )
            details.append((profession, home, home_languages, remote))
        self.bulk("volunteers", VolunteerProfile, profiles)

        languages, skills, windows, credentials = [], [], [], []
        Skills = VolunteerProfile.skills.through
        for number, (profile, (profession, home, home_languages, remote)) in enumerate(
            zip(profiles, details, strict=True), start=1
        ):
            spoken = {code: Proficiency.NATIVE for code in self.languages(home_languages[:1])}
            spoken.setdefault("en", rng.choice([Proficiency.WORKING, Proficiency.FLUENT, Proficiency.NATIVE]))
            for code in self.languages(rng.sample(["fr", "es", "pt", "sw", "ar"], rng.randint(0, 2))):
                spoken.setdefault(code, rng.choice([Proficiency.BASIC, Proficiency.WORKING, Proficiency.FLUENT]))
            languages.extend(
                VolunteerLanguage(profile_id=profile.pk, language_id=code, proficiency=level)
                for code, level in sorted(spoken.items())
                if code in self.language_codes
            )
            pool = self.skills_for(profession)
            skills.extend(
                Skills(volunteerprofile_id=profile.pk, skill_id=skill_id)
                for skill_id in rng.sample(pool, min(len(pool), rng.randint(2, 6)))
            )
            start = self.today + self.days(0, 200)
            for _ in range(rng.randint(1, 2)):
                end = start + self.days(14, 180)
                windows.append(
                    AvailabilityWindow(
                        profile_id=profile.pk,
                        start_date=start,
                        end_date=end,
                        hours_per_week=rng.randint(2, 10) if remote else 0,
                    )
                )
                start = end + self.days(30, 120)
            if profession in CREDENTIAL_TITLES and rng.random() < 0.45:
                kind, title = CREDENTIAL_TITLES[profession]
                issued = self.today - self.days(365, 15 * 365)
                status = rng.choices(
                    [Credential.Status.VERIFIED, Credential.Status.PENDING, Credential.Status.REJECTED], [60, 35, 5]
                )[0]
                credentials.append(
                    Credential(
                        profile_id=profile.pk,
                        kind=kind,
                        title=title,
                        issuing_body="Demo Licensing Board",
                        issuing_country=home,
                        number=f"DEMO-{number:06d}",
                        issued_on=issued,
                        expires_on=issued + self.days(5 * 365, 12 * 365) if rng.random() < 0.6 else None,
                        status=status,
                        verified_at=self.now if status == Credential.Status.VERIFIED else None,
                        rejection_reason="Demo: the document could not be read."
                        if status == Credential.Status.REJECTED
                        else "",
                    )
                )
        self.bulk("volunteer languages", VolunteerLanguage, languages)
        self.bulk("volunteer skills", Skills, skills)
        self.bulk("availability windows", AvailabilityWindow, windows)
        self.bulk("credentials", Credential, credentials)

    # --- needs ---------------------------------------------------------------------------------

    def needs(self, programmes: list[Programme], programme_sites: dict[int, list[Site]], count: int) -> None:
        rng = self.rng
        professions = list(PROFESSION_WEIGHTS)
        weights = list(PROFESSION_WEIGHTS.values())
        needs, links = [], []
        for number in range(count):
            index = rng.randrange(len(programmes))
            programme = programmes[index]
            if programme.kind == Programme.Kind.TELERADIOLOGY:
                mode = Mode.REMOTE
            else:
                mode = rng.choices([Mode.ONSITE, Mode.REMOTE, Mode.HYBRID], [50, 30, 20])[0]
            site = rng.choice(programme_sites[index]) if mode != Mode.REMOTE else None
            profession = rng.choices(professions, weights)[0]
            start = self.today + self.days(14, 300)
            if mode == Mode.REMOTE:
                end = start + self.days(60, 365)
                min_days = rng.randint(30, min(90, (end - start).days + 1))
                hours = rng.randint(2, 8)
            else:
                end = start + self.days(30, 150)
                min_days = rng.randint(7, min(28, (end - start).days + 1))
                hours = rng.randint(2, 6) if mode == Mode.HYBRID else 0
            onsite = mode != Mode.REMOTE
            status = rng.choices([Need.Status.OPEN, Need.Status.FILLED, Need.Status.CLOSED], [90, 6, 4])[0]
            template = rng.choice(NEED_TITLES[profession] if site else REMOTE_NEED_TITLES[profession])
            description = (
                f"{template}. A fictional need of the demo programme “{programme.title}”, created for demonstrations."
            )
            language = programme.content_language
            if language != "en" and number % demo_languages.ENGLISH_NEED_EVERY == 0:
                language = "en"
            elif language != "en":
                template = demo_languages.NEED_TITLES[language][profession][0 if site else 1]
                description = demo_languages.NEED_DESCRIPTIONS[language].format(
                    title=template, programme=programme.title
                )
            title = f"{template} – {site.city}" if site else template
            junior = profession in (Profession.STUDENT, Profession.TRAINEE)
            needs.append(
                Need(
                    programme=programme,
                    title=title,
                    description=description,
                    content_language=language,
                    profession=profession,
                    places=rng.randint(1, 4),
                    mode=mode,
                    host_site=site,
                    window_start=start,
                    window_end=end,
                    min_duration_days=min_days,
                    hours_per_week=hours,
                    min_years_experience=0 if junior else rng.choice([0, 0, 2, 3, 5, 8]),
                    # Asked only where the demo's volunteers hold a kind that attests a licence to practise: a
                    # physicist's certificate does not, and their offers would all be refused.
                    requires_verified_credential=not junior
                    and profession in CREDENTIAL_TITLES
                    and rng.random() < 0.4
                    and CREDENTIAL_TITLES[profession][0] in LICENCE_TO_PRACTISE_KINDS,
                    offers_accommodation=onsite and rng.random() < 0.7,
                    offers_travel=onsite and rng.random() < 0.3,
                    offers_visa_letter=onsite and rng.random() < 0.6,
                    offers_meals=onsite and rng.random() < 0.5,
                    offers_local_transport=onsite and rng.random() < 0.5,
                    offers_licensing_help=onsite and rng.random() < 0.6,
                    application_deadline=max(self.today + datetime.timedelta(days=3), start - self.days(7, 30)),
                    status=status,
                    filled_at=self.now if status == Need.Status.FILLED else None,
                )
            )
            pool = self.skills_for(profession)
            picked = rng.sample(pool, min(len(pool), rng.randint(1, 4)))
            required_count = rng.randint(1, min(2, len(picked)))
            local = DEMO_COUNTRIES[site.country.code][1] if site else ()
            languages = []
            if local and rng.random() < 0.4:
                languages.append(rng.choice(local))
            if rng.random() < 0.3:
                languages.append("en")
            links.append((picked[:required_count], picked[required_count:], self.languages(languages)))
        self.bulk("needs", Need, needs)
        Required, Preferred = Need.required_skills.through, Need.preferred_skills.through
        Languages = Need.required_languages.through
        required, preferred, languages = [], [], []
        for need, (required_ids, preferred_ids, codes) in zip(needs, links, strict=True):
            required.extend(Required(need_id=need.pk, skill_id=skill_id) for skill_id in required_ids)
            preferred.extend(Preferred(need_id=need.pk, skill_id=skill_id) for skill_id in preferred_ids)
            languages.extend(Languages(need_id=need.pk, language_id=code) for code in codes)
        self.bulk("required skills", Required, required)
        self.bulk("preferred skills", Preferred, preferred)
        self.bulk("required languages", Languages, languages)


def demo_data_replace(*, volunteers: int, needs: int, seed: int, today: datetime.date | None = None) -> DemoSummary:
    """Delete the previous demo data, then generate fresh demo data from ``seed``.

    Every demo account (volunteers, one coordinator per demo organisation and a site admin) signs in with
    ``DEMO_PASSWORD`` and has a verified e-mail address; the coordinators and the site admin then enter
    a code from an authenticator app set up on ``DEMO_TOTP_SECRET``.
    """
    if not connection.features.can_return_rows_from_bulk_insert:
        raise RuntimeError("Demo data needs a database that returns ids from bulk inserts (PostgreSQL, SQLite 3.35+).")
    with transaction.atomic(), translation.override("en"):
        deleted = demo_data_delete()
        generator = _Generator(seed=seed, today=today or timezone.localdate())
        organisations = generator.organisations()
        coordinators = generator.coordinators(organisations)
        generator.users([(SITE_ADMIN_EMAIL, "Demo", "Site admin")], is_staff=True, is_superuser=True)
        generator.authenticator_apps([email for email, _ in coordinators] + [SITE_ADMIN_EMAIL])
        sites = generator.sites(organisations, max(len(organisations), min(needs // 5, 500)))
        programmes, programme_sites = generator.programmes(
            organisations, sites, max(len(organisations), min(needs // 20, 200))
        )
        generator.volunteers(volunteers)
        team_needs = demo_teams(generator=generator, organisation=organisations[0]) if needs >= DEMO_TEAM_NEEDS else 0
        completed_needs = 0
        if needs - team_needs > DEMO_COMPLETED_NEEDS and demo_completed_placement(
            programme=programmes[0],
            site=(programme_sites[0] or [None])[0],
            titles=NEED_TITLES,
            today=generator.today,
        ):
            completed_needs = DEMO_COMPLETED_NEEDS
            generator.counts["needs"] = generator.counts.get("needs", 0) + DEMO_COMPLETED_NEEDS
            generator.counts["completed placements"] = 1
        generator.needs(programmes, programme_sites, needs - team_needs - completed_needs)
        generator.counts.update(demo_waiting_list(programmes=programmes, today=generator.today))
        coordinators += electives_demo_load(generator)
        load_visiting_demo(generator, generator.today, organisations)
        generator.counts.update(demo_speakers(organisations=organisations, today=generator.today))
        generator.counts.update(
            demo_consults(generator=generator, organisation=organisations[0], today=generator.today)
        )
        generator.counts.update(
            demo_checklists(
                programmes=Programme.objects.filter(lead_organisation__in=organisations), today=generator.today
            )
        )
    return DemoSummary(counts=generator.counts, deleted_users=deleted, coordinators=coordinators)
