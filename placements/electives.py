"""The rules of electives in the pipeline, and the e-mail to the supervisor.

- A medical student cannot apply to, nor be offered, an on-site (or hybrid) need that asks for a
  verified credential (a licence to practise) unless the need is an elective.
- An elective asks for a letter from the student's home institution: on file (not rejected, not expired)
  to apply, verified to be offered.
- An elective's supervisor takes at most `Elective.max_students` students at a time, counted over all
  the electives they supervise: offers waiting for an answer and accepted placements whose dates overlap.
  Checked when an offer is made and again when it is accepted.

placements.services calls these checks inside its locked sections; each raises a ValidationError a
coordinator or a student can read. A match round asks `elective_offer_refusal` first, to leave out the
pairs it could not offer.
"""

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.services import absolute_url, notify
from programmes.electives import Elective, elective_for
from programmes.models import Need
from volunteers.models import Credential, Profession, VolunteerProfile

from .emails import application_volunteer_label
from .models import Application
from .selectors import placement_dates_for

logger = logging.getLogger(__name__)


def needs_licence_student_cannot_hold(*, volunteer: VolunteerProfile, need: Need) -> bool:
    """A medical student facing a non-elective on-site clinical need that asks for a licence."""
    return (
        volunteer.profession == Profession.STUDENT
        and need.needs_host_site
        and need.requires_verified_credential
        and elective_for(need) is None
    )


def _licence_refusal(need: Need) -> ValidationError:
    return ValidationError(
        _(
            "“%(need)s” is clinical work on site that asks for a licence to practise: medical students can "
            "take part through electives only."
        )
        % {"need": need.title},
        code="student_needs_licence",
    )


def home_letters(volunteer: VolunteerProfile, *, on: datetime.date):
    """The volunteer's letters from their home institution not rejected and not expired on `on`."""
    return (
        Credential.objects.filter(profile=volunteer, kind=Credential.Kind.HOME_LETTER)
        .exclude(status=Credential.Status.REJECTED)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
    )


def elective_check_application(*, volunteer: VolunteerProfile, need: Need, today: datetime.date) -> None:
    """What a student must meet to apply to `need` (placements.services.application_submit)."""
    if needs_licence_student_cannot_hold(volunteer=volunteer, need=need):
        raise _licence_refusal(need)
    if elective_for(need) is not None and not home_letters(volunteer, on=today).exists():
        raise ValidationError(
            _(
                "This elective asks for a letter from your home institution. Add it to your credentials "
                "(kind: “%(kind)s”), then apply."
            )
            % {"kind": Credential.Kind.HOME_LETTER.label},
            code="home_letter_missing",
        )


def _supervised_by(application: Application, elective: Elective, exclude_pk: int) -> bool:
    other = elective_for(application.need)
    return application.pk != exclude_pk and other is not None and other.supervisor_id == elective.supervisor_id


def _supervisor_load(
    *,
    elective: Elective,
    start: datetime.date,
    end: datetime.date,
    exclude_pk: int,
    accepted_only: bool,
    also_offered: Iterable[Application] = (),
    lock: bool = True,
) -> int:
    """How many students the elective's supervisor has from `start` to `end`: offers waiting (unless
    `accepted_only`: the first student to accept takes the place) and accepted placements, on any
    elective they supervise, whose dates share a day with those. `also_offered` counts as offers waiting
    (a match round's offers not made yet)."""
    if lock:
        # The supervisor's electives are locked, in id order, so that two offers or acceptances for the
        # same supervisor (on different needs) are counted one after the other.
        list(Elective.objects.select_for_update().filter(supervisor_id=elective.supervisor_id).order_by("pk"))
    holding = (
        Application.objects.filter(
            need__elective__supervisor_id=elective.supervisor_id,
            status__in=[Application.Status.ACCEPTED]
            if accepted_only
            else [Application.Status.OFFERED, Application.Status.ACCEPTED],
        )
        .exclude(pk=exclude_pk)
        .select_related("need", "placement")
    )
    if not accepted_only:
        holding = [*holding, *(other for other in also_offered if _supervised_by(other, elective, exclude_pk))]
    students = set()
    for other in holding:
        placement = getattr(other, "placement", None)
        other_start, other_end = (
            (placement.start_date, placement.end_date) if placement is not None else placement_dates_for(other)
        )
        if other_start <= end and other_end >= start:
            students.add(other.volunteer_id)
    return len(students)


