"""Feedback once a placement is over, from both sides, and the volunteer's record of their placements."""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from notifications.services import absolute_url, notify
from organisations.selectors import organisation_coordinators
from programmes.models import Mode, Programme
from volunteers.models import VolunteerProfile

from . import hooks
from .emails import application_volunteer_label
from .models import Application, Feedback, Placement

logger = logging.getLogger(__name__)

Status = Application.Status

# A placement that ended longer ago than this is not asked for feedback any more (the first run on
# an old database does not mail about placements from years ago).
FEEDBACK_REQUEST_LOOKBACK_DAYS = 60
FEEDBACK_PAGE_SIZE = 20
RECORD_PAGE_SIZE = 20


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
        Placement.objects.filter(application__status__in=Application.TAKING_PLACE_STATUSES, end_date__gte=since)
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
                url = absolute_url(reverse("placements:volunteer-feedback", args=[placement.pk]))
                if notify(
                    kind="feedback_request",
                    event_key=f"feedback-request:{placement.pk}:volunteer",
                    recipient=volunteer.user,
                    context={**context, "side": "volunteer", "feedback_url": url},
                ):
                    sent += 1
            if Feedback.Side.ORGANISATION not in given:
                url = absolute_url(reverse("placements:organisation-feedback", args=[placement.pk]))
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
        Placement.objects.filter(need__programme=programme, application__status__in=Application.TAKING_PLACE_STATUSES)
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
    remote_hours: int  # placements' remote hours and the consults' (placements.hooks.consult_remote_hours)
    feedback_due: int
    consult_hours: int = 0


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
    consult_hours = round(hooks.consult_remote_hours(profile=profile))
    return PlacementRecord(
        rows=rows,
        page=page,
        page_range=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        placements=len(rows),
        days_on_site=sum(row.days_on_site for row in rows),
        remote_hours=sum(row.remote_hours for row in rows) + consult_hours,
        feedback_due=sum(row.feedback_due for row in rows),
        consult_hours=consult_hours,
    )


def placement_feedback_status(*, placement: Placement, side: str) -> Feedback | None:
    """The feedback `side` already gave on the placement, if any."""
    return Feedback.objects.filter(placement=placement, side=side).first()
