"""The coordinator's pipeline of a need's applications, and feedback once a placement is over.

Services (writes) and selectors (reads) for the board (programmes:pipeline), the actions on an
application (shortlist, decline with a reason, complete, internal notes), the feedback both sides
give after a placement, and the volunteer's record of their placements. Offers and the volunteer's
own actions (apply, accept, decline an offer) are in services.py.

The coordinators' internal notes (Application.coordinator_notes) are read here only for the
coordinator's pages: nothing a volunteer receives or sees is built from them.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from notifications.services import absolute_url, notify
from organisations.models import Organisation
from organisations.selectors import organisation_coordinators
from volunteers.models import (
    AvailabilityWindow,
    Credential,
    Proficiency,
    Skill,
    VolunteerLanguage,
    VolunteerProfile,
)

from .fit import need_data
from .matching.engine import score_matrix
from .matching.service import candidate_volunteers, matching_weights, volunteers_data
from .models import Application, Feedback, Mode, Need, Placement, Programme
from .selectors import need_accepts_applications, need_suggested_volunteers
from .services import (
    _application_move,
    _application_save,
    _notify_application_declined,
    application_volunteer_label,
)

logger = logging.getLogger(__name__)

Status = Application.Status

# The board's columns, in the order an application moves through them; declined and withdrawn
# applications come after, folded away.
BOARD_COLUMNS = (Status.INTERESTED, Status.SHORTLISTED, Status.OFFERED, Status.ACCEPTED, Status.COMPLETED)
BOARD_CLOSED = (Status.DECLINED, Status.WITHDRAWN)
# Offers still waiting for an answer count against the need's places, as application_offer does.
TAKING_A_PLACE = (Status.OFFERED, Status.ACCEPTED, Status.COMPLETED)
ELIGIBLE_LIMIT = 10
# The eligible volunteers are picked by the matcher's engine among at most this many who pass the
# database's rough filter (those with most of the need's skills and experience first).
ELIGIBLE_CANDIDATES = 500
# Why a board shows no volunteer who has not applied: the need takes no more applications (filled,
# closed, or past its deadline or dates), or the organisation is not verified yet.
NOT_SUGGESTING = ("filled", "closed", "not_taking_applications", "unverified")
# A placement that ended longer ago than this is not asked for feedback any more (the first run on
# an old database does not mail about placements from years ago).
FEEDBACK_REQUEST_LOOKBACK_DAYS = 60
FEEDBACK_PAGE_SIZE = 20
RECORD_PAGE_SIZE = 20


# --------------------------------------------------------------------------------------------------
# Services: the coordinator's actions on an application
# --------------------------------------------------------------------------------------------------


def _refuse_transition(application: Application, message: str, code: str) -> None:
    raise ValidationError(message % {"status": application.get_status_display().lower()}, code=code)


def application_shortlist(*, application: Application, by: User) -> Application:
    """Put an interested applicant on the shortlist."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.can_become(Status.SHORTLISTED):
            _refuse_transition(
                application, _("An application that is %(status)s cannot be shortlisted."), "cannot_shortlist"
            )
        _application_move(application, Status.SHORTLISTED)
        _application_save(application, Status.SHORTLISTED)
    logger.info("User %s shortlisted application %s", by.pk, application.pk)
    return application


DECLINE_REASON_MAX_LENGTH = Application._meta.get_field("decline_reason").max_length


