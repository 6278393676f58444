"""Match rounds: services and selectors.

A coordinator opens a round for a programme (`match_round_open`): every active application to the
programme's open needs gets a RoundRanking, the need's side pre-sorted by score. Volunteers rank the
needs they applied to (`match_round_rank_needs`) until the deadline; coordinators order each need's
applicants (`match_round_rank_applicants`) until the round runs. A dry run (`match_round_request_dry_run`)
or the real run (`match_round_request_run`, or the deadline through `match_round_ids_due`) enqueues the
Celery task `programmes.tasks.run_match_round`, which calls `match_round_run`: it builds both sides'
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
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from globalir.outbox.services import task_enqueue
from matcher.models import MatchRound, Recommendation, RoundRanking
from notifications.services import absolute_url, notify
from organisations.selectors import organisation_coordinators
from placements.models import Application
from volunteers.models import VolunteerProfile

from .. import fit
from ..models import Need, Programme
from ..services import application_offer, application_volunteer_label
from .engine import blocking_pairs, stable_match, validate_matching

logger = logging.getLogger(__name__)

# Applications that take part in a round: not yet offered, declined or withdrawn.
RANKABLE_STATUSES = (Application.Status.INTERESTED, Application.Status.SHORTLISTED)
# Applications that hold one of a need's places.
HOLDING_STATUSES = (Application.Status.OFFERED, Application.Status.ACCEPTED, Application.Status.COMPLETED)
# A running round whose run started this long ago belongs to a worker that died (the task's hard time
# limit is shorter): the periodic task starts it again.
STALE_RUN = datetime.timedelta(minutes=20)
# A run asked for ("Run now") that no worker has picked up after this long is enqueued again.
QUEUED_RETRY = datetime.timedelta(minutes=3)
# A dry run asked for that has not finished after this long is shown as lost.
DRY_RUN_LOST = datetime.timedelta(minutes=15)
NEEDS_PER_PAGE = 20
# Opening a round computes the fit of at most this many volunteers who have no stored recommendation.
FIT_FALLBACK_VOLUNTEERS = 200

# Why a ranking ended as it did, in the order they are checked.
INACTIVE = "inactive"  # the application was no longer interested/shortlisted, or its need not open
MATCHED = "matched"
VOLUNTEER_UNRANKED = "volunteer_unranked"  # the volunteer left the need unranked
MATCHED_HIGHER = "matched_higher"  # the volunteer was matched to a need they ranked higher
NEED_UNRANKED = "need_unranked"  # the coordinators left the applicant unranked
NO_PLACES = "no_places"  # the need had no places left
FULL = "full"  # the places went to applicants the coordinators ranked higher
REASONS = (INACTIVE, MATCHED, VOLUNTEER_UNRANKED, MATCHED_HIGHER, NEED_UNRANKED, NO_PLACES, FULL)


# --------------------------------------------------------------------------------------------------
# Reading rounds (selectors)
# --------------------------------------------------------------------------------------------------


def match_round_queryset() -> QuerySet[MatchRound]:
    return MatchRound.objects.select_related("programme__lead_organisation", "created_by")


def match_rounds_for_programme(*, programme: Programme) -> QuerySet[MatchRound]:
    """The programme's rounds, newest first, each with how many applications it holds."""
    return (
        MatchRound.objects.filter(programme=programme)
        .annotate(ranking_count=Count("rankings"))
        .order_by("-created_at", "-pk")
    )


def match_round_is_queued(match_round: MatchRound) -> bool:
    """True when "Run now" was asked for and no worker has started the run yet."""
    return match_round.status == MatchRound.Status.OPEN and match_round.started_at is not None


def match_round_volunteers_may_rank(match_round: MatchRound, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        match_round.status == MatchRound.Status.OPEN
        and match_round.started_at is None
        and match_round.ranking_deadline > now
    )


def match_round_coordinators_may_rank(match_round: MatchRound) -> bool:
    return match_round.status == MatchRound.Status.OPEN and match_round.started_at is None


def match_round_dry_run_state(match_round: MatchRound, *, now: datetime.datetime | None = None) -> str:
    """'' (none, or the round is no longer open), 'pending', 'done', 'failed' or 'lost' (asked for, never
    finished)."""
    if match_round.status != MatchRound.Status.OPEN:
        return ""  # a dry run only means something before the round runs
    state = (match_round.dry_run_result or {}).get("state", "")
    if state == "pending":
        requested = _parse_time(match_round.dry_run_result.get("requested_at"))
        if requested is None or requested < (now or timezone.now()) - DRY_RUN_LOST:
            return "lost"
    return state


