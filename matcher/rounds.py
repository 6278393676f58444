"""Match rounds: services and selectors.

A coordinator opens a round for a programme (`match_round_open`): every active application to the
programme's open needs gets a RoundRanking, the need's side pre-sorted by score. Volunteers rank the
needs they applied to (`match_round_rank_needs`) until the deadline; coordinators order each need's
applicants (`match_round_rank_applicants`) until the round runs. A dry run (`match_round_request_dry_run`)
or the real run (`match_round_request_run`, or the deadline through `match_round_ids_due`) enqueues the
Celery task `matcher.run_match_round`, which calls `matcher.round_run.match_round_run`: it builds both sides'
preference lists and the places left, calls the engine's `stable_match`, checks the result is valid and
stable, and (unless it is a dry run) in one transaction makes an offer for each matched pair, records
each participant's outcome and e-mails both sides.

Outcomes are kept as reason codes in the round's JSON (see `REASONS`) and turned into plain words, in
the reader's language, by `outcome_text`.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from globalir.outbox.services import task_enqueue
from notifications.services import Email, absolute_url, notify_many
from organisations.selectors import organisation_coordinators
from placements.models import Application
from programmes.models import Need, Programme
from volunteers.models import VolunteerProfile

from .engine import score_matrix
from .loader import needs_data, volunteers_data
from .models import MatchRound, Recommendation, RoundRanking
from .round_selectors import match_round_coordinators_may_rank, match_round_volunteers_may_rank

logger = logging.getLogger(__name__)

# The task that runs a round (matcher/tasks.py), enqueued by name: the task calls matcher.round_run.
RUN_MATCH_ROUND_TASK = "matcher.run_match_round"


def match_round_open(
    *, programme: Programme, ranking_deadline: datetime.datetime, by: User, now: datetime.datetime | None = None
) -> MatchRound:
    """Open a match round for the programme, with every interested or shortlisted application to its open
    needs. Each need's applicants are pre-sorted by score (the matcher's recommendation, else the fit
    score, then the date they applied); volunteers rank the needs themselves. Each volunteer is e-mailed
    the link to their ranking page.

    Refused with a readable ValidationError when the deadline is not in the future, the programme
    already has a round in progress (the database constraint backs this up) or there is no application
    to rank.
    """
    now = now or timezone.now()
    if ranking_deadline <= now:
        raise ValidationError(
            {"ranking_deadline": _("The ranking deadline must be in the future.")}, code="deadline_past"
        )
    with transaction.atomic():
        # Two coordinators opening a round at once are served one after the other.
        programme = Programme.objects.select_for_update().select_related("lead_organisation").get(pk=programme.pk)
        if MatchRound.objects.in_progress().filter(programme=programme).exists():
            raise ValidationError(_("This programme already has a match round in progress."), code="in_progress")
        # Plain rows, not models: a round holds thousands of applications and needs six of their columns.
        applications = [
            RoundApplication(*row)
            for row in Application.objects.filter(
                need__programme=programme,
                need__status=Need.Status.OPEN,
                status__in=Application.UNDER_REVIEW_STATUSES,
                volunteer__isnull=False,
            )
            .order_by("need_id", "created_at", "pk")
            .values_list("pk", "need_id", "volunteer_id", "created_at", "need__title", "volunteer__user_id")
        ]
        if not applications:
            raise ValidationError(
                _("No one has an open application to this programme's open needs yet: there is nothing to rank."),
                code="no_applications",
            )
        match_round = MatchRound(programme=programme, ranking_deadline=ranking_deadline, created_by=by)
        match_round.full_clean()
        try:
            with transaction.atomic():
                match_round.save()
        except IntegrityError as error:
            raise ValidationError(
                _("This programme already has a match round in progress."), code="in_progress"
            ) from error

        scores = _application_scores(applications)
        by_need: dict[int, list[RoundApplication]] = defaultdict(list)
        for application in applications:
            by_need[application.need_id].append(application)
        rankings = []
        for need_applications in by_need.values():
            need_applications.sort(key=lambda a: (-scores.get(a.pk, -1.0), a.created_at, a.pk))
            for rank, application in enumerate(need_applications, start=1):
                rankings.append(RoundRanking(match_round=match_round, application_id=application.pk, need_rank=rank))
        # One statement on PostgreSQL (an INSERT from arrays); Django splits it under SQLite's parameter limit.
        RoundRanking.objects.bulk_create(rankings)

        _notify_round_opened(match_round, applications)
    logger.info(
        "User %s opened match round %s for programme %s with %s applications",
        by.pk,
        match_round.pk,
        programme.pk,
        len(applications),
    )
    return match_round


class RoundApplication(NamedTuple):
    """What opening a round reads of each application."""

    pk: int
    need_id: int
    volunteer_id: int
    created_at: datetime.datetime
    need_title: str
    user_id: int


def _application_scores(applications: list[RoundApplication]) -> dict[int, float]:
    """Each application's score: the stored recommendation when there is one, else the fit score
    computed now (ineligible pairs get none and sort last). The volunteers and needs without stored
    scores are loaded and scored as one batch: a fixed number of queries however many there are."""
    need_ids = {a.need_id for a in applications}
    volunteer_ids = {a.volunteer_id for a in applications}
    stored = {
        (volunteer_id, need_id): score
        for volunteer_id, need_id, score in Recommendation.objects.filter(
            need_id__in=need_ids, volunteer_id__in=volunteer_ids
        ).values_list("volunteer_id", "need_id", "score")
    }
    scores: dict[int, float] = {}
    missing: list[RoundApplication] = []
    for application in applications:
        score = stored.get((application.volunteer_id, application.need_id))
        if score is None:
            missing.append(application)
        else:
            scores[application.pk] = score
    if missing:
        volunteers = volunteers_data(VolunteerProfile.objects.filter(pk__in={a.volunteer_id for a in missing}))
        needs = needs_data(Need.objects.filter(pk__in={a.need_id for a in missing}))
        result = score_matrix(volunteers, needs)
        for application in missing:
            row, column = result.volunteer_index(application.volunteer_id), result.need_index(application.need_id)
            if result.eligible[row, column]:
                scores[application.pk] = float(result.score[row, column])
    return scores


def _locked_round(match_round: MatchRound) -> MatchRound:
    return MatchRound.objects.select_for_update().select_related("programme").get(pk=match_round.pk)


def _clean_ranks(ranks: Mapping[int, int | None], known: Iterable[int], *, unknown_message: str) -> dict[int, int]:
    """Check ranks given per key: every key known, ranks positive and distinct. Returns the ranked keys
    renumbered 1, 2, 3… in the same order (blank ranks left out)."""
    known = set(known)
    unknown = [key for key in ranks if key not in known]
    if unknown:
        raise ValidationError(unknown_message, code="unknown")
    given = {key: rank for key, rank in ranks.items() if rank is not None}
    if any(rank < 1 for rank in given.values()):
        raise ValidationError(_("Ranks start at 1 (your first choice); leave a box empty instead of 0."), code="rank")
    values = list(given.values())
    duplicates = sorted({rank for rank in values if values.count(rank) > 1})
    if duplicates:
        raise ValidationError(
            _("Each rank can be used once; %(ranks)s is used more than once.")
            % {"ranks": ", ".join(str(rank) for rank in duplicates)},
            code="duplicate",
        )
    ordered = sorted(given, key=lambda key: (given[key], key))
    return {key: position for position, key in enumerate(ordered, start=1)}


def match_round_rank_needs(
    *,
    match_round: MatchRound,
    profile: VolunteerProfile,
    ranks: Mapping[int, int | None],
    now: datetime.datetime | None = None,
) -> list[RoundRanking]:
    """Save how the volunteer ranks the needs they applied to in the round: `ranks` maps need ids to a
    rank (1 = first choice) or None ("I don't want this one"). Ranks are stored renumbered 1, 2, 3….

    Refused after the deadline or once the round runs, for a need that is not theirs in this round, and
    for a rank below 1 or used twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        match_round = _locked_round(match_round)
        if not match_round_volunteers_may_rank(match_round, now=now):
            raise ValidationError(_("Ranking for this round has closed."), code="closed")
        rankings = {
            ranking.application.need_id: ranking
            for ranking in RoundRanking.objects.select_for_update()
            .filter(match_round=match_round, application__volunteer=profile)
            .select_related("application")
        }
        if not rankings:
            raise ValidationError(_("You have no application in this round."), code="not_participant")
        cleaned = _clean_ranks(
            ranks, rankings, unknown_message=_("You can only rank needs you applied to in this round.")
        )
        changed = []
        for need_id, ranking in rankings.items():
            rank = cleaned.get(need_id)
            if ranking.volunteer_rank != rank:
                ranking.volunteer_rank = rank
                ranking.full_clean()
                changed.append(ranking)
        RoundRanking.objects.bulk_update(changed, ["volunteer_rank"])
    logger.info("Volunteer profile %s ranked %s needs in match round %s", profile.pk, len(cleaned), match_round.pk)
    return list(rankings.values())


