"""A full need's waiting list: joining and leaving it (the volunteer), reading it in its order, and offering
a place that reopened to the first on it (the coordinators).

A need is full when every place is offered or taken (application_offer's "no place left"), while it still
runs; a volunteer then joins its list instead of being turned away. The list is ranked by the matcher's
fit score of the need for each volunteer (placements.hooks.need_volunteer_fit_scores), then by who joined
first. Only volunteers who agree to be shown to coordinators are ranked: the others wait, unseen, until
they give their consent again.
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from globalir.accounts.models import User
from organisations.models import Organisation
from programmes.models import Need, Programme
from volunteers.models import VolunteerProfile

from . import hooks
from .models import Application
from .services import application_offer, application_submit
from .waiting_list import WaitingListEntry

logger = logging.getLogger(__name__)


def _need_takes_a_waiting_list(need: Need, *, today: datetime.date) -> bool:
    """Open or filled, listed, and still running: its places may reopen."""
    return Need.objects.filter(
        pk=need.pk,
        status__in=[Need.Status.OPEN, Need.Status.FILLED],
        programme__status=Programme.Status.PUBLISHED,
        programme__lead_organisation__status=Organisation.Status.VERIFIED,
    ).exists() and need.is_running(today)


def need_is_full(*, need: Need) -> bool:
    """Every place of the need is offered or taken (the count application_offer refuses at)."""
    return need.applications.holding().count() >= need.places


# Reads


def waiting_list_ranked(*, need: Need) -> list[WaitingListEntry]:
    """The need's waiting list in its order, each entry with `fit_score` (0–100, rounded; 0 when the matcher
    finds the volunteer not eligible) and `position` (1 first). Volunteers who do not agree to be shown to
    coordinators, whose profile is not complete, or who hold a place on the need already, are left out."""
    holding_a_place = Application.objects.holding().filter(need=OuterRef("need"), volunteer=OuterRef("volunteer"))
    entries = list(
        WaitingListEntry.objects.active()
        .filter(
            need=need,
            volunteer__consent_to_share=True,
            volunteer__onboarding_completed_at__isnull=False,
        )
        .exclude(Exists(holding_a_place))
        .select_related("volunteer")
    )
    scores = hooks.need_volunteer_fit_scores(need=need, profile_ids=[entry.volunteer_id for entry in entries])
    entries.sort(key=lambda entry: (-scores.get(entry.volunteer_id, 0.0), entry.joined_at, entry.pk))
    for position, entry in enumerate(entries, start=1):
        entry.fit_score = round(scores.get(entry.volunteer_id, 0.0))
        entry.position = position
    return entries


@dataclass
class WaitingPosition:
    entry: WaitingListEntry
    position: int | None  # None: not ranked (no consent to be shown)
    total: int  # volunteers ranked on the list


def waiting_list_positions(*, profile: VolunteerProfile) -> list[WaitingPosition]:
    """Where the volunteer stands on each waiting list they are on, the need loaded with its programme."""
    entries = (
        WaitingListEntry.objects.active()
        .filter(volunteer=profile)
        .select_related("need__programme__lead_organisation")
        .order_by("joined_at", "pk")
    )
    positions = []
    for entry in entries:
        ranked = waiting_list_ranked(need=entry.need)
        mine = next((row.position for row in ranked if row.pk == entry.pk), None)
        positions.append(WaitingPosition(entry=entry, position=mine, total=len(ranked)))
    return positions


@dataclass
class NeedWaitingList:
    """What the need's page says of its waiting list to a volunteer."""

    can_join: bool = False
    position: WaitingPosition | None = None
    # Every place is offered or taken: the page offers the list rather than the form.
    full: bool = False