def match_round_is_busy(match_round: MatchRound) -> bool:
    """True while something is being computed that the page should keep refreshing for."""
    return (
        match_round.status == MatchRound.Status.RUNNING
        or match_round_is_queued(match_round)
        or match_round_dry_run_state(match_round) == "pending"
    )


def match_rounds_for_volunteer(*, profile: VolunteerProfile, recent_days: int = 30) -> list[MatchRound]:
    """Rounds the volunteer takes part in that are open, running, or finished in the last days."""
    since = timezone.now() - datetime.timedelta(days=recent_days)
    return list(
        MatchRound.objects.filter(rankings__application__volunteer=profile)
        .filter(Q(status__in=[MatchRound.Status.OPEN, MatchRound.Status.RUNNING]) | Q(finished_at__gte=since))
        .exclude(status=MatchRound.Status.CANCELLED)
        .select_related("programme__lead_organisation")
        .distinct()
        .order_by("ranking_deadline", "pk")[:10]
    )


def match_round_for_volunteer(*, user: User, pk: int) -> MatchRound | None:
    """A round in which the user has an application, else None."""
    return (
        match_round_queryset().filter(pk=pk, rankings__application__volunteer__user=user).distinct().first()
        if user.is_authenticated
        else None
    )


def match_round_ids_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Rounds whose run should start now: open ones past their deadline or queued for a while without a
    worker, and running ones whose worker died (no progress for STALE_RUN)."""
    now = now or timezone.now()
    due = MatchRound.objects.filter(
        Q(status=MatchRound.Status.OPEN, ranking_deadline__lte=now)
        | Q(status=MatchRound.Status.OPEN, started_at__lte=now - QUEUED_RETRY)
        | Q(status=MatchRound.Status.RUNNING, started_at__lt=now - STALE_RUN)
    )
    return list(due.order_by("pk").values_list("pk", flat=True))


@dataclass
class ApplicantRow:
    """One application of a round, as the coordinator's page shows it."""

    ranking: RoundRanking
    label: str
    reason: str = ""
    reason_text: str = ""

    @property
    def application(self) -> Application:
        return self.ranking.application


@dataclass
class NeedBlock:
    """One need of a round: its applicants in the coordinator's order and, after a (dry) run, the outcome."""

    need: Need
    rows: list[ApplicantRow] = field(default_factory=list)
    ranked_by_volunteers: int = 0
    capacity: int | None = None
    matched: list[ApplicantRow] = field(default_factory=list)
    unmatched: list[ApplicantRow] = field(default_factory=list)

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else self.capacity - len(self.matched)


@dataclass
class RoundOverview:
    """What the coordinator's round page shows."""

    volunteers: int
    volunteers_ranked: int
    applications: int
    page: Page
    blocks: list[NeedBlock]
    outcome_source: str  # "result", "dry_run" or ""
    summary: dict


