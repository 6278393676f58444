"""Match rounds of visiting professors and their hosts: services and selectors.

The programme's coordinators open a round (`host_round_open`): every open host request of the programme
meets every active candidate, one HostRoundRanking per pair. Each host's coordinators rank the candidates
(`host_round_rank_candidates`), each candidate ranks the hosts (`host_round_rank_hosts`); a blank rank
means "not acceptable". Running the round (`host_round_run`) feeds both sides' preferences to the engine's
`stable_match` (candidates propose, each host request takes one visiting professor), checks the result is
valid and stable, turns each pair into a visit and e-mails both sides. Every pair's outcome is kept as a
reason code in the round's result and worded for each reader by `host_outcome_text`.

Rounds are small (a programme's hosts × its candidates), so the run is done in the request when a
coordinator clicks "Run the round now", and otherwise at the deadline by the periodic task
(matcher.run_due_host_rounds, `host_rounds_run_due`), as the round-opened e-mail tells both sides.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from notifications.services import absolute_url, notify
from organisations.selectors import organisation_coordinators
from placements.models import VisitCandidacy
from placements.visit_services import visit_create
from programmes.models import HostRequest, Programme
from volunteers.selectors import volunteer_label

from .engine import blocking_pairs, stable_match, validate_matching
from .host_round_models import HostMatchRound, HostRoundRanking

logger = logging.getLogger(__name__)

# Why a pair ended as it did, in the order they are checked.
INACTIVE = "inactive"  # the request was no longer open, or the candidacy withdrawn
MATCHED = "matched"
CANDIDATE_UNRANKED = "candidate_unranked"
MATCHED_HIGHER = "matched_higher"  # the candidate was matched to a host they ranked higher
HOST_UNRANKED = "host_unranked"
TAKEN = "taken"  # the host was matched to a candidate it ranked higher


def host_round_open(
    *, programme: Programme, ranking_deadline: datetime.datetime, by: User, now: datetime.datetime | None = None
) -> HostMatchRound:
    """Open a round with every open host request and every active candidate of the programme, and e-mail
    both sides the link to their ranking page."""
    now = now or timezone.now()
    if ranking_deadline <= now:
        raise ValidationError(
            {"ranking_deadline": _("The ranking deadline must be in the future.")}, code="deadline_past"
        )
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if HostMatchRound.objects.filter(programme=programme, status=HostMatchRound.Status.OPEN).exists():
            raise ValidationError(_("This programme already has a match round in progress."), code="in_progress")
        requests = list(programme.host_requests.open().select_related("host_organisation").order_by("pk"))
        candidacies = list(
            programme.visit_candidacies.filter(status=VisitCandidacy.Status.ACTIVE)
            .select_related("volunteer__user")
            .order_by("pk")
        )
        if not requests or not candidacies:
            raise ValidationError(
                _("A round needs at least one open host request and one candidate."), code="nothing_to_rank"
            )
        match_round = HostMatchRound(programme=programme, ranking_deadline=ranking_deadline, created_by=by)
        match_round.full_clean(exclude=["programme"])
        try:
            with transaction.atomic():
                match_round.save()
        except IntegrityError as error:
            raise ValidationError(
                _("This programme already has a match round in progress."), code="in_progress"
            ) from error
        HostRoundRanking.objects.bulk_create(
            HostRoundRanking(match_round=match_round, host_request=host_request, candidacy=candidacy)
            for host_request in requests
            for candidacy in candidacies
        )
        _notify_opened(match_round, requests, candidacies)
    logger.info("User %s opened host round %s for programme %s", by.pk, match_round.pk, programme.pk)
    return match_round


def _clean_ranks(ranks: Mapping[int, int | None], known: Iterable[int]) -> dict[int, int]:
    """Check ranks (every key known, positive, distinct); return them renumbered 1, 2, 3…."""
    known = set(known)
    if any(key not in known for key in ranks):
        raise ValidationError(_("Only this round's choices can be ranked here."), code="unknown")
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


def host_round_may_rank(match_round: HostMatchRound, *, now: datetime.datetime | None = None) -> bool:
    return match_round.status == HostMatchRound.Status.OPEN and match_round.ranking_deadline > (now or timezone.now())


def _rank(match_round: HostMatchRound, rows: dict[int, HostRoundRanking], ranks, attribute: str, now) -> None:
    if not host_round_may_rank(match_round, now=now):
        raise ValidationError(_("Ranking for this round has closed."), code="closed")
    if not rows:
        raise ValidationError(_("You have no choice to rank in this round."), code="not_participant")
    cleaned = _clean_ranks(ranks, rows)
    changed = []
    for key, row in rows.items():
        rank = cleaned.get(key)
        if getattr(row, attribute) != rank:
            setattr(row, attribute, rank)
            changed.append(row)
    HostRoundRanking.objects.bulk_update(changed, [attribute])


def host_round_rank_candidates(
    *,
    match_round: HostMatchRound,
    host_request: HostRequest,
    ranks: Mapping[int, int | None],
    by: User,
    now: datetime.datetime | None = None,
) -> None:
    """The host's order of the round's candidates: `ranks` maps candidacy ids to a rank or None."""
    with transaction.atomic():
        match_round = HostMatchRound.objects.select_for_update().get(pk=match_round.pk)
        rows = {
            row.candidacy_id: row
            for row in HostRoundRanking.objects.filter(match_round=match_round, host_request=host_request)
        }
        _rank(match_round, rows, ranks, "host_rank", now)
    logger.info("User %s ranked the candidates of host request %s", by.pk, host_request.pk)


def host_round_rank_hosts(
    *,
    match_round: HostMatchRound,
    candidacy: VisitCandidacy,
    ranks: Mapping[int, int | None],
    now: datetime.datetime | None = None,
) -> None:
    """The candidate's order of the round's hosts: `ranks` maps host request ids to a rank or None."""
    with transaction.atomic():
        match_round = HostMatchRound.objects.select_for_update().get(pk=match_round.pk)
        rows = {
            row.host_request_id: row
            for row in HostRoundRanking.objects.filter(match_round=match_round, candidacy=candidacy)
        }
        _rank(match_round, rows, ranks, "candidate_rank", now)
    logger.info("Candidacy %s ranked the hosts of host round %s", candidacy.pk, match_round.pk)


def _rows(match_round: HostMatchRound) -> list[HostRoundRanking]:
    return list(
        HostRoundRanking.objects.filter(match_round=match_round)
        .select_related("host_request__host_organisation", "candidacy__volunteer__user")
        .prefetch_related("candidacy__topics")
        .order_by("pk")
    )


def _is_active(row: HostRoundRanking) -> bool:
    return row.host_request.status == HostRequest.Status.OPEN and row.candidacy.status == VisitCandidacy.Status.ACTIVE


def host_round_compute(rows: list[HostRoundRanking]) -> dict:
    """The stable matching of the rows and every pair's reason code, as JSON: what a run records and what
    the coordinators' preview shows."""
    candidate_choices: dict[int, list[tuple[int, int]]] = defaultdict(list)
    host_choices: dict[int, list[tuple[int, int]]] = defaultdict(list)
    capacities: dict[int, int] = {}
    for row in rows:
        capacities.setdefault(row.host_request_id, 1 if row.host_request.status == HostRequest.Status.OPEN else 0)
        candidate_choices.setdefault(row.candidacy_id, [])
        if not _is_active(row):
            continue
        if row.candidate_rank is not None:
            candidate_choices[row.candidacy_id].append((row.candidate_rank, row.host_request_id))
        if row.host_rank is not None:
            host_choices[row.host_request_id].append((row.host_rank, row.candidacy_id))
    candidate_prefs = {c: [h for _rank, h in sorted(choices)] for c, choices in candidate_choices.items()}
    host_prefs = {h: [c for _rank, c in sorted(choices)] for h, choices in host_choices.items()}
    matching = stable_match(candidate_prefs, host_prefs, capacities)
    validate_matching(matching, candidate_prefs, host_prefs, capacities)
    blocking = blocking_pairs(matching, candidate_prefs, host_prefs, capacities)
    if blocking:
        raise ValueError(f"The matching is not stable: {len(blocking)} blocking pairs")

    matched_host = {candidacy: host for host, members in matching.items() for candidacy in members}
    candidate_rank = {(row.candidacy_id, row.host_request_id): row.candidate_rank for row in rows}
    outcomes = {}
    for row in rows:
        current = matched_host.get(row.candidacy_id)
        current_rank = candidate_rank.get((row.candidacy_id, current)) if current is not None else None
        if not _is_active(row):
            code = INACTIVE
        elif current == row.host_request_id:
            code = MATCHED
        elif row.candidate_rank is None:
            code = CANDIDATE_UNRANKED
        elif current_rank is not None and current_rank < row.candidate_rank:
            code = MATCHED_HIGHER
        elif row.host_rank is None:
            code = HOST_UNRANKED
        else:
            # Stability: the candidate prefers this host, so the host has one it ranked higher.
            code = TAKEN
        outcomes[str(row.pk)] = {"code": code, "matched_host": current}
    return {
        "pairs": sum(len(members) for members in matching.values()),
        "candidates": len(candidate_choices),
        "hosts": len(capacities),
        "matching": {str(host): members for host, members in matching.items()},
        "outcomes": outcomes,
    }


