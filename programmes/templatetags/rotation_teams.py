"""Teams on rotations on other pages: a programme's teams in the workspace, and the team a need is a slot of."""

from django import template

from ..team_selectors import team_calendar, team_of_need, teams_of_programme

register = template.Library()


@register.inclusion_tag("programmes/teams/includes/programme_teams.html")
def programme_teams(programme):
    """The programme's teams, each with how many of its rotations are ready."""
    teams = [(team, team_calendar(team=team)) for team in teams_of_programme(programme=programme)]
    return {"programme": programme, "teams": teams}


@register.inclusion_tag("programmes/teams/includes/need_team.html")
def need_team(need):
    """A link to the team page when the need is one rotation × role of a team."""
    return {"team": team_of_need(need=need)}
