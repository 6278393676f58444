"""The API tokens section of an organisation's members page (organisations' template loads it: organisations
cannot import the api app)."""

from django import template

from ..forms import ApiTokenForm
from ..selectors import api_token_list

register = template.Library()


@register.inclusion_tag("api/includes/token_section.html", takes_context=True)
def organisation_api_tokens(context, organisation):
    return {
        "organisation": organisation,
        "tokens": api_token_list(organisation=organisation),
        "form": ApiTokenForm(),
        "csrf_token": context.get("csrf_token"),
    }
