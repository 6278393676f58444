"""Visiting professors, written and read: candidacies, the visits a match round makes, feedback after a
visit, and the programme's report of visits per region and topic."""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from globalir.regions import Region, region_of
from programmes.host_services import host_request_mark_matched, visiting_programmes
from programmes.models import HostRequest, Programme
from volunteers.models import Skill, VolunteerProfile

from .visits import VISITING_CAREER_STAGES, VISITING_PROFESSIONS, Visit, VisitCandidacy, VisitFeedback

logger = logging.getLogger(__name__)


def volunteer_may_be_visiting_professor(profile: VolunteerProfile) -> bool:
    return profile.profession in VISITING_PROFESSIONS and profile.career_stage in VISITING_CAREER_STAGES


def candidacy_submit(
    *, programme: Programme, volunteer: VolunteerProfile, statement: str, topics: Iterable[Skill]
) -> VisitCandidacy:
    """Offer to be one of the programme's visiting professors. Refused for a programme that is not a
    published visiting-professor programme, a volunteer without the seniority (an established, senior or
    retired interventional or diagnostic radiologist), and a second active candidacy. A withdrawn
    candidacy is made active again with the new statement and topics."""
    if not visiting_programmes().filter(pk=programme.pk).exists():
        raise ValidationError(_("This programme does not take visiting-professor candidates."), code="not_visiting")
    if not volunteer_may_be_visiting_professor(volunteer):
        raise ValidationError(
            _(
                "Visiting professors are interventional or diagnostic radiologists with at least five years of "
                "practice: update your profession and career stage in your profile if they have changed."
            ),
            code="seniority",
        )
    topics = list(topics)
    if not topics:
        raise ValidationError({"topics": _("Choose at least one topic.")}, code="no_topics")
    with transaction.atomic():
        candidacy = VisitCandidacy.objects.select_for_update().filter(programme=programme, volunteer=volunteer).first()
        if candidacy is not None and candidacy.status == VisitCandidacy.Status.ACTIVE:
            raise ValidationError(_("You are already a candidate for this programme."), code="duplicate")
        candidacy = candidacy or VisitCandidacy(programme=programme, volunteer=volunteer)
        candidacy.statement = statement
        candidacy.status = VisitCandidacy.Status.ACTIVE
        candidacy.full_clean()
        candidacy.save()
        candidacy.topics.set(topics)
    logger.info("Volunteer profile %s is a candidate for programme %s", volunteer.pk, programme.pk)
    return candidacy


def candidacy_withdraw(*, candidacy: VisitCandidacy) -> VisitCandidacy:
    VisitCandidacy.objects.filter(pk=candidacy.pk).update(status=VisitCandidacy.Status.WITHDRAWN)
    candidacy.status = VisitCandidacy.Status.WITHDRAWN
    return candidacy


def visit_create(*, host_request: HostRequest, candidacy: VisitCandidacy) -> Visit:
    """The visit a match round decided (inside the round's transaction): on the host's preferred dates."""
    host_request_mark_matched(host_request=host_request)
    visit = Visit(
        host_request=host_request,
        candidacy=candidacy,
        start_date=host_request.preferred_start,
        end_date=host_request.preferred_end,
    )
    visit.full_clean()
    visit.save()
    return visit


def visit_is_over(visit: Visit, *, today: datetime.date | None = None) -> bool:
    return visit.status == Visit.Status.PLANNED and visit.end_date < (today or timezone.localdate())


def visit_feedback_give(
    *, visit: Visit, side: str, rating: int, comments: str, by: User, today: datetime.date | None = None
) -> VisitFeedback:
    """One side's feedback, once the visit is over; each side gives it once."""
    if not visit_is_over(visit, today=today):
        raise ValidationError(_("Feedback opens once the visit is over."), code="not_over")
    feedback = VisitFeedback(visit=visit, side=side, rating=rating, comments=comments, given_by=by)
    feedback.full_clean(exclude=["visit"])
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError as error:
        raise ValidationError(_("This feedback has already been given."), code="duplicate") from error
    logger.info("User %s gave %s feedback on visit %s", by.pk, side, visit.pk)
    return feedback


def visits_of_volunteer(*, profile: VolunteerProfile):
    return (
        Visit.objects.filter(candidacy__volunteer=profile)
        .select_related("host_request__host_organisation", "candidacy__programme")
        .prefetch_related("feedback")
    )


def visits_of_organisation(*, organisation_ids: Iterable[int]):
    return (
        Visit.objects.filter(host_request__host_organisation_id__in=list(organisation_ids))
        .select_related("host_request__host_organisation", "candidacy__volunteer", "candidacy__programme")
        .prefetch_related("feedback")
    )


@dataclass
class VisitReport:
    visits: int
    by_region: list[tuple[str, int]]
    by_topic: list[tuple[str, int]]
    feedback_given: int
    average_rating: float | None


def visit_report(*, programme: Programme) -> VisitReport:
    """The programme's visits (planned, not cancelled) per region of the host and per topic asked for."""
    visits = list(
        Visit.objects.filter(candidacy__programme=programme, status=Visit.Status.PLANNED)
        .select_related("host_request")
        .prefetch_related("host_request__topics", "feedback")
    )
    regions: Counter = Counter()
    topics: Counter = Counter()
    ratings = []
    for visit in visits:
        code = region_of(visit.host_request.country.code)
        regions[str(Region(code).label) if code else _("Other")] += 1
        for topic in visit.host_request.topics.all():
            topics[topic.name] += 1
        ratings.extend(feedback.rating for feedback in visit.feedback.all())
    return VisitReport(
        visits=len(visits),
        by_region=sorted(regions.items(), key=lambda item: (-item[1], item[0])),
        by_topic=sorted(topics.items(), key=lambda item: (-item[1], item[0])),
        feedback_given=len(ratings),
        average_rating=round(sum(ratings) / len(ratings), 1) if ratings else None,
    )