def match_round_overview(*, match_round: MatchRound, page_number: str | int | None = None) -> RoundOverview:
    """The coordinator's view of a round, one page of its needs at a time, in a constant number of queries.

    After the run the outcome comes from the round's result; before it, from the last dry run if any."""
    rankings = list(
        RoundRanking.objects.filter(match_round=match_round)
        .select_related("application__need__host_site", "application__volunteer__user")
        .order_by("application__need__title", "application__need_id", "need_rank", "pk")
    )
    volunteers = {ranking.application.volunteer_id for ranking in rankings}
    volunteers_ranked = {r.application.volunteer_id for r in rankings if r.volunteer_rank is not None}
    # Ranked applicants first, in the coordinator's order; unranked (not acceptable) at the end.
    rankings.sort(
        key=lambda r: (r.application.need.title, r.application.need_id, r.need_rank is None, r.need_rank or 0, r.pk)
    )

    if match_round.status == MatchRound.Status.DONE:
        source, outcome = "result", match_round.result or {}
    elif match_round_dry_run_state(match_round) == "done":
        source, outcome = "dry_run", match_round.dry_run_result or {}
    else:
        source, outcome = "", {}
    reasons = outcome.get("outcomes", {})
    capacities = outcome.get("capacities", {})
    need_titles = {r.application.need_id: r.application.need.title for r in rankings}

    blocks: dict[int, NeedBlock] = {}
    for ranking in rankings:
        need = ranking.application.need
        block = blocks.get(need.pk)
        if block is None:
            block = blocks[need.pk] = NeedBlock(need=need, capacity=capacities.get(str(need.pk)))
        row = ApplicantRow(ranking=ranking, label=application_volunteer_label(ranking.application))
        block.rows.append(row)
        if ranking.volunteer_rank is not None:
            block.ranked_by_volunteers += 1
        entry = reasons.get(str(ranking.pk))
        if entry:
            row.reason = entry.get("code", "")
            row.reason_text = outcome_text(
                row.reason,
                audience="coordinator",
                need_title=need.title,
                other_title=need_titles.get(entry.get("matched_need"), ""),
                dry_run=source == "dry_run",
            )
            (block.matched if row.reason == MATCHED else block.unmatched).append(row)

    paginator = Paginator(list(blocks.values()), NEEDS_PER_PAGE)
    page = paginator.get_page(page_number)
    return RoundOverview(
        volunteers=len(volunteers),
        volunteers_ranked=len(volunteers_ranked),
        applications=len(rankings),
        page=page,
        blocks=list(page.object_list),
        outcome_source=source,
        summary={key: outcome.get(key) for key in ("pairs", "volunteers", "unmatched_volunteers", "places_left")},
    )


@dataclass
class VolunteerChoice:
    """One need the volunteer applied to in a round."""

    ranking: RoundRanking
    reason: str = ""
    reason_text: str = ""

    @property
    def need(self) -> Need:
        return self.ranking.application.need


@dataclass
class VolunteerRoundView:
    choices: list[VolunteerChoice]
    matched_need: Need | None
    matched_application: Application | None


def match_round_volunteer_view(*, match_round: MatchRound, user: User) -> VolunteerRoundView:
    """The user's applications in the round, in their order (unranked last), with the outcome once done."""
    rankings = list(
        RoundRanking.objects.filter(match_round=match_round, application__volunteer__user=user)
        .select_related("application__need__programme__lead_organisation", "application__need__host_site")
        .order_by("application__need__title", "pk")
    )
    rankings.sort(key=lambda r: (r.volunteer_rank is None, r.volunteer_rank or 0))
    choices = [VolunteerChoice(ranking=ranking) for ranking in rankings]
    matched = next((c for c in choices if c.ranking.outcome == RoundRanking.Outcome.MATCHED), None)
    if match_round.status == MatchRound.Status.DONE:
        reasons = (match_round.result or {}).get("outcomes", {})
        titles = {c.need.pk: c.need.title for c in choices}
        for choice in choices:
            entry = reasons.get(str(choice.ranking.pk), {})
            choice.reason = entry.get("code", "")
            choice.reason_text = outcome_text(
                choice.reason,
                audience="volunteer",
                need_title=choice.need.title,
                other_title=titles.get(entry.get("matched_need"), ""),
            )
    return VolunteerRoundView(
        choices=choices,
        matched_need=matched.need if matched else None,
        matched_application=matched.ranking.application if matched else None,
    )


def outcome_text(code: str, *, audience: str, need_title: str, other_title: str = "", dry_run: bool = False) -> str:
    """A ranking's outcome in plain words for the volunteer or the coordinator."""
    need, other = need_title, other_title
    if audience == "volunteer":
        texts = {
            MATCHED: _("You were matched to “%(need)s”: an offer is waiting for your answer on your dashboard."),
            INACTIVE: _("Your application to “%(need)s” was no longer open when the round ran."),
            VOLUNTEER_UNRANKED: _("You did not rank “%(need)s”."),
            MATCHED_HIGHER: _("“%(need)s”: you were matched to “%(other)s”, which you ranked higher."),
            NEED_UNRANKED: _("The coordinators did not rank you for “%(need)s”."),
            NO_PLACES: _("“%(need)s” had no places left when the round ran."),
            FULL: _("The places of “%(need)s” went to applicants the coordinators ranked higher."),
        }
    else:
        texts = {
            MATCHED: _("Would be matched.") if dry_run else _("Matched: offered a place."),
            INACTIVE: _("The application was no longer open (offered, declined or withdrawn, or the need closed)."),
            VOLUNTEER_UNRANKED: _("The volunteer did not rank this need."),
            MATCHED_HIGHER: _("Matched to “%(other)s”, which the volunteer ranked higher."),
            NEED_UNRANKED: _("You did not rank this applicant (not acceptable)."),
            NO_PLACES: _("This need had no places left."),
            FULL: _("The places went to applicants you ranked higher."),
        }
    text = texts.get(code)
    return text % {"need": need, "other": other} if text else ""