def host_round_run(*, match_round: HostMatchRound, by: User | None) -> HostMatchRound:
    """Run the round now: the stable matching becomes visits, each pair's outcome is recorded, and every
    candidate and each host's coordinators are e-mailed. `by` is the coordinator who clicked "Run the round
    now", or None when the round runs at its deadline (`host_rounds_run_due`)."""
    with transaction.atomic():
        match_round = HostMatchRound.objects.select_for_update().select_related("programme").get(pk=match_round.pk)
        if match_round.status != HostMatchRound.Status.OPEN:
            raise ValidationError(_("Only an open round can be run."), code="cannot_run")
        # Lock the round's host requests, so that none closes while its visit is made.
        list(
            HostRequest.objects.select_for_update()
            .filter(round_rankings__match_round=match_round)
            .order_by("pk")
            .values_list("pk")
        )
        rows = _rows(match_round)
        result = host_round_compute(rows)
        by_pair = {(row.host_request_id, row.candidacy_id): row for row in rows}
        visits = []
        for host_id, members in sorted((int(h), m) for h, m in result["matching"].items()):
            for candidacy_id in members:
                row = by_pair[host_id, candidacy_id]
                visits.append(visit_create(host_request=row.host_request, candidacy=row.candidacy))
        for row in rows:
            matched = result["outcomes"][str(row.pk)]["code"] == MATCHED
            row.outcome = HostRoundRanking.Outcome.MATCHED if matched else HostRoundRanking.Outcome.UNMATCHED
        HostRoundRanking.objects.bulk_update(rows, ["outcome"])
        match_round.status = HostMatchRound.Status.DONE
        match_round.finished_at = timezone.now()
        match_round.result = {**result, "state": "done", "computed_at": match_round.finished_at.isoformat()}
        match_round.save(update_fields=["status", "finished_at", "result"])
        _notify_result(match_round, rows, result)
    who = f"User {by.pk}" if by is not None else "The deadline"
    logger.info("%s ran host round %s: %s visits", who, match_round.pk, len(visits))
    return match_round