def application_decline(*, application: Application, reason: str, by: User) -> Application:
    """Decline an application (interested, shortlisted or offered) with a reason the volunteer sees.

    An offer the volunteer has not answered yet is withdrawn this way too. The volunteer is e-mailed
    the reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the volunteer a reason for declining: they will see it.")}, code="reason_required"
        )
    if len(reason) > DECLINE_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Keep the reason under %(limit)s characters.") % {"limit": DECLINE_REASON_MAX_LENGTH}},
            code="reason_too_long",
        )
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.can_become(Status.DECLINED):
            _refuse_transition(
                application, _("An application that is %(status)s cannot be declined."), "cannot_decline"
            )
        _application_move(application, Status.DECLINED)
        application.decline_reason = reason
        _application_save(application, Status.DECLINED, "decline_reason")
        _notify_application_declined(application)
    logger.info("User %s declined application %s", by.pk, application.pk)
    return application


def application_complete(*, application: Application, by: User, today: datetime.date | None = None) -> Application:
    """Mark an accepted placement as completed, once it has started: the application becomes
    completed and the placement records when."""
    today = today or timezone.localdate()
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.can_become(Status.COMPLETED):
            _refuse_transition(
                application,
                _("An application that is %(status)s cannot be completed: only an accepted placement can."),
                "cannot_complete",
            )
        placement = Placement.objects.select_for_update().filter(application=application).first()
        if placement is None:
            raise ValidationError(_("This application has no placement to complete."), code="no_placement")
        if placement.start_date > today:
            raise ValidationError(
                _("The placement starts on %(start)s; it can be marked completed once it has started.")
                % {"start": date_format(placement.start_date)},
                code="not_started",
            )
        _application_move(application, Status.COMPLETED)
        _application_save(application, Status.COMPLETED)
        placement.completed_at = application.completed_at
        placement.full_clean()
        placement.save(update_fields=["completed_at"])
    logger.info("User %s completed application %s", by.pk, application.pk)
    return application


NOTES_MAX_LENGTH = Application._meta.get_field("coordinator_notes").max_length


def application_notes_save(*, application: Application, notes: str, by: User) -> Application:
    """Save the coordinators' internal notes on an application (any status). Never shown to the volunteer.

    Only the notes are validated and saved: `updated_at` is left alone so that nothing the volunteer
    sees (the order of their dashboard, their data export) changes when coordinators write notes.
    """
    notes = (notes or "").strip()
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        application.coordinator_notes = Application._meta.get_field("coordinator_notes").clean(notes, application)
        application.save(update_fields=["coordinator_notes"])
    logger.info("User %s saved notes on application %s", by.pk, application.pk)
    return application


# --------------------------------------------------------------------------------------------------
# Services: feedback
# --------------------------------------------------------------------------------------------------


def feedback_is_open(*, placement: Placement, today: datetime.date | None = None) -> bool:
    """Feedback may be given once the placement has ended or been marked completed (and it went ahead)."""
    today = today or timezone.localdate()
    status = placement.application.status
    if status == Status.COMPLETED:
        return True
    return status == Status.ACCEPTED and (placement.completed_at is not None or placement.end_date < today)


def feedback_give(
    *,
    placement: Placement,
    side: str,
    author: User,
    rating: int,
    comments: str,
    today: datetime.date | None = None,
) -> Feedback:
    """Record one side's feedback on a placement that is over: a rating from 1 to 5 and comments.

    Each side gives feedback once; a second time is refused with a readable ValidationError (and the
    database constraint backs this up when two arrive at once). The volunteer side may only be given
    by the placement's volunteer; the views decide who coordinates the organisation side.
    """
    with transaction.atomic():
        placement = (
            Placement.objects.select_for_update(of=("self",))
            .select_related("application", "need", "volunteer")
            .get(pk=placement.pk)
        )
        if side == Feedback.Side.VOLUNTEER and (
            placement.volunteer is None or placement.volunteer.user_id != author.pk
        ):
            raise PermissionDenied(_("Only the placement's volunteer can give this feedback."))
        if not feedback_is_open(placement=placement, today=today):
            raise ValidationError(
                _("Feedback opens once the placement is over (it ends on %(end)s).")
                % {"end": date_format(placement.end_date)},
                code="not_over",
            )
        already = _("Feedback from this side has already been given for this placement; it can be given only once.")
        if Feedback.objects.filter(placement=placement, side=side).exists():
            raise ValidationError(already, code="already_given")
        feedback = Feedback(
            placement=placement, side=side, author=author, rating=rating, comments=(comments or "").strip()
        )
        feedback.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                feedback.save()
        except IntegrityError as error:
            raise ValidationError(already, code="already_given") from error
    logger.info("User %s gave %s feedback on placement %s", author.pk, side, placement.pk)
    return feedback


def placements_feedback_request_send(*, today: datetime.date | None = None) -> int:
    """E-mail both sides of the placements that are over (ended before today, or marked completed)
    and ask for their feedback. Returns how many e-mails were recorded.

    Run daily: each request's event key names the placement, the side and the recipient, so a
    placement is asked once whatever the number of runs, and one missed run is caught up by the
    next. Sides that already gave feedback are not asked; placements that ended more than
    FEEDBACK_REQUEST_LOOKBACK_DAYS ago are left alone.
    """
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=FEEDBACK_REQUEST_LOOKBACK_DAYS)
    placements = list(
        Placement.objects.filter(application__status__in=[Status.ACCEPTED, Status.COMPLETED], end_date__gte=since)
        .filter(Q(end_date__lt=today) | Q(completed_at__isnull=False))
        .select_related("application__volunteer__user", "need__programme__lead_organisation", "volunteer__user")
        .prefetch_related("feedback")
        .order_by("end_date", "pk")
    )
    coordinators = organisation_coordinators(
        organisation_ids={placement.need.programme.lead_organisation_id for placement in placements}
    )

    sent = 0
    for placement in placements:
        given = {feedback.side for feedback in placement.feedback.all()}
        need = placement.need
        context = {
            "need_title": need.title,
            "programme_title": need.programme.title,
            "organisation_name": str(need.programme.lead_organisation),
            "start": date_format(placement.start_date),
            "end": date_format(placement.end_date),
        }
        with transaction.atomic():
            volunteer = placement.volunteer
            if Feedback.Side.VOLUNTEER not in given and volunteer is not None and volunteer.user.is_active:
                url = absolute_url(reverse("programmes:volunteer-feedback", args=[placement.pk]))
                if notify(
                    kind="feedback_request",
                    event_key=f"feedback-request:{placement.pk}:volunteer",
                    recipient=volunteer.user,
                    context={**context, "side": "volunteer", "feedback_url": url},
                ):
                    sent += 1
            if Feedback.Side.ORGANISATION not in given:
                url = absolute_url(reverse("programmes:organisation-feedback", args=[placement.pk]))
                volunteer_name = application_volunteer_label(placement.application)
                for user in coordinators.get(need.programme.lead_organisation_id, []):
                    if notify(
                        kind="feedback_request",
                        event_key=f"feedback-request:{placement.pk}:organisation:{user.pk}",
                        recipient=user,
                        context={
                            **context,
                            "side": "organisation",
                            "volunteer_name": volunteer_name,
                            "feedback_url": url,
                        },
                    ):
                        sent += 1
    if sent:
        logger.info("Asked for feedback on placements: %s e-mails", sent)
    return sent


# --------------------------------------------------------------------------------------------------
# Selectors: the board
# --------------------------------------------------------------------------------------------------


@dataclass
class VolunteerSummary:
    """What a coordinator sees of a volunteer who agreed to share their profile."""

    name: str
    profession: str
    years_experience: int
    languages: list[str]  # "French (Working)"
    matching_skills: list[str]  # the volunteer's skills the need requires or prefers
    credential_status: str  # "verified", "pending", "expired" or "none"


@dataclass
class PipelineCard:
    application: Application
    volunteer: VolunteerSummary | None  # None: the volunteer has not agreed to share (or has left)
    placement: Placement | None
    can_shortlist: bool = False
    can_offer: bool = False
    can_decline: bool = False
    can_complete: bool = False

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
    # The matcher's stored suggestions; the eligible volunteers stand in while it has none.
    suggestions: list = field(default_factory=list)
    eligible: list["EligibleVolunteer"] = field(default_factory=list)
    # Why nobody who has not applied is shown (one of NOT_SUGGESTING), or "" when they are.
    not_suggesting: str = ""

    @property
    def total(self) -> int:
        return sum(len(column.cards) for column in self.columns) + len(self.closed)


@dataclass
class EligibleVolunteer:
    profile: VolunteerProfile
    summary: VolunteerSummary
    availability: list[AvailabilityWindow]  # the windows that overlap the need's


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


def _wanted_skill_ids(need: Need) -> QuerySet:
    """The ids of the skills the need requires or prefers, as a subquery."""
    return Skill.objects.filter(
        Q(pk__in=Need.required_skills.through.objects.filter(need_id=need.pk).values("skill_id"))
        | Q(pk__in=Need.preferred_skills.through.objects.filter(need_id=need.pk).values("skill_id"))
    ).values("pk")


def _summary_prefetches(need: Need) -> list[Prefetch]:
    return [
        Prefetch(
            "languages",
            queryset=VolunteerLanguage.objects.select_related("language").order_by("-proficiency", "language__name"),
            to_attr="board_languages",
        ),
        Prefetch(
            "skills",
            queryset=Skill.objects.filter(pk__in=_wanted_skill_ids(need)).order_by("name"),
            to_attr="board_matching_skills",
        ),
        Prefetch(
            "credentials", queryset=Credential.objects.order_by("-created_at", "-pk"), to_attr="board_credentials"
        ),
    ]


def _summary(profile: VolunteerProfile, *, today: datetime.date) -> VolunteerSummary:
    """`profile` with _summary_prefetches done."""
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
    )


def need_pipeline_board(*, need: Need, today: datetime.date | None = None) -> PipelineBoard:
    """The need's applications by status, each with what the volunteer agreed to share, and the
    volunteers who have not applied: the matcher's suggestions, or the eligible volunteers while it
    has none. A need that takes no more applications (filled, closed, past its deadline or dates)
    or an organisation not yet verified shows nobody who has not applied, and says why.

    A fixed number of queries however many applications: the applications (with volunteer, user and
    placement), then for the volunteers who share their profile their languages, matching skills and
    credentials (one each), the matcher's suggestions (two), and only when it has none
    need_eligible_volunteers' fixed number. Profiles of volunteers who did not
    agree to share are not read beyond their consent.
    """
    today = today or timezone.localdate()
    applications = list(need.applications.select_related("volunteer__user", "placement").order_by("created_at", "pk"))
    sharing = [
        application.volunteer
        for application in applications
        if application.volunteer is not None and application.volunteer.consent_to_share
    ]
    if sharing:
        prefetch_related_objects(sharing, *_summary_prefetches(need))

    accepted = sum(application.status in (Status.ACCEPTED, Status.COMPLETED) for application in applications)
    offers_waiting = sum(application.status == Status.OFFERED for application in applications)
    places_left = max(need.places - accepted - offers_waiting, 0)
    can_offer_now = need.status == Need.Status.OPEN and places_left > 0

    columns = {status: PipelineColumn(status=status, label=Status(status).label, cards=[]) for status in BOARD_COLUMNS}
    closed = []
    for application in applications:
        volunteer = application.volunteer
        shares = volunteer is not None and volunteer.consent_to_share
        placement = getattr(application, "placement", None)
        card = PipelineCard(
            application=application,
            volunteer=_summary(volunteer, today=today) if shares else None,
            placement=placement,
            can_shortlist=application.can_become(Status.SHORTLISTED),
            can_offer=can_offer_now and volunteer is not None and application.can_become(Status.OFFERED),
            can_decline=application.can_become(Status.DECLINED),
            can_complete=(
                application.can_become(Status.COMPLETED) and placement is not None and placement.start_date <= today
            ),
        )
        if application.status in columns:
            columns[application.status].cards.append(card)
        else:
            closed.append(card)
    not_suggesting = _why_not_suggesting(need, today=today)
    suggestions = need_suggested_volunteers(need=need) if not not_suggesting else []
    return PipelineBoard(
        need=need,
        columns=list(columns.values()),
        closed=closed,
        accepted=accepted,
        offers_waiting=offers_waiting,
        places_left=places_left,
        suggestions=suggestions,
        eligible=need_eligible_volunteers(need=need, today=today) if not not_suggesting and not suggestions else [],
        not_suggesting=not_suggesting,
    )


def _why_not_suggesting(need: Need, *, today: datetime.date) -> str:
    """Why the board shows nobody who has not applied (NOT_SUGGESTING), or "" when it does."""
    if need.status == Need.Status.FILLED:
        return "filled"
    if need.status == Need.Status.CLOSED:
        return "closed"
    if not need_accepts_applications(need=need, today=today):
        return "not_taking_applications"
    # Anyone may ask to list an organisation: an unreviewed one must not browse volunteers' profiles.
    if need.programme.lead_organisation.status != Organisation.Status.VERIFIED:
        return "unverified"
    return ""


def need_eligible_volunteers(
    *, need: Need, limit: int = ELIGIBLE_LIMIT, today: datetime.date | None = None
) -> list[EligibleVolunteer]:
    """Volunteers who meet every requirement of the need and have not applied, best fit first.

    The matcher's engine decides, as it does for its suggestions and for a volunteer's own view of a
    need (programmes.matching.engine): agreed to be shown to coordinators, the need's profession, open
    to its mode (a hybrid need has an on-site part), free for its minimum stay in a row inside its
    window (not on another on-site placement; for remote work, with its hours a week), every required
    language at working level, the minimum experience, and a credential valid long enough when the
    need asks for one. On top of that they hold every skill the need requires, which the engine only
    scores. They are ranked by the engine's fit score, then experience.

    The database first keeps only the onboarded, active volunteers who could pass (the same
    profession, mode, languages, skills and experience, a window overlapping the need's, no active
    application to it), at most ELIGIBLE_CANDIDATES of them; a fixed number of queries however many.
    """
    today = today or timezone.localdate()
    profiles = candidate_volunteers().filter(
        profession=need.profession, years_experience__gte=need.min_years_experience
    )
    windows = AvailabilityWindow.objects.filter(
        profile_id=OuterRef("pk"), start_date__lte=need.window_end, end_date__gte=need.window_start
    )
    if need.mode == Mode.REMOTE:
        profiles = profiles.filter(offers_remote=True)
        windows = windows.filter(hours_per_week__gte=need.hours_per_week)
    else:
        profiles = profiles.filter(offers_onsite=True)
    spoken = VolunteerLanguage.objects.filter(
        profile_id=OuterRef(OuterRef("pk")), proficiency__gte=Proficiency.WORKING
    ).values("language_id")
    language_missing = Need.required_languages.through.objects.filter(need_id=need.pk).exclude(language_id__in=spoken)
    held = VolunteerProfile.skills.through.objects.filter(volunteerprofile_id=OuterRef(OuterRef("pk"))).values(
        "skill_id"
    )
    skill_missing = Need.required_skills.through.objects.filter(need_id=need.pk).exclude(skill_id__in=held)
    applied = Application.objects.active().filter(need_id=need.pk, volunteer_id=OuterRef("pk"))
    candidates = (
        profiles.filter(~Exists(language_missing), ~Exists(skill_missing), Exists(windows), ~Exists(applied))
        .annotate(matching=Count("skills", filter=Q(skills__in=_wanted_skill_ids(need)), distinct=True))
        .order_by("-matching", "-years_experience", "pk")
    )
    candidate_ids = list(candidates.values_list("pk", flat=True)[:ELIGIBLE_CANDIDATES])
    if not candidate_ids:
        return []

    volunteers = volunteers_data(VolunteerProfile.objects.filter(pk__in=candidate_ids))
    result = score_matrix(volunteers, [need_data(need)], matching_weights())
    years = {volunteer.id: volunteer.years_experience for volunteer in volunteers}
    ranked = sorted(
        (
            (-float(result.score[row, 0]), -years[volunteer_id], volunteer_id)
            for row, volunteer_id in enumerate(result.volunteer_ids)
            if result.eligible[row, 0]
        )
    )[:limit]
    chosen = [volunteer_id for *_, volunteer_id in ranked]
    if not chosen:
        return []
    loaded = (
        VolunteerProfile.objects.filter(pk__in=chosen)
        .select_related("user")
        .prefetch_related(
            *_summary_prefetches(need),
            Prefetch(
                "availability",
                queryset=AvailabilityWindow.objects.filter(
                    start_date__lte=need.window_end, end_date__gte=need.window_start
                ).order_by("start_date"),
                to_attr="board_availability",
            ),
        )
    )
    by_id = {profile.pk: profile for profile in loaded}
    return [
        EligibleVolunteer(
            profile=by_id[pk], summary=_summary(by_id[pk], today=today), availability=by_id[pk].board_availability
        )
        for pk in chosen
    ]


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


def application_review(*, application: Application, today: datetime.date | None = None) -> ApplicationReview:
    """The application (from application_for_coordinator) with the volunteer's profile if they agreed to
    share it, its placement and that placement's feedback. A fixed number of queries."""
    today = today or timezone.localdate()
    need = application.need
    placement = Placement.objects.filter(application=application).first()
    wanted = set(_wanted_skill_ids(need).values_list("pk", flat=True))
    profile = application.volunteer
    summary = None
    if profile is not None and profile.consent_to_share:
        profile = (
            VolunteerProfile.objects.filter(pk=profile.pk)
            .select_related("user")
            .prefetch_related(
                *_summary_prefetches(need),
                Prefetch("skills", queryset=Skill.objects.order_by("name"), to_attr="all_skills"),
                Prefetch(
                    "availability",
                    queryset=AvailabilityWindow.objects.filter(end_date__gte=today).order_by("start_date"),
                    to_attr="current_availability",
                ),
            )
            .get()
        )
        summary = _summary(profile, today=today)
    else:
        profile = None
    taken = need.applications.filter(status__in=TAKING_A_PLACE).count()
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
    return ApplicationReview(card=card, profile=profile, wanted_skill_ids=wanted, feedback=feedback)


