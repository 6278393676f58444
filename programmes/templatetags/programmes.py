"""Programmes on the pages of the apps below it: the published programmes on an organisation's page."""

from django import template

from ..selectors import organisation_programme_list

register = template.Library()


@register.inclusion_tag("programmes/includes/organisation_programmes.html")
def organisation_programmes(organisation):
    """The published programmes the organisation leads or partners in, with their open needs (one query)."""
    return {"organisation": organisation, "programmes": organisation_programme_list(organisation=organisation)}
