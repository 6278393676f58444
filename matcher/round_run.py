"""Running a match round (the service of the task matcher.run_match_round): both sides' preference lists
and the places left go to the engine's `stable_match`; the result is checked valid and stable and, unless it
is a dry run, becomes offers in one transaction, with each participant's outcome and e-mails to both sides."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from notifications.services import Email, absolute_url, notify_many
from placements.credential_checks import application_credential_shortfalls, verified_credentials_for_offers
from placements.electives import elective_offer_refusal
from placements.models import Application
from placements.services import applications_offer_in_bulk
from programmes.models import Need
from volunteers.models import VolunteerProfile

from .engine import blocking_pairs, stable_match, validate_matching
from .models import MatchRound, RoundRanking
from .round_selectors import (
    FULL,
    INACTIVE,
    MATCHED,
    MATCHED_HIGHER,
    NEED_UNRANKED,
    NO_PLACES,
    REFUSAL_REASONS,
    REFUSED_CREDENTIAL,
    STALE_RUN,
    VOLUNTEER_UNRANKED,
    match_round_queryset,
    outcome_text,
)
from .rounds import _programme_coordinators, _round_context

logger = logging.getLogger(__name__)


@dataclass
class RoundInputs:
    """The engine's input read from a round, and what is needed to explain its output."""

    rankings: list[RoundRanking]
    active: set[int]  # ranking pks that take part
    volunteer_prefs: dict[int, list[int]]
    need_prefs: dict[int, list[int]]
    capacities: dict[int, int]
    refused: dict[int, str] = field(default_factory=dict)  # ranking pk → reason code, left out of the prefs


# What a run reads of each ranking and its application; the needs and the volunteers are read once each
# (`_round_rankings`) rather than joined on every row, which built a Need, a profile and a user per ranking.
_RANKING_FIELDS = (
    "match_round",
    "volunteer_rank",
    "need_rank",
    "outcome",
    "explanation",
    "application__need",
    "application__volunteer",
    "application__status",
    "application__proposed_start",
    "application__proposed_end",
    "application__created_at",
)

# Of each volunteer: what the offer rules read (the profession), how coordinators see them named
# (volunteer_label) and the address their e-mail goes to.
_VOLUNTEER_FIELDS = (
    "profession",
    "consent_to_share",
    "name",
    "title",
    "user__email",
    "user__first_name",
    "user__last_name",
)


def _round_rankings(match_round: MatchRound) -> list[RoundRanking]:
    """The round's rankings with their applications, each application with its need (and elective) and its
    volunteer (and user), in three queries: the rankings share one object per need and per volunteer."""
    rankings = list(
        RoundRanking.objects.filter(match_round=match_round)
        .select_related("application")
        .only(*_RANKING_FIELDS)
        .order_by("pk")
    )
    applications = [r.application for r in rankings]
    # filter(pk__in=…) rather than in_bulk(), which SQLite splits into a query per 999 ids.
    needs = {
        need.pk: need
        for need in Need.objects.select_related("elective").filter(pk__in={a.need_id for a in applications})
    }
    volunteers = {
        profile.pk: profile
        for profile in VolunteerProfile.objects.select_related("user")
        .only(*_VOLUNTEER_FIELDS)
        .filter(pk__in={a.volunteer_id for a in applications if a.volunteer_id is not None})
    }
    for application in applications:
        application.need = needs[application.need_id]
        application.volunteer = volunteers.get(application.volunteer_id)
    return rankings