def match_round_rank_applicants(
    *, match_round: MatchRound, need: Need, ranks: Mapping[int, int | None], by: User
) -> list[RoundRanking]:
    """Save the coordinators' order of one need's applicants in the round: `ranks` maps application ids to
    a rank (1 = first choice) or None (not acceptable for this need). Stored renumbered 1, 2, 3….

    Refused once the round has started running, for applications not in this round for this need, and for
    a rank below 1 or used twice.
    """
    with transaction.atomic():
        match_round = _locked_round(match_round)
        if not match_round_coordinators_may_rank(match_round):
            raise ValidationError(_("This round is no longer open for ranking."), code="closed")
        rankings = {
            ranking.application_id: ranking
            for ranking in RoundRanking.objects.select_for_update().filter(
                match_round=match_round, application__need=need
            )
        }
        if not rankings:
            raise ValidationError(_("This need has no applicants in this round."), code="not_in_round")
        cleaned = _clean_ranks(
            ranks, rankings, unknown_message=_("Only this need's applicants in this round can be ranked here.")
        )
        changed = []
        for application_id, ranking in rankings.items():
            rank = cleaned.get(application_id)
            if ranking.need_rank != rank:
                ranking.need_rank = rank
                ranking.full_clean()
                changed.append(ranking)
        RoundRanking.objects.bulk_update(changed, ["need_rank"])
    logger.info("User %s ranked the applicants of need %s in match round %s", by.pk, need.pk, match_round.pk)
    return list(rankings.values())


