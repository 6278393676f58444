"""Match rounds, read: a programme's rounds, one round as its coordinators see it, a volunteer's rounds and
their choices, and each ranking's outcome in plain words (matcher.rounds opens and ranks rounds,
matcher.round_run runs them)."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from placements.emails import application_volunteer_label
from placements.models import Application
from programmes.models import Need, Programme
from volunteers.models import VolunteerProfile

from .models import MatchRound, RoundRanking

# A running round whose run started this long ago belongs to a worker that died (the task's hard time
# limit is shorter): the periodic task starts it again.
STALE_RUN = datetime.timedelta(minutes=20)
# A run asked for ("Run now") that no worker has picked up after this long is enqueued again.
QUEUED_RETRY = datetime.timedelta(minutes=3)
# A dry run asked for that has not finished after this long is shown as lost.
DRY_RUN_LOST = datetime.timedelta(minutes=15)
NEEDS_PER_PAGE = 20

# Why a ranking ended as it did, in the order they are checked.
INACTIVE = "inactive"  # the application was no longer interested/shortlisted, or its need not open
MATCHED = "matched"
VOLUNTEER_UNRANKED = "volunteer_unranked"  # the volunteer left the need unranked
MATCHED_HIGHER = "matched_higher"  # the volunteer was matched to a need they ranked higher
NEED_UNRANKED = "need_unranked"  # the coordinators left the applicant unranked
NO_PLACES = "no_places"  # the need had no places left
FULL = "full"  # the places went to applicants the coordinators ranked higher
# Pairs left out before matching because the offer rules (placements.electives) would refuse the offer.
REFUSED_LICENCE = "refused_licence"  # a medical student and a non-elective need asking for a licence
REFUSED_HOME_LETTER = "refused_home_letter"  # an elective, and the student's home letter is not verified
REFUSED_SUPERVISOR_FULL = "refused_supervisor_full"  # the elective's supervisor has no room on those dates
# A credential the need requires is not verified through the placement's end (placements.credential_checks).
REFUSED_CREDENTIAL = "refused_credential"
REASONS = (
    INACTIVE,
    REFUSED_LICENCE,
    REFUSED_HOME_LETTER,
    REFUSED_SUPERVISOR_FULL,
    REFUSED_CREDENTIAL,
    MATCHED,
    VOLUNTEER_UNRANKED,
    MATCHED_HIGHER,
    NEED_UNRANKED,
    NO_PLACES,
    FULL,
)
# The offer rules' ValidationError codes, as round outcomes.
REFUSAL_REASONS = {
    "student_needs_licence": REFUSED_LICENCE,
    "home_letter_unverified": REFUSED_HOME_LETTER,
    "supervisor_full": REFUSED_SUPERVISOR_FULL,
    "credential_not_valid": REFUSED_CREDENTIAL,
}


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
        .filter(Q(status__in=MatchRound.IN_PROGRESS_STATUSES) | Q(finished_at__gte=since))
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
    text = _outcome_texts(audience, dry_run, translation.get_language()).get(code)
    return text % {"need": need_title, "other": other_title} if text else ""


# A round's thousands of outcomes share a dozen sentences: translated once per audience and language.
@functools.cache
def _outcome_texts(audience: str, dry_run: bool, language: str | None) -> dict[str, str]:
    if audience == "volunteer":
        texts = {
            MATCHED: _("You were matched to “%(need)s”: an offer is waiting for your answer on your dashboard."),
            INACTIVE: _("Your application to “%(need)s” was no longer open when the round ran."),
            VOLUNTEER_UNRANKED: _("You did not rank “%(need)s”."),
            MATCHED_HIGHER: _("“%(need)s”: you were matched to “%(other)s”, which you ranked higher."),
            NEED_UNRANKED: _("The coordinators did not rank you for “%(need)s”."),
            NO_PLACES: _("“%(need)s” had no places left when the round ran."),
            FULL: _("The places of “%(need)s” went to applicants the coordinators ranked higher."),
            REFUSED_LICENCE: _(
                "“%(need)s” asks for a licence to practise: medical students take part through electives only."
            ),
            REFUSED_HOME_LETTER: _(
                "“%(need)s” could not be offered to you before your home institution's letter is verified."
            ),
            REFUSED_SUPERVISOR_FULL: _(
                "The supervisor of “%(need)s” already had as many students as they take on those dates."
            ),
            REFUSED_CREDENTIAL: _(
                "“%(need)s” requires a credential you have not had verified until the placement ends: see your "
                "dashboard for what to renew."
            ),
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
            REFUSED_LICENCE: _(
                "Left out: a medical student cannot be offered this need, which asks for a licence to practise."
            ),
            REFUSED_HOME_LETTER: _("Left out: the student's letter from their home institution is not verified."),
            REFUSED_SUPERVISOR_FULL: _(
                "Left out: the supervisor already has as many students as they take on these dates."
            ),
            REFUSED_CREDENTIAL: _(
                "Left out: a credential this need requires is not verified until the end of the placement."
            ),
        }
    return texts


def _parse_time(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