# --------------------------------------------------------------------------------------------------
# Selectors: feedback
# --------------------------------------------------------------------------------------------------


@dataclass
class ProgrammeFeedback:
    programme: Programme
    volunteer_average: float | None
    volunteer_count: int
    organisation_average: float | None
    organisation_count: int
    page: Page  # Feedback, each with placement, need and author
    page_range: list
    waiting: list[Placement]  # over, without the organisation's feedback yet


def programme_feedback(
    *, programme: Programme, page_number: str | None = None, today: datetime.date | None = None
) -> ProgrammeFeedback:
    """The feedback given on the placements of the programme's needs, newest first, with the average
    rating of each side, and the placements still waiting for the organisation's feedback."""
    today = today or timezone.localdate()
    given = Feedback.objects.filter(placement__need__programme=programme)
    averages = {
        row["side"]: row for row in given.order_by().values("side").annotate(average=Avg("rating"), count=Count("pk"))
    }
    paginator = Paginator(
        given.select_related("placement__need", "placement__application__volunteer__user", "author").order_by(
            "-created_at", "-pk"
        ),
        FEEDBACK_PAGE_SIZE,
    )
    page = paginator.get_page(page_number)
    for feedback in page.object_list:
        feedback.volunteer_label = application_volunteer_label(feedback.placement.application)
    waiting = list(
        Placement.objects.filter(need__programme=programme, application__status__in=[Status.ACCEPTED, Status.COMPLETED])
        .filter(Q(end_date__lt=today) | Q(completed_at__isnull=False))
        .exclude(feedback__side=Feedback.Side.ORGANISATION)
        .select_related("need", "application__volunteer__user")
        .order_by("end_date", "pk")[:FEEDBACK_PAGE_SIZE]
    )
    for placement in waiting:
        placement.volunteer_label = application_volunteer_label(placement.application)

    def side(name: str) -> tuple[float | None, int]:
        row = averages.get(name)
        return (round(row["average"], 1), row["count"]) if row else (None, 0)

    volunteer_average, volunteer_count = side(Feedback.Side.VOLUNTEER)
    organisation_average, organisation_count = side(Feedback.Side.ORGANISATION)
    return ProgrammeFeedback(
        programme=programme,
        volunteer_average=volunteer_average,
        volunteer_count=volunteer_count,
        organisation_average=organisation_average,
        organisation_count=organisation_count,
        page=page,
        page_range=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        waiting=waiting,
    )


