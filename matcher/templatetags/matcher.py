"""The matcher's fragments on the pages of the apps below it: how a need fits the volunteer reading it,
the volunteer's suggested needs and match rounds on their dashboard, the volunteers suggested for a need on
its pipeline board. Each runs the same queries the page ran before it had the matcher's fragment."""

from django import template
from django.utils import timezone

from ..fit import need_fit as need_fit_explained
from ..round_selectors import match_round_volunteers_may_rank, match_rounds_for_volunteer
from ..suggestions import need_eligible_volunteers, need_suggested_volunteers, volunteer_suggestions

register = template.Library()


@register.inclusion_tag("matcher/includes/need_fit.html")
def need_fit(need, profile, accepts_applications):
    """Why the need fits the volunteer, or what they miss (none for a need that takes no applications)."""
    fit = need_fit_explained(profile=profile, need=need) if profile is not None and accepts_applications else None
    return {"fit": fit}


@register.simple_tag
def volunteer_suggested_needs(profile, applied_need_ids) -> list:
    """The best-fitting listed needs the volunteer has not applied to."""
    return volunteer_suggestions(profile=profile, exclude_need_ids=applied_need_ids)


@register.inclusion_tag("matcher/includes/dashboard_suggestions.html")
def dashboard_suggestions(suggestions):
    return {"suggestions": suggestions}


@register.simple_tag
def volunteer_rounds(profile) -> dict:
    """The volunteer's rounds (one query): those they may rank now, and the others."""
    rounds = match_rounds_for_volunteer(profile=profile)
    may_rank = {match_round.pk for match_round in rounds if match_round_volunteers_may_rank(match_round)}
    return {
        "to_rank": [match_round for match_round in rounds if match_round.pk in may_rank],
        "others": [match_round for match_round in rounds if match_round.pk not in may_rank],
    }


@register.inclusion_tag("matcher/includes/rounds_to_rank.html")
def rounds_to_rank(rounds):
    return {"rounds_to_rank": rounds["to_rank"]}


@register.inclusion_tag("matcher/includes/other_rounds.html")
def other_rounds(rounds):
    return {"other_rounds": rounds["others"]}


@register.inclusion_tag("matcher/includes/need_suggestions.html", takes_context=True)
def need_suggestions(context, need):
    """The volunteers who have not applied to the need: the matcher's suggestions, or the eligible
    volunteers while it has none."""
    suggestions = need_suggested_volunteers(need=need)
    eligible = [] if suggestions else need_eligible_volunteers(need=need, today=timezone.localdate())
    return {"need": need, "suggestions": suggestions, "eligible": eligible, "request": context.get("request")}
