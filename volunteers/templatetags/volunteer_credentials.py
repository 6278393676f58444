"""A credential a need requires, named in the reader's language (e-mails keep only its kind)."""

from django import template

from ..models import CREDENTIAL_REQUIREMENT_LABELS, credential_requirement_label

register = template.Library()


@register.filter
def credential_requirement(kind: str) -> str:
    """ "licence" → "licence to practise"; an unknown kind is shown as given."""
    return credential_requirement_label(kind) if kind in CREDENTIAL_REQUIREMENT_LABELS else kind