def host_round_ids_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Open rounds whose ranking deadline has passed: ranking is closed, the pairing is due."""
    due = HostMatchRound.objects.filter(status=HostMatchRound.Status.OPEN, ranking_deadline__lte=now or timezone.now())
    return list(due.order_by("ranking_deadline", "pk").values_list("pk", flat=True))


def host_rounds_run_due(*, now: datetime.datetime | None = None) -> int:
    """Run every open round past its deadline, as the round-opened e-mail promises; returns how many ran.
    Safe to call again: host_round_run claims the round first, so a round already run (or cancelled) by a
    coordinator, or by another call, meanwhile is left alone."""
    ran = 0
    for pk in host_round_ids_due(now=now):
        try:
            host_round_run(match_round=HostMatchRound(pk=pk), by=None)
        except ValidationError as error:
            if error.code != "cannot_run":
                raise
            continue
        ran += 1
    return ran


def host_round_cancel(*, match_round: HostMatchRound, by: User) -> HostMatchRound:
    updated = HostMatchRound.objects.filter(pk=match_round.pk, status=HostMatchRound.Status.OPEN).update(
        status=HostMatchRound.Status.CANCELLED, finished_at=timezone.now()
    )
    if updated != 1:
        raise ValidationError(_("Only an open round can be cancelled."), code="cannot_cancel")
    match_round.refresh_from_db()
    logger.info("User %s cancelled host round %s", by.pk, match_round.pk)
    return match_round


# Selectors


@dataclass
class PairRow:
    ranking: HostRoundRanking
    code: str = ""
    text: str = ""

    @property
    def label(self) -> str:
        """The candidate as hosts see them: their name only if they share their profile."""
        return volunteer_label(volunteer=self.ranking.candidacy.volunteer, number=self.ranking.candidacy_id)


@dataclass
class HostBlock:
    host_request: HostRequest
    rows: list[PairRow] = field(default_factory=list)
    matched: PairRow | None = None


def host_round_overview(*, match_round: HostMatchRound, preview: bool = False) -> list[HostBlock]:
    """The round host by host, candidates in the host's order, with each pair's outcome once run (or, with
    `preview`, the outcome the round would have if it ran now)."""
    rows = _rows(match_round)
    if match_round.status == HostMatchRound.Status.DONE:
        outcome = match_round.result or {}
    elif preview and rows:
        outcome = host_round_compute(rows)
    else:
        outcome = {}
    titles = {row.host_request_id: row.host_request.title for row in rows}
    reasons = outcome.get("outcomes", {})
    blocks: dict[int, HostBlock] = {}
    rows.sort(key=lambda r: (r.host_request.title, r.host_request_id, r.host_rank is None, r.host_rank or 0, r.pk))
    for row in rows:
        block = blocks.setdefault(row.host_request_id, HostBlock(host_request=row.host_request))
        entry = reasons.get(str(row.pk), {})
        pair = PairRow(ranking=row, code=entry.get("code", ""))
        pair.text = host_outcome_text(
            pair.code,
            audience="host",
            title=row.host_request.title,
            other=titles.get(entry.get("matched_host"), ""),
            preview=match_round.status != HostMatchRound.Status.DONE,
        )
        block.rows.append(pair)
        if pair.code == MATCHED:
            block.matched = pair
    return list(blocks.values())


def host_round_candidate_view(*, match_round: HostMatchRound, candidacy: VisitCandidacy) -> list[PairRow]:
    """The candidate's hosts in the round, in their order (unranked last), with the outcome once run."""
    rows = list(
        HostRoundRanking.objects.filter(match_round=match_round, candidacy=candidacy)
        .select_related("host_request__host_organisation")
        .prefetch_related("host_request__topics")
        .order_by("host_request__preferred_start", "pk")
    )
    rows.sort(key=lambda r: (r.candidate_rank is None, r.candidate_rank or 0))
    reasons = (match_round.result or {}).get("outcomes", {}) if match_round.status == "done" else {}
    titles = {row.host_request_id: row.host_request.title for row in rows}
    pairs = []
    for row in rows:
        entry = reasons.get(str(row.pk), {})
        code = entry.get("code", "")
        text = host_outcome_text(
            code, audience="candidate", title=row.host_request.title, other=titles.get(entry.get("matched_host"), "")
        )
        pairs.append(PairRow(ranking=row, code=code, text=text))
    return pairs