def elective_check_offer(*, application: Application, accepting: bool = False) -> None:
    """What an offer (or its acceptance, when `accepting`) must meet: the licence rule, the student's
    verified home letter and the supervisor's cap. Runs on the locked application."""
    refusal = elective_offer_refusal(application=application, accepting=accepting)
    if refusal is not None:
        raise refusal


def elective_offer_refusal(
    *,
    application: Application,
    accepting: bool = False,
    also_offered: Iterable[Application] = (),
    lock: bool = True,
) -> ValidationError | None:
    """Why `application` may not be offered (or accepted, when `accepting`), or None when it may: the
    licence rule, the student's verified home letter and the supervisor's cap, counting `also_offered` as
    offers already made. Without `lock` nothing is locked (a match round's preview)."""
    need = application.need
    volunteer = application.volunteer
    if volunteer is None:
        return None
    if needs_licence_student_cannot_hold(volunteer=volunteer, need=need):
        return _licence_refusal(need)
    elective = elective_for(need)
    if elective is None:
        return None
    start, end = placement_dates_for(application)
    if not accepting and not home_letters(volunteer, on=start).filter(status=Credential.Status.VERIFIED).exists():
        return ValidationError(
            _(
                "The student has no verified letter from their home institution yet: an elective cannot be "
                "offered without it."
            ),
            code="home_letter_unverified",
        )
    load = _supervisor_load(
        elective=elective,
        start=start,
        end=end,
        exclude_pk=application.pk,
        accepted_only=accepting,
        also_offered=also_offered,
        lock=lock,
    )
    if load >= elective.max_students:
        message = ngettext(
            "The supervisor of “%(need)s” already has %(load)s student from %(start)s to %(end)s, their "
            "limit of %(max)s: decline an offer first, or ask the coordinators to change the dates.",
            "The supervisor of “%(need)s” already has %(load)s students from %(start)s to %(end)s, their "
            "limit of %(max)s: decline an offer first, or ask the coordinators to change the dates.",
            load,
        ) % {
            "need": need.title,
            "load": load,
            "max": elective.max_students,
            "start": date_format(start),
            "end": date_format(end),
        }
        return ValidationError(message, code="supervisor_full")
    return None


def notify_supervisor_placement_confirmed(application: Application) -> None:
    """Tell the elective's supervisor that a student's placement is confirmed (the student accepted)."""
    elective = elective_for(application.need)
    if elective is None or application.volunteer is None or not elective.supervisor.is_active:
        return
    start, end = placement_dates_for(application)
    need = application.need
    notify(
        kind="elective_confirmed",
        event_key=f"elective-confirmed:{application.pk}:{elective.supervisor_id}",
        recipient=elective.supervisor,
        context={
            "need_title": need.title,
            "site_name": need.host_site.name if need.host_site_id else "",
            "student_name": application_volunteer_label(application),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "students_url": absolute_url(reverse("placements:elective-students")),
        },
    )
    logger.info("Told supervisor %s of application %s", elective.supervisor_id, application.pk)


def electives_supervised_by(*, user) -> list[Elective]:
    """The electives `user` supervises that are not closed, each with `.students`: its applications offered,
    accepted or completed, with the student as coordinators see them named (`.student_label`) and their dates."""
    electives = list(
        Elective.objects.filter(supervisor=user)
        .exclude(need__status=Need.Status.CLOSED)
        .select_related("need__programme", "need__host_site")
        .order_by("need__window_start", "need__pk")
    )
    applications = (
        Application.objects.filter(need__in=[elective.need for elective in electives])
        .filter(status__in=Application.HOLDING_STATUSES)
        .select_related("need", "volunteer__user", "placement")
        .order_by("proposed_start", "pk")
    )
    by_need: dict[int, list[Application]] = {}
    for application in applications:
        application.student_label = application_volunteer_label(application)
        placement = getattr(application, "placement", None)
        application.dates = (
            (placement.start_date, placement.end_date) if placement is not None else placement_dates_for(application)
        )
        by_need.setdefault(application.need_id, []).append(application)
    for elective in electives:
        elective.students = by_need.get(elective.need_id, [])
    return electives
