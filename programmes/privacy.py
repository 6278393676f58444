"""Programmes, sites and needs hold no one's personal data (globalir.privacy), except the supervisor an
elective names: a member of the host organisation, whose erasure waits until another supervisor is named.
The other apps' exports name a need this way."""

from typing import Any

from django.utils.translation import gettext as _

from .electives import Elective
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


def erase_blockers(user) -> list[str]:
    """Students of a need still open or filled count on its supervisor: another must be named first."""
    needs = (
        Elective.objects.filter(supervisor=user)
        .exclude(need__status=Need.Status.CLOSED)
        .order_by("need__title")
        .values_list("need__title", flat=True)
    )
    return [
        _(
            "You supervise the elective “%(need)s”. Ask its coordinators to name another supervisor first, so "
            "that its students are not left without one."
        )
        % {"need": title}
        for title in needs
    ]


def erase(user) -> None:
    """The electives of closed needs that name them as supervisor become ordinary needs (the others block
    the erasure, see erase_blockers)."""
    Elective.objects.filter(supervisor=user, need__status=Need.Status.CLOSED).delete()
