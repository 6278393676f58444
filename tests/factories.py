"""factory_boy factories for every model; tests build data through these only."""

import base64
import datetime
import hashlib
import hmac
import struct
import time

import factory
from django.utils import timezone
from django.utils.text import slugify

from globalir.accounts.models import User
from organisations.models import Invitation, Membership, Organisation
from placements.models import Application, Feedback, Placement, VisitCandidacy
from placements.talks import SpeakingInvitation, TalkFormat
from placements.waiting_list import WaitingListEntry
from programmes.electives import Elective
from programmes.models import HostRequest, Mode, Need, Programme, Site
from volunteers.models import (
    AvailabilityWindow,
    CareerStage,
    Credential,
    Language,
    Profession,
    Skill,
    VolunteerLanguage,
    VolunteerProfile,
)
from volunteers.speakers import SpeakerProfile

PASSWORD = "correct-horse-battery-staple"
# Every enrolled test user's authenticator app holds this secret (base32, as an app would show it).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TOTP_PERIOD = 30


def today():
    return timezone.localdate()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Give the user a verified primary e-mail address, as allauth would after confirmation."""
        if not create or extracted is False:
            return
        from allauth.account.models import EmailAddress

        user.save()
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows for `secret` (RFC 6238: HMAC-SHA1, 30 s steps).

    Written out here rather than borrowed from allauth, so that the tests check allauth's codes
    against an independent implementation.
    """
    counter = int((time.time() if at is None else at) // TOTP_PERIOD)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_totp_code(secret: str = TOTP_SECRET, *, seconds_needed: float = 3) -> str:
    """A code still valid `seconds_needed` from now: near the end of a 30 s step, wait for the next."""
    remaining = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if remaining < seconds_needed:
        time.sleep(remaining + 0.05)
    return totp_code(secret)


def enrol_in_mfa(user, secret: str = TOTP_SECRET):
    """Set up an authenticator app for `user` (allauth.mfa's TOTP authenticator), as enrolment does."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    authenticator, _ = Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": encrypt(secret)}}
    )
    return authenticator


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True

    @factory.post_generation
    def mfa(user, create, extracted, **kwargs):
        """Staff must use two-factor authentication: enrolled unless `mfa=False`."""
        if create and extracted is not False:
            enrol_in_mfa(user)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Imaging Outreach Group {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Organisation.Kind.NGO
    description = "Brings imaging to places that have none."
    headquarters_country = "GB"
    countries = ["TZ", "KE"]
    status = Organisation.Status.VERIFIED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.COORDINATOR

    @factory.post_generation
    def mfa(membership, create, extracted, **kwargs):
        """Members of an organisation must use two-factor authentication: enrolled unless `mfa=False`."""
        if create and extracted is not False:
            enrol_in_mfa(membership.user)


def skill(slug: str) -> Skill:
    return Skill.objects.get(slug=slug)


def language(code: str) -> Language:
    return Language.objects.get(code=code)


class VolunteerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    # The name the wizard asks for; tests that name the account name the volunteer too.
    name = factory.LazyAttribute(lambda profile: f"{profile.user.first_name} {profile.user.last_name}".strip())
    profession = Profession.IR_PHYSICIAN
    career_stage = CareerStage.ESTABLISHED
    years_experience = 8
    home_country = "CA"
    institution = "Lakeside General Hospital"
    offers_onsite = True
    offers_remote = True
    preferred_regions = ["ssa"]
    bio = "Interventional radiologist keen to teach."
    consent_to_share = True
    consent_given_at = factory.LazyFunction(timezone.now)
    onboarding_step = 99
    onboarding_completed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def languages(profile, create, extracted, **kwargs):
        """languages=[("en", 4), ("fr", 2)]; English at native level by default."""
        if not create:
            return
        for code, proficiency in extracted if extracted is not None else [("en", 4)]:
            VolunteerLanguage.objects.create(profile=profile, language=language(code), proficiency=proficiency)

    @factory.post_generation
    def skills(profile, create, extracted, **kwargs):
        if create and extracted:
            profile.skills.set(skill(slug) if isinstance(slug, str) else slug for slug in extracted)


class AvailabilityWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityWindow

    profile = factory.SubFactory(VolunteerProfileFactory)
    start_date = factory.LazyFunction(lambda: today() + datetime.timedelta(days=30))
    end_date = factory.LazyFunction(lambda: today() + datetime.timedelta(days=120))
    hours_per_week = 4


class CredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credential

    profile = factory.SubFactory(VolunteerProfileFactory)
    kind = Credential.Kind.BOARD
    title = "Board certification in radiology"
    issuing_body = "Royal College of Physicians and Surgeons"
    issuing_country = "CA"
    number = factory.Sequence(lambda n: f"RC-{n:06d}")
    expires_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=3 * 365))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Regional Referral Hospital {n}")
    city = "Dar es Salaam"
    country = "TZ"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    lead_organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"IR training programme {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    kind = Programme.Kind.TRAINING
    summary = "Hands-on IR training with local fellows."
    countries = ["TZ"]
    status = Programme.Status.PUBLISHED


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"IR faculty for embolisation training {n}")
    description = "Teach embolisation for post-partum haemorrhage to local fellows."
    profession = Profession.IR_PHYSICIAN
    places = 2
    mode = Mode.ONSITE
    host_site = factory.SubFactory(SiteFactory)
    window_start = factory.LazyFunction(lambda: today() + datetime.timedelta(days=40))
    window_end = factory.LazyFunction(lambda: today() + datetime.timedelta(days=100))
    min_duration_days = 14
    hours_per_week = 0
    min_years_experience = 3
    application_deadline = factory.LazyFunction(lambda: today() + datetime.timedelta(days=30))
    offers_accommodation = True

    @factory.post_generation
    def required_skills(need, create, extracted, **kwargs):
        if create and extracted:
            need.required_skills.set(skill(slug) for slug in extracted)

    @factory.post_generation
    def required_languages(need, create, extracted, **kwargs):
        if create and extracted:
            need.required_languages.set(language(code) for code in extracted)


class RemoteNeedFactory(NeedFactory):
    mode = Mode.REMOTE
    host_site = None
    hours_per_week = 3
    min_duration_days = 30


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    need = factory.SubFactory(NeedFactory)
    volunteer = factory.SubFactory(VolunteerProfileFactory)
    message = "I would love to help with this."
    proposed_start = factory.LazyAttribute(lambda a: a.need.window_start)
    proposed_end = factory.LazyAttribute(lambda a: a.need.window_start + datetime.timedelta(days=20))


class WaitingListEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitingListEntry

    need = factory.SubFactory(NeedFactory)
    volunteer = factory.SubFactory(VolunteerProfileFactory)


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    application = factory.SubFactory(
        ApplicationFactory, status=Application.Status.ACCEPTED, accepted_at=factory.LazyFunction(timezone.now)
    )
    need = factory.LazyAttribute(lambda p: p.application.need)
    volunteer = factory.LazyAttribute(lambda p: p.application.volunteer)
    mode = factory.LazyAttribute(lambda p: p.application.need.mode)
    start_date = factory.LazyAttribute(lambda p: p.application.proposed_start)
    end_date = factory.LazyAttribute(lambda p: p.application.proposed_end)


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    placement = factory.SubFactory(PlacementFactory)
    side = Feedback.Side.VOLUNTEER
    author = factory.LazyAttribute(lambda f: f.placement.volunteer.user if f.placement.volunteer else None)
    rating = 5
    comments = "A well-organised placement with a welcoming team."


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation as stored; the raw token is only known to whoever creates one through the service."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Membership.Role.COORDINATOR
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))


class ElectiveNeedFactory(NeedFactory):
    """An on-site need for medical students, made an elective by ElectiveFactory."""

    profession = Profession.STUDENT
    min_years_experience = 0
    places = 3
    host_site = factory.SubFactory(SiteFactory, organisation=factory.SelfAttribute("..programme.lead_organisation"))


class ElectiveFactory(factory.django.DjangoModelFactory):
    """An elective supervised by a member of the organisation that manages its host site."""

    class Meta:
        model = Elective

    need = factory.SubFactory(ElectiveNeedFactory)
    supervisor = factory.LazyAttribute(
        lambda e: MembershipFactory(organisation=e.need.host_site.organisation, role=Membership.Role.COORDINATOR).user
    )
    max_students = 2


class HomeLetterFactory(CredentialFactory):
    kind = Credential.Kind.HOME_LETTER
    title = "Letter from the dean of the medical school"
    issuing_body = "Lakeside Medical School"
    status = Credential.Status.VERIFIED


# Visiting professors and their hosts.


class VisitingProgrammeFactory(ProgrammeFactory):
    title = factory.Sequence(lambda n: f"International Visiting Professor Program {n}")
    kind = Programme.Kind.VISITING_PROFESSOR


class HostRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HostRequest
        skip_postgeneration_save = True

    programme = factory.SubFactory(VisitingProgrammeFactory)
    host_organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.SOCIETY)
    title = factory.Sequence(lambda n: f"Annual IR society meeting {n}")
    kind = HostRequest.Kind.BOTH
    language = factory.LazyFunction(lambda: language("en"))
    country = "KE"
    city = "Nairobi"
    preferred_start = factory.LazyFunction(lambda: today() + datetime.timedelta(days=90))
    preferred_end = factory.LazyFunction(lambda: today() + datetime.timedelta(days=96))
    covers_accommodation = True
    covers_local_travel = True

    @factory.post_generation
    def topics(host_request, create, extracted, **kwargs):
        if create:
            host_request.topics.set(skill(slug) for slug in (extracted or ["embolisation"]))


class VisitCandidacyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitCandidacy
        skip_postgeneration_save = True

    programme = factory.SubFactory(VisitingProgrammeFactory)
    volunteer = factory.SubFactory(VolunteerProfileFactory, career_stage=CareerStage.SENIOR)
    statement = "Twenty years of embolisation teaching; happy to give lectures and hands-on sessions."

    @factory.post_generation
    def topics(candidacy, create, extracted, **kwargs):
        if create:
            candidacy.topics.set(skill(slug) for slug in (extracted or ["embolisation"]))


class SpeakerProfileFactory(factory.django.DjangoModelFactory):
    """A volunteer listed in the Speakers Bureau who shows every field."""

    class Meta:
        model = SpeakerProfile
        skip_postgeneration_save = True

    profile = factory.SubFactory(VolunteerProfileFactory)
    is_listed = True
    region = "ssa"
    bio = "Teaches image-guided drainage at regional meetings."
    woman_in_ir = True
    outside_us = True
    show_topics = True
    show_languages = True
    show_region = True
    show_career_stage = True
    show_identity = True
    show_bio = True
    listed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def topics(speaker, create, extracted, **kwargs):
        if create:
            speaker.topics.set(skill(slug) for slug in (extracted if extracted is not None else ["ct"]))

    @factory.post_generation
    def languages(speaker, create, extracted, **kwargs):
        if create:
            speaker.languages.set(language(code) for code in (extracted if extracted is not None else ["en"]))


class SpeakingInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpeakingInvitation

    organisation = factory.SubFactory(OrganisationFactory)
    speaker = factory.SubFactory(VolunteerProfileFactory)
    event = "Annual meeting of the national IR society: keynote"
    topic = "Image-guided drainage"
    date = factory.LazyFunction(lambda: today() + datetime.timedelta(days=30))
    format = TalkFormat.REMOTE
    audience = "About 150 radiologists and IR trainees"