def host_outcome_text(code: str, *, audience: str, title: str, other: str = "", preview: bool = False) -> str:
    """A pair's outcome in plain words, for the candidate or for the host and the programme's coordinators."""
    if audience == "candidate":
        texts = {
            MATCHED: _("You were matched to “%(need)s”."),
            INACTIVE: _("“%(need)s” was no longer open when the round ran."),
            CANDIDATE_UNRANKED: _("You did not rank “%(need)s”."),
            MATCHED_HIGHER: _("“%(need)s”: you were matched to “%(other)s”, which you ranked higher."),
            HOST_UNRANKED: _("The host did not rank you for “%(need)s”."),
            TAKEN: _("“%(need)s” went to a candidate the host ranked higher."),
        }
    else:
        texts = {
            MATCHED: _("Would be matched.") if preview else _("Matched: the visit is planned."),
            INACTIVE: _("The request or the candidacy was no longer open."),
            CANDIDATE_UNRANKED: _("The candidate did not rank this request."),
            MATCHED_HIGHER: _("Matched to “%(other)s”, which the candidate ranked higher."),
            HOST_UNRANKED: _("The host did not rank this candidate (not acceptable)."),
            TAKEN: _("The host was matched to a candidate it ranked higher."),
        }
    text = texts.get(code)
    return text % {"need": title, "other": other} if text else ""