def need_waiting_list_for(
    *,
    need: Need,
    profile: VolunteerProfile | None,
    today: datetime.date | None = None,
    count_places: bool = True,
) -> NeedWaitingList:
    """The volunteer's place on the need's waiting list, or whether they may join it (the need is full and
    they hold no place on it), and whether the need is full (left False without `count_places`, for a need
    that takes no applications, whose page does not ask)."""
    today = today or timezone.localdate()
    if profile is None or profile.onboarding_completed_at is None:
        return NeedWaitingList(full=count_places and need_is_full(need=need))
    # One query, whatever the answer: the need's page keeps to its budget.
    holding = Q(applications__status__in=Application.HOLDING_STATUSES)
    held, mine, entry_pk = (
        Need.objects.filter(pk=need.pk)
        .annotate(
            held=Count("applications", filter=holding),
            mine=Count("applications", filter=holding & Q(applications__volunteer=profile)),
            entry_pk=Subquery(
                WaitingListEntry.objects.active().filter(need=OuterRef("pk"), volunteer=profile).values("pk")[:1]
            ),
        )
        .values_list("held", "mine", "entry_pk")
        .get()
    )
    full = count_places and held >= need.places
    if entry_pk is not None:
        ranked = waiting_list_ranked(need=need)
        entry = next((row for row in ranked if row.pk == entry_pk), None)
        position = entry.position if entry is not None else None
        entry = entry or WaitingListEntry.objects.get(pk=entry_pk)
        return NeedWaitingList(position=WaitingPosition(entry=entry, position=position, total=len(ranked)), full=full)
    if not profile.consent_to_share or need.status not in (Need.Status.OPEN, Need.Status.FILLED):
        return NeedWaitingList(full=full)
    return NeedWaitingList(can_join=not mine and need.is_running(today) and held >= need.places, full=full)


# Writes


def waiting_list_join(
    *, volunteer: VolunteerProfile, need: Need, today: datetime.date | None = None
) -> WaitingListEntry:
    """Put the volunteer on the need's waiting list. Refused with a readable ValidationError when their
    profile is not complete or not shown to coordinators, the need takes no list (closed, its dates or
    deadline passed), a place is still free (they apply instead), they already hold a place on it, or they
    are on its list already (the database constraint backs this up)."""
    today = today or timezone.localdate()
    if volunteer.onboarding_completed_at is None or not volunteer.consent_to_share:
        raise ValidationError(
            _(
                "Coordinators can offer you a place only with your profile complete and your consent to be shown "
                "to them."
            ),
            code="profile_incomplete",
        )
    if not _need_takes_a_waiting_list(need, today=today):
        raise ValidationError(_("This need no longer takes volunteers, not even on its waiting list."), code="closed")
    with transaction.atomic():
        # The need's row, as application_offer locks it: no place can be offered while the count is read.
        need = Need.objects.select_for_update().get(pk=need.pk)
        if not need_is_full(need=need):
            raise ValidationError(_("A place on this need is still free: apply for it instead."), code="place_free")
        if need.applications.holding().filter(volunteer=volunteer).exists():
            raise ValidationError(_("You already hold a place on this need."), code="holding")
        entry = WaitingListEntry(need=need, volunteer=volunteer)
        entry.full_clean()
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError as error:
            raise ValidationError(_("You are already on the waiting list for this need."), code="duplicate") from error
    logger.info("Volunteer profile %s joined the waiting list of need %s", volunteer.pk, need.pk)
    return entry


def waiting_list_leave(*, entry: WaitingListEntry, by: User) -> WaitingListEntry:
    """The volunteer leaves a waiting list they are on."""
    with transaction.atomic():
        entry = WaitingListEntry.objects.select_for_update().select_related("volunteer", "need").get(pk=entry.pk)
        if entry.volunteer.user_id != by.pk:
            raise PermissionDenied(_("Only the volunteer on the list can do this."))
        if not entry.is_active:
            raise ValidationError(_("You are no longer on this waiting list."), code="not_on_list")
        entry.left_at = timezone.now()
        entry.save(update_fields=["left_at"])
    logger.info("User %s left the waiting list of need %s", by.pk, entry.need_id)
    return entry


def waiting_list_offer_first(*, need: Need, by: User) -> Application:
    """Offer a place of the need to the first on its waiting list, who leaves the list.

    Their application to the need is offered the place (application_offer, which refuses when no place is
    left); when they had none, one is made for them first (application_submit) and offered at once. The
    need's row is locked first, as application_offer locks it, so an offer made from the pipeline at the
    same moment gets one place and a clear refusal. Returns the application offered.
    """
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        ranked = waiting_list_ranked(need=need)
        if not ranked:
            raise ValidationError(
                _("Nobody is on the waiting list of “%(need)s”.") % {"need": need.title}, code="empty_list"
            )
        if need_is_full(need=need):
            raise ValidationError(
                _("Every place of “%(need)s” is already offered or taken.") % {"need": need.title},
                code="no_place_left",
            )
        entry = ranked[0]
        application = Application.objects.active().filter(need=need, volunteer=entry.volunteer).first()
        if application is None:
            application = application_submit(
                volunteer=entry.volunteer, need=need, message="", proposed_start=None, proposed_end=None
            )
        # The offer takes them off the list (application_offer).
        application = application_offer(application=application, by=by)
    logger.info(
        "User %s offered need %s to the first on its waiting list (application %s)", by.pk, need.pk, application.pk
    )
    return application