def _parse_time(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------
# Opening, ranking, cancelling (services)
# --------------------------------------------------------------------------------------------------


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
        applications = list(
            Application.objects.filter(
                need__programme=programme,
                need__status=Need.Status.OPEN,
                status__in=RANKABLE_STATUSES,
                volunteer__isnull=False,
            )
            .select_related("need", "volunteer__user")
            .order_by("need_id", "created_at", "pk")
        )
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
        by_need: dict[int, list[Application]] = defaultdict(list)
        for application in applications:
            by_need[application.need_id].append(application)
        rankings = []
        for need_applications in by_need.values():
            need_applications.sort(key=lambda a: (-scores.get(a.pk, -1.0), a.created_at, a.pk))
            for rank, application in enumerate(need_applications, start=1):
                rankings.append(RoundRanking(match_round=match_round, application=application, need_rank=rank))
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


def _application_scores(applications: list[Application]) -> dict[int, float]:
    """Each application's score: the stored recommendation when there is one, else the fit score
    computed now (ineligible pairs get none and sort last). Computing a fit costs a few queries per
    volunteer, so only the first FIT_FALLBACK_VOLUNTEERS volunteers without stored scores get one; the
    others sort by the date they applied."""
    need_ids = {a.need_id for a in applications}
    volunteer_ids = {a.volunteer_id for a in applications}
    stored = {
        (volunteer_id, need_id): score
        for volunteer_id, need_id, score in Recommendation.objects.filter(
            need_id__in=need_ids, volunteer_id__in=volunteer_ids
        ).values_list("volunteer_id", "need_id", "score")
    }
    scores: dict[int, float] = {}
    missing: dict[int, list[Application]] = defaultdict(list)
    for application in applications:
        score = stored.get((application.volunteer_id, application.need_id))
        if score is None:
            missing[application.volunteer_id].append(application)
        else:
            scores[application.pk] = score
    for own in list(missing.values())[:FIT_FALLBACK_VOLUNTEERS]:
        computed = fit.need_fit_scores(
            volunteer=fit.volunteer_data(own[0].volunteer),
            needs=Need.objects.filter(pk__in=[a.need_id for a in own]),
        )
        for application in own:
            if application.need_id in computed:
                scores[application.pk] = computed[application.need_id]
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
    from ..tasks import run_match_round

    task_enqueue(
        run_match_round,
        args=[round_id, dry_run],
        dedupe_key="" if again else f"match-round:{round_id}:{'dry-run' if dry_run else 'run'}",
    )


# --------------------------------------------------------------------------------------------------
# Running (the task's service)
# --------------------------------------------------------------------------------------------------


@dataclass
class RoundInputs:
    """The engine's input read from a round, and what is needed to explain its output."""

    rankings: list[RoundRanking]
    active: set[int]  # ranking pks that take part
    volunteer_prefs: dict[int, list[int]]
    need_prefs: dict[int, list[int]]
    capacities: dict[int, int]

    def key(self) -> tuple:
        return (
            sorted(self.active),
            sorted(self.volunteer_prefs.items()),
            sorted(self.need_prefs.items()),
            sorted(self.capacities.items()),
        )


def _round_inputs(match_round: MatchRound) -> RoundInputs:
    """Both sides' preference lists and each need's places left, in three queries.

    A ranking takes part when its application is still interested or shortlisted (by a volunteer who
    still has an account) and its need is open. A need's places left are its places minus the
    applications holding one (offered, accepted, completed); a need no longer open has none.
    """
    rankings = list(
        RoundRanking.objects.filter(match_round=match_round)
        .select_related("application__need", "application__volunteer__user")
        .order_by("pk")
    )
    needs = {r.application.need_id: r.application.need for r in rankings}
    holding = dict(
        Application.objects.filter(need_id__in=needs, status__in=HOLDING_STATUSES)
        .order_by()
        .values("need_id")
        .annotate(count=Count("pk"))
        .values_list("need_id", "count")
    )
    capacities = {
        need_id: max(need.places - holding.get(need_id, 0), 0) if need.status == Need.Status.OPEN else 0
        for need_id, need in needs.items()
    }
    active = {
        r.pk
        for r in rankings
        if r.application.status in RANKABLE_STATUSES
        and r.application.volunteer_id is not None
        and r.application.need.status == Need.Status.OPEN
    }
    volunteer_choices: dict[int, list[tuple[int, int]]] = defaultdict(list)
    need_choices: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for r in rankings:
        volunteer_id, need_id = r.application.volunteer_id, r.application.need_id
        if volunteer_id is None:
            continue
        volunteer_choices.setdefault(volunteer_id, [])
        if r.pk not in active:
            continue
        if r.volunteer_rank is not None:
            volunteer_choices[volunteer_id].append((r.volunteer_rank, need_id))
        if r.need_rank is not None:
            need_choices[need_id].append((r.need_rank, r.pk, volunteer_id))
    return RoundInputs(
        rankings=rankings,
        active=active,
        volunteer_prefs={v: [n for _rank, n in sorted(c)] for v, c in volunteer_choices.items()},
        need_prefs={n: [v for _rank, _pk, v in sorted(c)] for n, c in need_choices.items()},
        capacities=capacities,
    )


def _match(inputs: RoundInputs) -> dict[int, list[int]]:
    """The stable matching, checked: valid (capacities, acceptable pairs, each volunteer once) and stable."""
    matching = stable_match(inputs.volunteer_prefs, inputs.need_prefs, inputs.capacities)
    validate_matching(matching, inputs.volunteer_prefs, inputs.need_prefs, inputs.capacities)
    blocking = blocking_pairs(matching, inputs.volunteer_prefs, inputs.need_prefs, inputs.capacities)
    if blocking:
        raise ValueError(f"The matching is not stable: {len(blocking)} blocking pairs, e.g. {blocking[:3]}")
    return matching


def _outcomes(inputs: RoundInputs, matching: Mapping[int, list[int]]) -> dict[str, dict]:
    """Each ranking's reason code (see REASONS) and, for the volunteer, the need they were matched to."""
    matched_need = {volunteer: need for need, members in matching.items() for volunteer in members}
    volunteer_rank = {(r.application.volunteer_id, r.application.need_id): r.volunteer_rank for r in inputs.rankings}
    outcomes = {}
    for r in inputs.rankings:
        volunteer, need = r.application.volunteer_id, r.application.need_id
        current = matched_need.get(volunteer)
        current_rank = volunteer_rank.get((volunteer, current)) if current is not None else None
        if r.pk not in inputs.active:
            code = INACTIVE
        elif current == need:
            code = MATCHED
        elif r.volunteer_rank is None:
            code = VOLUNTEER_UNRANKED
        elif current_rank is not None and current_rank < r.volunteer_rank:
            code = MATCHED_HIGHER
        elif r.need_rank is None:
            code = NEED_UNRANKED
        elif inputs.capacities.get(need, 0) == 0:
            code = NO_PLACES
        else:
            # Stability: the volunteer would rather have this need, so it is full of applicants its
            # coordinators ranked higher.
            code = FULL
        outcomes[str(r.pk)] = {"code": code, "matched_need": current}
    return outcomes


def _result_json(inputs: RoundInputs, matching: Mapping[int, list[int]], *, state: str) -> dict:
    outcomes = _outcomes(inputs, matching)
    volunteers = {r.application.volunteer_id for r in inputs.rankings if r.application.volunteer_id is not None}
    pairs = sum(len(members) for members in matching.values())
    return {
        "state": state,
        "computed_at": timezone.now().isoformat(),
        "pairs": pairs,
        "volunteers": len(volunteers),
        "unmatched_volunteers": len(volunteers) - pairs,
        "places_left": sum(inputs.capacities.values()) - pairs,
        "blocking_pairs": 0,
        "capacities": {str(need): count for need, count in inputs.capacities.items()},
        "matching": {str(need): members for need, members in matching.items()},
        "outcomes": outcomes,
    }


def _set_progress(match_round: MatchRound, progress: int) -> None:
    MatchRound.objects.filter(pk=match_round.pk, status=MatchRound.Status.RUNNING).update(progress=progress)


def match_round_run(*, match_round: MatchRound, dry_run: bool) -> MatchRound:
    """Run the round's matching.

    A dry run (only while the round is open) stores the matching it would make in `dry_run_result`: no
    offer, no e-mail. The real run first claims the round with a conditional update (open → running, or
    a running round whose worker died), so a task delivered twice runs it once; the second call returns
    the round unchanged. It then, in one transaction with the round's needs locked: makes an offer
    (`application_offer`) for each matched pair, records each ranking's outcome and explanation, sets
    the round done with its result, and e-mails every participant and the programme's coordinators.

    Any error leaves no offer made: the round is marked failed with the error, except for a lost
    database connection, which is raised for the task to retry.
    """
    if dry_run:
        return _dry_run(match_round)
    now = timezone.now()
    claimed = (
        MatchRound.objects.filter(pk=match_round.pk)
        .filter(Q(status=MatchRound.Status.OPEN) | Q(status=MatchRound.Status.RUNNING, started_at__lt=now - STALE_RUN))
        .update(status=MatchRound.Status.RUNNING, started_at=now, progress=5, error="")
    )
    if claimed != 1:
        logger.info("Match round %s is not open to run; nothing to do", match_round.pk)
        match_round.refresh_from_db()
        return match_round
    try:
        match_round = match_round_queryset().get(pk=match_round.pk)
        inputs = _round_inputs(match_round)
        _set_progress(match_round, 30)
        matching = _match(inputs)
        _set_progress(match_round, 60)
        with transaction.atomic():
            _round_commit(match_round, inputs, matching)
    except OperationalError:
        # Database trouble: hand the round back so that the task's retry can claim it again.
        MatchRound.objects.filter(pk=match_round.pk, status=MatchRound.Status.RUNNING).update(
            status=MatchRound.Status.OPEN, progress=0
        )
        raise
    except Exception as error:
        logger.exception("Match round %s failed", match_round.pk)
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        MatchRound.objects.filter(pk=match_round.pk).update(
            status=MatchRound.Status.FAILED,
            error=(message or error.__class__.__name__)[:500],
            finished_at=timezone.now(),
            progress=0,
        )
    match_round.refresh_from_db()
    return match_round


def _round_commit(match_round: MatchRound, inputs: RoundInputs, matching: dict[int, list[int]]) -> None:
    """The run's writes, inside the caller's transaction."""
    # Lock the needs (in id order, as application_offer does one at a time) and read everything again:
    # a place offered or an application withdrawn since the first read changes the matching.
    list(Need.objects.select_for_update().filter(pk__in=inputs.capacities).order_by("pk").values_list("pk"))
    locked = _round_inputs(match_round)
    if locked.key() != inputs.key():
        logger.info("Match round %s: applications changed while it ran; matching again", match_round.pk)
        inputs, matching = locked, _match(locked)
    by = match_round.created_by or AnonymousUser()
    rankings = {r.pk: r for r in inputs.rankings}
    pair_ranking = {
        (r.application.need_id, r.application.volunteer_id): r for r in inputs.rankings if r.pk in inputs.active
    }
    result = _result_json(inputs, matching, state="done")
    titles = {r.application.need_id: r.application.need.title for r in inputs.rankings}
    for need_id, members in sorted(matching.items()):
        for volunteer_id in members:
            application_offer(application=pair_ranking[need_id, volunteer_id].application, by=by)
    for key, entry in result["outcomes"].items():
        ranking = rankings[int(key)]
        ranking.outcome = RoundRanking.Outcome.MATCHED if entry["code"] == MATCHED else RoundRanking.Outcome.UNMATCHED
        ranking.explanation = outcome_text(
            entry["code"],
            audience="volunteer",
            need_title=ranking.application.need.title,
            other_title=titles.get(entry["matched_need"], ""),
        )
    RoundRanking.objects.bulk_update(inputs.rankings, ["outcome", "explanation"])
    updated = MatchRound.objects.filter(pk=match_round.pk, status=MatchRound.Status.RUNNING).update(
        status=MatchRound.Status.DONE, result=result, progress=100, finished_at=timezone.now()
    )
    if updated != 1:
        raise RuntimeError("The round stopped running while it was being recorded.")
    _notify_round_result(match_round, inputs, result, titles)
    logger.info("Match round %s done: %s pairs matched", match_round.pk, result["pairs"])


def _dry_run(match_round: MatchRound) -> MatchRound:
    match_round = match_round_queryset().get(pk=match_round.pk)
    if match_round.status != MatchRound.Status.OPEN:
        return match_round
    now = timezone.now()
    try:
        inputs = _round_inputs(match_round)
        result = _result_json(inputs, _match(inputs), state="done")
    except OperationalError:
        raise
    except Exception as error:
        logger.exception("Dry run of match round %s failed", match_round.pk)
        result = {"state": "failed", "error": str(error)[:500], "computed_at": now.isoformat()}
    MatchRound.objects.filter(pk=match_round.pk, status=MatchRound.Status.OPEN).update(
        dry_run_result=result, dry_run_at=now
    )
    match_round.refresh_from_db()
    return match_round


# --------------------------------------------------------------------------------------------------
# E-mails
# --------------------------------------------------------------------------------------------------


def _deadline_text(match_round: MatchRound) -> str:
    return date_format(timezone.localtime(match_round.ranking_deadline), "DATETIME_FORMAT")


def _round_context(match_round: MatchRound) -> dict[str, str]:
    programme = match_round.programme
    return {
        "programme_title": programme.title,
        "organisation_name": str(programme.lead_organisation),
        "deadline": _deadline_text(match_round),
        "round_url": absolute_url(reverse("programmes:round-volunteer", args=[match_round.pk])),
    }


def _notify_round_opened(match_round: MatchRound, applications: list[Application]) -> None:
    by_volunteer: dict[int, list[Application]] = defaultdict(list)
    for application in applications:
        by_volunteer[application.volunteer_id].append(application)
    context = _round_context(match_round)
    for own in by_volunteer.values():
        volunteer = own[0].volunteer
        notify(
            kind="round_opened",
            event_key=f"round-opened:{match_round.pk}:{volunteer.pk}",
            recipient=volunteer.user,
            context={**context, "need_titles": sorted(a.need.title for a in own)},
        )


def _programme_coordinators(programme: Programme) -> list[User]:
    organisation_id = programme.lead_organisation_id
    return organisation_coordinators(organisation_ids=[organisation_id]).get(organisation_id, [])


def _notify_round_result(match_round: MatchRound, inputs: RoundInputs, result: dict, titles: Mapping[int, str]) -> None:
    context = _round_context(match_round)
    dashboard_url = absolute_url(reverse("programmes:dashboard"))
    by_volunteer: dict[int, list[RoundRanking]] = defaultdict(list)
    for ranking in inputs.rankings:
        if ranking.application.volunteer_id is not None:
            by_volunteer[ranking.application.volunteer_id].append(ranking)
    for volunteer_id, rankings in sorted(by_volunteer.items()):
        rankings.sort(key=lambda r: (r.volunteer_rank is None, r.volunteer_rank or 0, r.pk))
        matched = next((r for r in rankings if r.outcome == RoundRanking.Outcome.MATCHED), None)
        notify(
            kind="round_result_volunteer",
            event_key=f"round-result:{match_round.pk}:{volunteer_id}",
            recipient=rankings[0].application.volunteer.user,
            context={
                **context,
                "matched": matched is not None,
                "matched_need_title": matched.application.need.title if matched else "",
                "explanations": [r.explanation for r in rankings if r is not matched],
                "dashboard_url": dashboard_url,
            },
        )
    needs = [
        {
            "title": titles[need_id],
            "matched": len(matching_members),
            "places_left": inputs.capacities.get(need_id, 0) - len(matching_members),
        }
        for need_id, matching_members in sorted(
            ((int(need), members) for need, members in result["matching"].items()), key=lambda item: titles[item[0]]
        )
    ]
    coordinator_context = {
        **context,
        "round_url": absolute_url(reverse("programmes:round-detail", args=[match_round.pk])),
        "pairs": result["pairs"],
        "volunteers": result["volunteers"],
        "unmatched_volunteers": result["unmatched_volunteers"],
        "needs": needs,
    }
    for user in _programme_coordinators(match_round.programme):
        notify(
            kind="round_result_coordinator",
            event_key=f"round-result-coordinator:{match_round.pk}:{user.pk}",
            recipient=user,
            context=coordinator_context,
        )
