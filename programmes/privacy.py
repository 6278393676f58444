"""Programmes, sites and needs hold no one's personal data (globalir.privacy): nothing to export or erase.
The other apps' exports name a need this way."""

from typing import Any

from .models import Need


def need_export_record(need: Need) -> dict[str, Any]:
    """A need in a person's export: loaded with its programme and lead organisation."""
    programme = need.programme
    return {
        "id": need.pk,
        "title": need.title,
        "programme": programme.title,
        "organisation": programme.lead_organisation.name,
    }