def match_round_cancel(*, match_round: MatchRound, by: User) -> MatchRound:
    """Cancel a round that has not run: no offers are made, the applications stay as they are."""
    with transaction.atomic():
        match_round = _locked_round(match_round)
        if match_round.status != MatchRound.Status.OPEN:
            raise ValidationError(
                _("A round that is %(status)s cannot be cancelled.")
                % {"status": match_round.get_status_display().lower()},
                code="cannot_cancel",
            )
        match_round.status = MatchRound.Status.CANCELLED
        match_round.finished_at = timezone.now()
        match_round.full_clean()
        match_round.save(update_fields=["status", "finished_at"])
    logger.info("User %s cancelled match round %s", by.pk, match_round.pk)
    return match_round


def match_round_request_run(*, match_round: MatchRound, by: User) -> MatchRound:
    """Ask for the round to run now ("Run now"): volunteers can no longer change their ranks and the
    task is enqueued once this commits (under eager Celery it runs at once)."""
    with transaction.atomic():
        match_round = _locked_round(match_round)
        if match_round.status != MatchRound.Status.OPEN:
            raise ValidationError(
                _("A round that is %(status)s cannot be run.") % {"status": match_round.get_status_display().lower()},
                code="cannot_run",
            )
        if match_round.started_at is None:
            match_round.started_at = timezone.now()
            match_round.save(update_fields=["started_at"])
        match_round_run_later(round_id=match_round.pk, dry_run=False)
    logger.info("User %s asked match round %s to run", by.pk, match_round.pk)
    return match_round


def match_round_request_dry_run(*, match_round: MatchRound, by: User) -> MatchRound:
    """Ask for a dry run: the matching is computed as a task and shown on the round's page; no offer is
    made and no one is e-mailed."""
    with transaction.atomic():
        match_round = _locked_round(match_round)
        if match_round.status != MatchRound.Status.OPEN:
            raise ValidationError(_("Only an open round can be tried out."), code="cannot_dry_run")
        match_round.dry_run_result = {"state": "pending", "requested_at": timezone.now().isoformat()}
        match_round.save(update_fields=["dry_run_result"])
        match_round_run_later(round_id=match_round.pk, dry_run=True)
    logger.info("User %s asked for a dry run of match round %s", by.pk, match_round.pk)
    return match_round


def match_round_run_later(*, round_id: int, dry_run: bool, again: bool = False) -> None:
    """Run the round (or its dry run) once the current transaction commits, through the task outbox: a
    broker that is down delays the run until it is back. A request made while the same run is queued adds
    nothing, unless `again` (the periodic task starting a run that waited too long for a worker: its
    message may be lost, and a second delivery is harmless since the run claims the round first)."""
    task_enqueue(
        RUN_MATCH_ROUND_TASK,
        args=[round_id, dry_run],
        dedupe_key="" if again else f"match-round:{round_id}:{'dry-run' if dry_run else 'run'}",
    )


# E-mails


def _deadline_text(match_round: MatchRound) -> str:
    return date_format(timezone.localtime(match_round.ranking_deadline), "DATETIME_FORMAT")


def _round_context(match_round: MatchRound) -> dict[str, str]:
    programme = match_round.programme
    return {
        "programme_title": programme.title,
        "organisation_name": str(programme.lead_organisation),
        "deadline": _deadline_text(match_round),
        "round_url": absolute_url(reverse("matcher:round-volunteer", args=[match_round.pk])),
    }


def _notify_round_opened(match_round: MatchRound, applications: list[RoundApplication]) -> None:
    by_volunteer: dict[int, list[RoundApplication]] = defaultdict(list)
    for application in applications:
        by_volunteer[application.volunteer_id].append(application)
    # Only what an e-mail's row needs of its recipient: the account and its address.
    recipients = {
        user.pk: user for user in User.objects.only("pk", "email").filter(pk__in={a.user_id for a in applications})
    }
    context = _round_context(match_round)
    notify_many(
        emails=[
            Email(
                kind="round_opened",
                event_key=f"round-opened:{match_round.pk}:{volunteer_id}",
                recipient=recipients[own[0].user_id],
                context={**context, "need_titles": sorted(a.need_title for a in own)},
            )
            for volunteer_id, own in by_volunteer.items()
        ]
    )


def _programme_coordinators(programme: Programme) -> list[User]:
    organisation_id = programme.lead_organisation_id
    return organisation_coordinators(organisation_ids=[organisation_id]).get(organisation_id, [])