def host_rounds_for_user(*, user: User) -> list[HostMatchRound]:
    """Open or recent rounds in which the user is a candidate or coordinates a host."""
    since = timezone.now() - datetime.timedelta(days=60)
    return list(
        HostMatchRound.objects.filter(
            rankings__candidacy__volunteer__user=user, status__in=[HostMatchRound.Status.OPEN, "done"]
        )
        .filter(created_at__gte=since)
        .select_related("programme")
        .distinct()
        .order_by("-created_at")[:10]
    )


# E-mails


def _host_coordinators(requests: Iterable[HostRequest]) -> dict[int, list[User]]:
    ids = sorted({r.host_organisation_id for r in requests})
    return organisation_coordinators(organisation_ids=ids)


def _notify_opened(match_round: HostMatchRound, requests, candidacies) -> None:
    context = {
        "programme_title": match_round.programme.title,
        "deadline": match_round.ranking_deadline.isoformat(),
    }
    for candidacy in candidacies:
        notify(
            kind="host_round_opened",
            event_key=f"host-round-opened:{match_round.pk}:candidacy:{candidacy.pk}",
            recipient=candidacy.volunteer.user,
            context={
                **context,
                "rank_url": absolute_url(reverse("matcher:host-round-candidate", args=[match_round.pk])),
            },
        )
    coordinators = _host_coordinators(requests)
    for host_request in requests:
        for user in coordinators.get(host_request.host_organisation_id, []):
            notify(
                kind="host_round_opened",
                event_key=f"host-round-opened:{match_round.pk}:request:{host_request.pk}:{user.pk}",
                recipient=user,
                context={
                    **context,
                    "rank_url": absolute_url(reverse("matcher:host-request-detail", args=[host_request.pk])),
                },
            )


def _notify_result(match_round: HostMatchRound, rows: list[HostRoundRanking], result: dict) -> None:
    programme_title = match_round.programme.title
    matched_host = {c: int(h) for h, members in result["matching"].items() for c in members}
    by_request = {row.host_request_id: row.host_request for row in rows}
    candidacies = {row.candidacy_id: row.candidacy for row in rows}
    for candidacy_id, candidacy in sorted(candidacies.items()):
        if candidacy.volunteer is None:  # their account was erased: nobody to tell
            continue
        host = by_request.get(matched_host.get(candidacy_id))
        notify(
            kind="host_round_result",
            event_key=f"host-round-result:{match_round.pk}:candidacy:{candidacy_id}",
            recipient=candidacy.volunteer.user,
            context={
                "programme_title": programme_title,
                "matched": host is not None,
                "partner": str(host.host_organisation) if host else "",
                "title": host.title if host else "",
                "start": host.preferred_start.isoformat() if host else "",
                "end": host.preferred_end.isoformat() if host else "",
                "url": absolute_url(reverse("matcher:host-round-candidate", args=[match_round.pk])),
            },
        )
    host_candidacy = {host: candidacy for candidacy, host in matched_host.items()}
    coordinators = _host_coordinators(by_request.values())
    for request_id, host_request in sorted(by_request.items()):
        candidacy = candidacies.get(host_candidacy.get(request_id))
        for user in coordinators.get(host_request.host_organisation_id, []):
            notify(
                kind="host_round_result",
                event_key=f"host-round-result:{match_round.pk}:request:{request_id}:{user.pk}",
                recipient=user,
                context={
                    "programme_title": programme_title,
                    "matched": candidacy is not None,
                    "partner": volunteer_label(volunteer=candidacy.volunteer, number=candidacy.pk) if candidacy else "",
                    "title": host_request.title,
                    "start": host_request.preferred_start.isoformat(),
                    "end": host_request.preferred_end.isoformat(),
                    "url": absolute_url(reverse("matcher:host-request-detail", args=[request_id])),
                },
            )
