from django import template

from programmes.checklist_templates import default_title

register = template.Library()


@register.filter
def checklist_step_title(item: dict) -> str:
    """A step as an e-mail's context lists it: a default step in the reader's language, another as written."""
    return (default_title(item.get("key") or "") if item.get("key") else "") or item.get("title", "")