@dataclass
class RecordRow:
    placement: Placement  # with need, programme, lead organisation and host site
    thanks: Feedback | None  # the organisation's feedback
    own: Feedback | None  # the volunteer's feedback
    feedback_due: bool

    @property
    def days_on_site(self) -> int:
        return self.placement.days if self.placement.is_onsite else 0

    @property
    def remote_hours(self) -> int:
        return self.placement.remote_hours if self.placement.mode != Mode.ONSITE else 0


@dataclass
class PlacementRecord:
    rows: list[RecordRow]
    page: Page  # of rows
    page_range: list
    placements: int
    days_on_site: int
    remote_hours: int
    feedback_due: int


def volunteer_placement_record(
    *, profile: VolunteerProfile, page_number: str | None = None, today: datetime.date | None = None
) -> PlacementRecord:
    """The volunteer's placements that are completed or over, newest first, with the days on site
    (on-site and hybrid) or the hours of remote work, the totals, the organisation's thanks (its
    feedback) and whether their own feedback is still due. Two queries."""
    today = today or timezone.localdate()
    placements = list(
        Placement.objects.filter(volunteer=profile)
        .filter(Q(application__status=Status.COMPLETED) | Q(application__status=Status.ACCEPTED, end_date__lt=today))
        .select_related("application", "need__programme__lead_organisation", "need__host_site")
        .prefetch_related("feedback")
        .order_by("-end_date", "-pk")
    )
    rows = []
    for placement in placements:
        by_side = {feedback.side: feedback for feedback in placement.feedback.all()}
        own = by_side.get(Feedback.Side.VOLUNTEER)
        rows.append(
            RecordRow(
                placement=placement,
                thanks=by_side.get(Feedback.Side.ORGANISATION),
                own=own,
                feedback_due=own is None,
            )
        )
    paginator = Paginator(rows, RECORD_PAGE_SIZE)
    page = paginator.get_page(page_number)
    return PlacementRecord(
        rows=rows,
        page=page,
        page_range=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        placements=len(rows),
        days_on_site=sum(row.days_on_site for row in rows),
        remote_hours=sum(row.remote_hours for row in rows),
        feedback_due=sum(row.feedback_due for row in rows),
    )


def placement_feedback_status(*, placement: Placement, side: str) -> Feedback | None:
    """The feedback `side` already gave on the placement, if any."""
    return Feedback.objects.filter(placement=placement, side=side).first()