def _round_inputs(match_round: MatchRound) -> RoundInputs:
    """Both sides' preference lists and each need's places left, in a fixed number of queries.

    A ranking takes part when its application is still interested or shortlisted (by a volunteer who
    still has an account) and its need is open. A need's places left are its places minus the
    applications holding one (offered, accepted, completed); a need no longer open has none.
    """
    rankings = _round_rankings(match_round)
    needs = {r.application.need_id: r.application.need for r in rankings}
    holding = dict(
        Application.objects.filter(need_id__in=needs, status__in=Application.HOLDING_STATUSES)
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
        if r.application.status in Application.UNDER_REVIEW_STATUSES
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


def _leave_out(inputs: RoundInputs, ranking: RoundRanking, code: str) -> None:
    """Make the pair not acceptable to either side, with the reason."""
    volunteer_id, need_id = ranking.application.volunteer_id, ranking.application.need_id
    inputs.refused[ranking.pk] = code
    if need_id in inputs.volunteer_prefs.get(volunteer_id, []):
        inputs.volunteer_prefs[volunteer_id].remove(need_id)
    if volunteer_id in inputs.need_prefs.get(need_id, []):
        inputs.need_prefs[need_id].remove(volunteer_id)


def _offerable_match(match_round: MatchRound) -> tuple[RoundInputs, dict[int, list[int]]]:
    """The round's inputs without the pairs the offer rules would refuse, and their stable matching.

    A pair both sides ranked that could not be offered on its own (the licence rule, an unverified home
    letter, a supervisor already full) is left out first. The supervisor's cap is shared across needs, so
    the matching's offers are then checked in the order they will be made, each counting those before
    it; the first refused is left out and the matching computed again, until every offer passes.
    """
    inputs = _round_inputs(match_round)
    pair_ranking: dict[tuple[int, int], RoundRanking] = {}
    both_ranked = [
        r for r in inputs.rankings if r.pk in inputs.active and r.volunteer_rank is not None and r.need_rank is not None
    ]
    # Every volunteer's verified credentials in one read, rather than one per pair.
    credentials = verified_credentials_for_offers(r.application for r in both_ranked)
    for r in inputs.rankings:
        if r.pk not in inputs.active:
            continue
        pair_ranking[r.application.need_id, r.application.volunteer_id] = r
        if r.volunteer_rank is not None and r.need_rank is not None:
            refusal = elective_offer_refusal(application=r.application, lock=False)
            if refusal is not None:
                _leave_out(inputs, r, REFUSAL_REASONS[refusal.code])
            # The offer's refusal would name each credential in the coordinator's words; the round only
            # needs to know there is one (the explanation is REFUSED_CREDENTIAL's).
            elif application_credential_shortfalls(
                r.application, credentials=credentials.get(r.application.volunteer_id, [])
            ):
                _leave_out(inputs, r, REFUSED_CREDENTIAL)
    # Each pass leaves one more pair out, so there are at most as many passes as pairs.
    for _pass in range(len(pair_ranking) + 1):
        matching = _match(inputs)
        refused = _first_refused_offer(matching, pair_ranking)
        if refused is None:
            return inputs, matching
        ranking, code = refused
        _leave_out(inputs, ranking, code)
    raise RuntimeError("The round's offers could not be checked against the offer rules.")


def _first_refused_offer(
    matching: Mapping[int, list[int]], pair_ranking: Mapping[tuple[int, int], RoundRanking]
) -> tuple[RoundRanking, str] | None:
    """The first matched pair, in the order `_round_commit` offers them, that the offer rules refuse once
    the offers before it are made."""
    offered: list[Application] = []
    for need_id, members in sorted(matching.items()):
        for volunteer_id in members:
            ranking = pair_ranking[need_id, volunteer_id]
            refusal = elective_offer_refusal(application=ranking.application, also_offered=offered, lock=False)
            if refusal is not None:
                return ranking, REFUSAL_REASONS[refusal.code]
            offered.append(ranking.application)
    return None


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
        elif r.pk in inputs.refused:
            code = inputs.refused[r.pk]
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

    Pairs the offer rules would refuse (placements.electives) are left out before matching, each with its
    reason (`_offerable_match`). A dry run (only while the round is open) stores the matching it would
    make in `dry_run_result`: no offer, no e-mail. The real run first claims the round with a conditional
    update (open → running, or a running round whose worker died), so a task delivered twice runs it once;
    the second call returns the round unchanged. It then, in one transaction with the round's needs locked:
    makes an offer (`application_offer`) for each matched pair, records each ranking's outcome and
    explanation, sets the round done with its result, and e-mails every participant and the programme's
    coordinators.

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
        _set_progress(match_round, 30)
        with transaction.atomic():
            _round_commit(match_round)
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


def _round_commit(match_round: MatchRound) -> None:
    """The run's reads and writes, inside the caller's transaction."""
    # Lock the round's needs first (in id order, as application_offer does one at a time), then read the
    # round once: a place offered or an application withdrawn meanwhile waits for the run, or is seen by it.
    # The matching takes a fraction of the time of reading and writing, so it is not worth reading twice to
    # compute it outside the lock.
    round_needs = RoundRanking.objects.filter(match_round=match_round).values("application__need_id")
    list(Need.objects.select_for_update().filter(pk__in=round_needs).order_by("pk").values_list("pk"))
    inputs, matching = _offerable_match(match_round)
    _set_progress(match_round, 60)
    by = match_round.created_by or AnonymousUser()
    rankings = {r.pk: r for r in inputs.rankings}
    pair_ranking = {
        (r.application.need_id, r.application.volunteer_id): r for r in inputs.rankings if r.pk in inputs.active
    }
    result = _result_json(inputs, matching, state="done")
    titles = {r.application.need_id: r.application.need.title for r in inputs.rankings}
    applications_offer_in_bulk(
        applications=[
            pair_ranking[need_id, volunteer_id].application
            for need_id, members in sorted(matching.items())
            for volunteer_id in members
        ],
        by=by,
    )
    for key, entry in result["outcomes"].items():
        ranking = rankings[int(key)]
        ranking.outcome = RoundRanking.Outcome.MATCHED if entry["code"] == MATCHED else RoundRanking.Outcome.UNMATCHED
        ranking.explanation = outcome_text(
            entry["code"],
            audience="volunteer",
            need_title=ranking.application.need.title,
            other_title=titles.get(entry["matched_need"], ""),
        )
    _record_outcomes(inputs.rankings)
    updated = MatchRound.objects.filter(pk=match_round.pk, status=MatchRound.Status.RUNNING).update(
        status=MatchRound.Status.DONE, result=result, progress=100, finished_at=timezone.now()
    )
    if updated != 1:
        raise RuntimeError("The round stopped running while it was being recorded.")
    _notify_round_result(match_round, inputs, result, titles)
    logger.info("Match round %s done: %s pairs matched", match_round.pk, result["pairs"])


# Rows per statement when recording outcomes: 3 parameters each, well under SQLite's and PostgreSQL's limits.
OUTCOMES_PER_STATEMENT = 2000


def _record_outcomes(rankings: list[RoundRanking]) -> None:
    """Write each ranking's outcome and explanation. bulk_update would send one CASE branch per row for each
    column, which the database tests row by row (quadratic in the round's size); a join against a VALUES
    list is one pass, and portable (SQLite ≥ 3.33 and PostgreSQL both take UPDATE … FROM)."""
    table = connection.ops.quote_name(RoundRanking._meta.db_table)
    for start in range(0, len(rankings), OUTCOMES_PER_STATEMENT):
        batch = rankings[start : start + OUTCOMES_PER_STATEMENT]
        values = ", ".join(["(%s, %s, %s)"] * len(batch))
        params = [value for r in batch for value in (r.pk, r.outcome, r.explanation)]
        with connection.cursor() as cursor:
            # Only placeholders and the quoted table name are formatted in; the values are parameters.
            sql = (
                f"WITH v(id, outcome, explanation) AS (VALUES {values}) "  # noqa: S608  # nosec B608
                f"UPDATE {table} SET outcome = v.outcome, explanation = v.explanation FROM v WHERE {table}.id = v.id"
            )
            cursor.execute(sql, params)


def _dry_run(match_round: MatchRound) -> MatchRound:
    match_round = match_round_queryset().get(pk=match_round.pk)
    if match_round.status != MatchRound.Status.OPEN:
        return match_round
    now = timezone.now()
    try:
        inputs, matching = _offerable_match(match_round)
        result = _result_json(inputs, matching, state="done")
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


def _notify_round_result(match_round: MatchRound, inputs: RoundInputs, result: dict, titles: Mapping[int, str]) -> None:
    context = _round_context(match_round)
    dashboard_url = absolute_url(reverse("placements:dashboard"))
    by_volunteer: dict[int, list[RoundRanking]] = defaultdict(list)
    for ranking in inputs.rankings:
        if ranking.application.volunteer_id is not None:
            by_volunteer[ranking.application.volunteer_id].append(ranking)
    emails = []
    for volunteer_id, rankings in sorted(by_volunteer.items()):
        rankings.sort(key=lambda r: (r.volunteer_rank is None, r.volunteer_rank or 0, r.pk))
        matched = next((r for r in rankings if r.outcome == RoundRanking.Outcome.MATCHED), None)
        emails.append(
            Email(
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
        "round_url": absolute_url(reverse("matcher:round-detail", args=[match_round.pk])),
        "pairs": result["pairs"],
        "volunteers": result["volunteers"],
        "unmatched_volunteers": result["unmatched_volunteers"],
        "needs": needs,
    }
    emails += [
        Email(
            kind="round_result_coordinator",
            event_key=f"round-result-coordinator:{match_round.pk}:{user.pk}",
            recipient=user,
            context=coordinator_context,
        )
        for user in _programme_coordinators(match_round.programme)
    ]
    notify_many(emails=emails)
