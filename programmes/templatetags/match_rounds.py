"""{% volunteer_match_rounds profile %}: the "Rank your choices" block of the volunteer's dashboard."""

from django import template

from ..matching.rounds import match_round_volunteers_may_rank, match_rounds_for_volunteer

register = template.Library()


@register.inclusion_tag("programmes/rounds/includes/dashboard_rounds.html")
def volunteer_match_rounds(profile):
    rounds = match_rounds_for_volunteer(profile=profile) if profile is not None else []
    for match_round in rounds:
        match_round.may_rank = match_round_volunteers_may_rank(match_round)
    return {"rounds": rounds}
