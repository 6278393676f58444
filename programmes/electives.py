"""Electives: needs that place a medical student or a trainee with an on-site supervisor.

An elective is a need with an `Elective` row: it names the supervisor (a member of the host
organisation, the one that manages the host site), asks for a letter from the student's home
institution (a credential of kind "home_letter") and caps how many students the supervisor takes at
a time. The caps and the letter are enforced when offers are made and accepted (placements.electives);
this module holds the model, its reads and the one write that sets or removes it.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from globalir.accounts.models import User
from organisations.models import Membership
from volunteers.models import Profession

from . import services as need_services
from .models import Need, Programme

logger = logging.getLogger(__name__)

# The professions an elective is for.
ELECTIVE_PROFESSIONS = (Profession.STUDENT, Profession.TRAINEE)
DEFAULT_STUDENTS_PER_SUPERVISOR = 2
MAX_STUDENTS_PER_SUPERVISOR = 20


class Elective(models.Model):
    """What makes a need an elective: its on-site supervisor and how many students they take at a time."""

    need = models.OneToOneField(
        Need, verbose_name=_("need"), primary_key=True, on_delete=models.CASCADE, related_name="elective"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on-site supervisor"),
        on_delete=models.PROTECT,
        related_name="electives_supervised",
        help_text=_("A member of the organisation that manages the host site."),
    )
    max_students = models.PositiveSmallIntegerField(
        _("students per supervisor"),
        default=DEFAULT_STUDENTS_PER_SUPERVISOR,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STUDENTS_PER_SUPERVISOR)],
        help_text=_("The most students the supervisor takes at the same time, on all their electives."),
    )

    class Meta:
        verbose_name = _("elective")
        verbose_name_plural = _("electives")
        constraints = [
            models.CheckConstraint(condition=Q(max_students__gte=1), name="elective_at_least_one_student"),
        ]

    def __str__(self):
        return str(self.need)

    def clean(self):
        if not self.need_id:
            return
        need = self.need
        errors = {}
        if need.profession not in ELECTIVE_PROFESSIONS:
            errors["profession"] = _("An elective is for medical students or trainees: choose one of them.")
        if not need.needs_host_site:
            errors["mode"] = _("An elective takes place on site: make the need on-site or hybrid.")
        if self.supervisor_id and not supervisor_candidates(need=need).filter(pk=self.supervisor_id).exists():
            errors["supervisor"] = _("The supervisor must be a member of the organisation that manages the host site.")
        if errors:
            raise ValidationError(errors)


def host_organisation_id(*, need: Need) -> int:
    """The organisation hosting the need: the one that manages its host site, else its programme's lead."""
    if need.host_site_id and need.host_site.organisation_id:
        return need.host_site.organisation_id
    return need.programme.lead_organisation_id


def supervisor_candidates(*, need: Need) -> QuerySet[User]:
    """The active members of the host organisation, who may supervise students on its electives."""
    # Its coordinators: a partner clinician of the organisation supervises nobody through the portal.
    members = Membership.objects.coordinators().filter(organisation_id=host_organisation_id(need=need))
    members = members.values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("first_name", "last_name", "email")


def elective_for(need: Need) -> Elective | None:
    """The need's elective, or None for an ordinary need (uses a select_related("elective") when there is one)."""
    try:
        return need.elective
    except Elective.DoesNotExist:
        return None


def supervisor_label(user: User) -> str:
    return user.get_full_name() or user.email


def need_elective_set(*, need: Need, data: dict[str, Any], by: User) -> Elective | None:
    """Make `need` an elective, change its supervisor or cap, or make it an ordinary need again.

    `data` holds "is_elective", "supervisor" and "max_students" (programmes.elective_forms.ElectiveForm).
    Refused with a ValidationError naming the field when the need cannot be an elective (not for students
    or trainees, not on site) or the supervisor is not a member of the host organisation.
    """
    with transaction.atomic():
        current = Elective.objects.select_for_update().filter(need=need).first()
        if not data.get("is_elective"):
            if current is not None:
                current.delete()
                logger.info("User %s made need %s an ordinary need", by.pk, need.pk)
            return None
        elective = current or Elective(need=need)
        elective.need = need
        elective.supervisor = data.get("supervisor")
        elective.max_students = data.get("max_students") or DEFAULT_STUDENTS_PER_SUPERVISOR
        if elective.supervisor is None:
            raise ValidationError({"supervisor": gettext("Name the student's on-site supervisor.")})
        elective.full_clean()
        elective.save()
    logger.info("User %s set need %s as an elective supervised by user %s", by.pk, need.pk, elective.supervisor_id)
    return elective


def need_save_with_elective(
    *,
    data: dict[str, Any],
    elective_data: dict[str, Any],
    by: User,
    programme: Programme | None = None,
    need: Need | None = None,
) -> Need:
    """Post a need in `programme` (or change `need`) and set whether it is an elective, all or nothing:
    the coordinator's need form, whose elective fields are programmes.elective_forms.ElectiveForm."""
    with transaction.atomic():
        if need is None:
            need = need_services.need_create(programme=programme, data=data, by=by)
        else:
            need = need_services.need_update(need=need, data=data, by=by)
        need_elective_set(need=need, data=elective_data, by=by)
    return need
