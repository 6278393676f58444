"""The pipeline board of a need, and one application as its coordinators review it (selectors)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from globalir.accounts.selectors import user_orcid_id
from organisations.models import Organisation
from programmes.models import Mode, Need
from volunteers.models import AvailabilityWindow, Credential, Skill, VolunteerLanguage, VolunteerProfile

from .credential_checks import application_credential_shortfalls, overlap_warning, shortfall_for_coordinator
from .emails import application_volunteer_label
from .models import Application, Feedback, Placement
from .selectors import placement_dates_for

Status = Application.Status

# The board's columns, in the order an application moves through them; declined and withdrawn
# applications (Application.CLOSED_STATUSES) come after, folded away.
BOARD_COLUMNS = (Status.INTERESTED, Status.SHORTLISTED, Status.OFFERED, Status.ACCEPTED, Status.COMPLETED)
# Why a board shows no volunteer who has not applied: the need takes no more applications (filled,
# closed, or past its deadline or dates), every place is offered or taken (full: volunteers join the
# waiting list instead), or the organisation is not verified yet.
NOT_SUGGESTING = ("filled", "closed", "not_taking_applications", "full", "unverified")


@dataclass
class VolunteerSummary:
    """What a coordinator sees of a volunteer who agreed to share their profile."""

    name: str
    profession: str
    years_experience: int
    languages: list[str]  # "French (Working)"
    matching_skills: list[str]  # the volunteer's skills the need requires or prefers
    credential_status: str  # "verified", "pending", "expired" or "none"
    # False when the need requires or prefers no skill: then no skill can match, and saying so misleads.
    need_asks_for_skills: bool = True


@dataclass
class PipelineCard:
    application: Application
    volunteer: VolunteerSummary | None  # None: the volunteer has not agreed to share (or has left)
    placement: Placement | None
    can_shortlist: bool = False
    can_offer: bool = False
    can_decline: bool = False
    can_complete: bool = False
    # What the coordinator should know before offering: a credential that would refuse the offer, a
    # placement elsewhere on the same dates that would refuse the acceptance.
    offer_warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return application_volunteer_label(self.application)


@dataclass
class PipelineColumn:
    status: str
    label: str
    cards: list[PipelineCard]


@dataclass
class PipelineBoard:
    need: Need
    columns: list[PipelineColumn]
    closed: list[PipelineCard]  # declined and withdrawn
    accepted: int  # accepted or completed
    offers_waiting: int
    places_left: int  # places not yet offered or taken
    # Why nobody who has not applied is shown (one of NOT_SUGGESTING), or "" when they are (the matcher's
    # {% need_suggestions %} shows them).
    not_suggesting: str = ""

    @property
    def total(self) -> int:
        return sum(len(column.cards) for column in self.columns) + len(self.closed)


def credential_status(credentials: Iterable[Credential], *, today: datetime.date) -> str:
    """One word for a volunteer's credentials: "verified" (one verified and valid today), else
    "pending" (one awaiting verification), else "expired" (verified ones have all expired), else "none"."""
    credentials = list(credentials)
    if any(credential.is_valid_on(today) for credential in credentials):
        return "verified"
    if any(credential.status == Credential.Status.PENDING for credential in credentials):
        return "pending"
    if any(credential.status == Credential.Status.VERIFIED for credential in credentials):
        return "expired"
    return "none"


def wanted_skill_ids(need: Need) -> QuerySet:
    """The ids of the skills the need requires or prefers, as a subquery."""
    return Skill.objects.filter(
        Q(pk__in=Need.required_skills.through.objects.filter(need_id=need.pk).values("skill_id"))
        | Q(pk__in=Need.preferred_skills.through.objects.filter(need_id=need.pk).values("skill_id"))
    ).values("pk")


def summary_prefetches(need: Need) -> list[Prefetch]:
    return [
        Prefetch(
            "languages",
            queryset=VolunteerLanguage.objects.select_related("language").order_by("-proficiency", "language__name"),
            to_attr="board_languages",
        ),
        Prefetch(
            "skills",
            queryset=Skill.objects.filter(pk__in=wanted_skill_ids(need)).order_by("name"),
            to_attr="board_matching_skills",
        ),
        Prefetch(
            "credentials", queryset=Credential.objects.order_by("-created_at", "-pk"), to_attr="board_credentials"
        ),
    ]


def need_asks_for_skills(need: Need) -> Exists:
    """Whether the need requires or prefers at least one skill, to annotate a query the page makes anyway."""
    return Exists(wanted_skill_ids(need))


def volunteer_summary(
    profile: VolunteerProfile, *, today: datetime.date, asks_for_skills: bool = True
) -> VolunteerSummary:
    """`profile` with _summary_prefetches done; `asks_for_skills` from need_asks_for_skills."""
    return VolunteerSummary(
        name=profile.display_name,
        profession=profile.get_profession_display(),
        years_experience=profile.years_experience,
        languages=[
            _("%(language)s (%(level)s)") % {"language": row.language, "level": row.get_proficiency_display()}
            for row in profile.board_languages
        ],
        matching_skills=[str(skill) for skill in profile.board_matching_skills],
        credential_status=credential_status(profile.board_credentials, today=today),
        need_asks_for_skills=asks_for_skills,
    )


def need_pipeline_board(*, need: Need, today: datetime.date | None = None) -> PipelineBoard:
    """The need's applications by status, each with what the volunteer agreed to share, and why the board
    shows nobody who has not applied, if it does not (a need that takes no more applications: filled,
    closed, past its deadline or dates; or an organisation not yet verified). The volunteers who have not
    applied are the matcher's ({% need_suggestions %}).

    A fixed number of queries however many applications: the applications (with volunteer, user and
    placement), then for the volunteers who share their profile their languages, matching skills and
    credentials (one each). Profiles of volunteers who did not agree to share are not read beyond their
    consent.
    """
    today = today or timezone.localdate()
    applications = list(
        need.applications.select_related("volunteer__user", "placement")
        .annotate(need_asks_for_skills=need_asks_for_skills(need))
        .order_by("created_at", "pk")
    )
    sharing = [
        application.volunteer
        for application in applications
        if application.volunteer is not None and application.volunteer.consent_to_share
    ]
    asks_for_skills = applications[0].need_asks_for_skills if applications else True
    if sharing:
        prefetch_related_objects(sharing, *summary_prefetches(need))

    accepted = sum(application.status in Application.TAKING_PLACE_STATUSES for application in applications)
    offers_waiting = sum(application.status == Status.OFFERED for application in applications)
    places_left = max(need.places - accepted - offers_waiting, 0)
    can_offer_now = need.status == Need.Status.OPEN and places_left > 0

    busy = _onsite_placements_of(sharing, need=need) if can_offer_now else {}
    columns = {status: PipelineColumn(status=status, label=Status(status).label, cards=[]) for status in BOARD_COLUMNS}
    closed = []
    for application in applications:
        volunteer = application.volunteer
        shares = volunteer is not None and volunteer.consent_to_share
        placement = getattr(application, "placement", None)
        card = PipelineCard(
            application=application,
            volunteer=volunteer_summary(volunteer, today=today, asks_for_skills=asks_for_skills) if shares else None,
            placement=placement,
            can_shortlist=application.can_become(Status.SHORTLISTED),
            can_offer=can_offer_now and volunteer is not None and application.can_become(Status.OFFERED),
            can_decline=application.can_become(Status.DECLINED),
            can_complete=(
                application.can_become(Status.COMPLETED) and placement is not None and placement.start_date <= today
            ),
        )
        if card.can_offer and shares:
            card.offer_warnings = _offer_warnings(application, busy=busy, today=today)
        if application.status in columns:
            columns[application.status].cards.append(card)
        else:
            closed.append(card)
    return PipelineBoard(
        need=need,
        columns=list(columns.values()),
        closed=closed,
        accepted=accepted,
        offers_waiting=offers_waiting,
        places_left=places_left,
        not_suggesting=_why_not_suggesting(need, today=today, places_left=places_left),
    )


def _onsite_placements_of(volunteers: list[VolunteerProfile], *, need: Need) -> dict[int, list[Placement]]:
    """The accepted on-site placements of `volunteers` that share a day with the need's window, by volunteer:
    one query, and none for a remote need."""
    if not volunteers or not need.needs_host_site:
        return {}
    placements = (
        Placement.objects.filter(
            volunteer__in=volunteers,
            application__status=Status.ACCEPTED,
            mode__in=[Mode.ONSITE, Mode.HYBRID],
            start_date__lte=need.window_end,
            end_date__gte=need.window_start,
        )
        .exclude(need=need)
        .select_related("need")
        .order_by("start_date", "pk")
    )
    busy: dict[int, list[Placement]] = {}
    for placement in placements:
        busy.setdefault(placement.volunteer_id, []).append(placement)
    return busy


def _offer_warnings(application: Application, *, busy: dict[int, list[Placement]], today: datetime.date) -> list[str]:
    """credential_checks.offer_warnings for a card, from what the board has loaded (no query)."""
    volunteer = application_volunteer_label(application)
    warnings = [
        shortfall_for_coordinator(shortfall, volunteer=volunteer, today=today)
        for shortfall in application_credential_shortfalls(
            application, credentials=application.volunteer.board_credentials
        )
    ]
    start, end = placement_dates_for(application)
    overlapping = (p for p in busy.get(application.volunteer_id, []) if p.start_date <= end and p.end_date >= start)
    clash = next(overlapping, None)
    if clash is not None:
        warnings.append(overlap_warning(volunteer=volunteer, clash=clash))
    return warnings


def _why_not_suggesting(need: Need, *, today: datetime.date, places_left: int) -> str:
    """Why the board shows nobody who has not applied (NOT_SUGGESTING), or "" when it does."""
    if need.status == Need.Status.FILLED:
        return "filled"
    if need.status == Need.Status.CLOSED:
        return "closed"
    if not need.accepts_applications(today):
        return "not_taking_applications"
    # An invitation to apply would only lead to the waiting list.
    if places_left <= 0:
        return "full"
    # Anyone may ask to list an organisation: an unreviewed one must not browse volunteers' profiles.
    if need.programme.lead_organisation.status != Organisation.Status.VERIFIED:
        return "unverified"
    return ""


# --------------------------------------------------------------------------------------------------
# Selectors: one application
# --------------------------------------------------------------------------------------------------


@dataclass
class ApplicationReview:
    """An application as its coordinators review it."""

    card: PipelineCard
    profile: VolunteerProfile | None  # with languages, skills, current availability and credentials; None
    # when the volunteer does not share their profile
    wanted_skill_ids: set[int]
    feedback: list[Feedback]
    orcid_id: str = ""  # the ORCID iD linked to their account, shown with the profile only


def application_review(*, application: Application, today: datetime.date | None = None) -> ApplicationReview:
    """The application (from application_for_coordinator) with the volunteer's profile if they agreed to
    share it, its placement and that placement's feedback. A fixed number of queries."""
    today = today or timezone.localdate()
    need = application.need
    placement = Placement.objects.filter(application=application).first()
    wanted = set(wanted_skill_ids(need).values_list("pk", flat=True))
    profile = application.volunteer
    summary = None
    orcid_id = ""
    if profile is not None and profile.consent_to_share:
        profile = (
            VolunteerProfile.objects.filter(pk=profile.pk)
            .select_related("user")
            .prefetch_related(
                *summary_prefetches(need),
                Prefetch("skills", queryset=Skill.objects.order_by("name"), to_attr="all_skills"),
                Prefetch(
                    "availability",
                    queryset=AvailabilityWindow.objects.filter(end_date__gte=today).order_by("start_date"),
                    to_attr="current_availability",
                ),
            )
            .get()
        )
        summary = volunteer_summary(profile, today=today, asks_for_skills=bool(wanted))
        orcid_id = user_orcid_id(user_id=profile.user_id)
    else:
        profile = None
    taken = need.applications.holding().count()
    card = PipelineCard(
        application=application,
        volunteer=summary,
        placement=placement,
        can_shortlist=application.can_become(Status.SHORTLISTED),
        can_offer=(
            need.status == Need.Status.OPEN
            and taken < need.places
            and application.volunteer_id is not None
            and application.can_become(Status.OFFERED)
        ),
        can_decline=application.can_become(Status.DECLINED),
        can_complete=(
            application.can_become(Status.COMPLETED) and placement is not None and placement.start_date <= today
        ),
    )
    feedback = list(placement.feedback.select_related("author").order_by("side")) if placement else []
    return ApplicationReview(card=card, profile=profile, wanted_skill_ids=wanted, feedback=feedback, orcid_id=orcid_id)
