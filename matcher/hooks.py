"""The matcher's answers to the hooks of the apps below it (registered in MatcherConfig.ready())."""

from django.db.models import QuerySet

from .models import MatchRound, RoundRanking


def needs_held_open() -> QuerySet:
    """programmes.hooks.needs_held_open: applications close before a match round's ranking ends, so the
    needs of a round still ranking or running stay open until it has run."""
    return RoundRanking.objects.filter(match_round__status__in=MatchRound.IN_PROGRESS_STATUSES).values(
        "application__need_id"
    )
