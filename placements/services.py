"""A volunteer's applications and offers: applying, withdrawing, an offer made, accepted or declined.

Every status change goes through placements.transitions.application_transition; a need's status follows
through programmes.services.need_status_change.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from globalir.accounts.models import User
from globalir.refresh import recommendations_refresh_need_later
from programmes.models import Mode, Need
from programmes.services import NeedChange, need_status_change
from volunteers.models import VolunteerProfile
from volunteers.services import profiles_recommendations_refresh_later

from .checklist_services import placement_checklist_create
from .credential_checks import (
    CredentialRefusal,
    credential_check_accept,
    credential_check_offer,
    notify_credentials_to_renew,
    verified_credentials_for_offers,
)
from .electives import (
    elective_check_application,
    elective_check_offer,
    elective_offer_refusal,
    notify_supervisor_placement_confirmed,
)
from .emails import notify_application_received, notify_offer_answered, notify_offer_made, notify_offers_made
from .models import PLACEMENT_NO_OVERLAP, Application, Placement
from .selectors import onsite_placements_overlapping, placement_dates_for
from .transitions import application_transition
from .waiting_list import WaitingListEntry

logger = logging.getLogger(__name__)


def _ensure_volunteer_owns(application: Application, by: User) -> None:
    if application.volunteer is None or application.volunteer.user_id != by.pk:
        raise PermissionDenied(_("Only the volunteer who applied can do this."))


def application_submit(
    *,
    volunteer: VolunteerProfile,
    need: Need,
    message: str,
    proposed_start: datetime.date | None,
    proposed_end: datetime.date | None,
    today: datetime.date | None = None,
) -> Application:
    """Record a volunteer's interest in a need, with a message and the dates they propose.

    Refused with a readable ValidationError when the profile is not complete, the need no longer
    takes applications, the dates fall outside its window or are shorter than its minimum stay, or
    the volunteer already has an active application for it (the database constraint backs this up).
    """
    today = today or timezone.localdate()
    if volunteer.onboarding_completed_at is None:
        raise ValidationError(
            _("Finish your volunteer profile, including your consent to be shown to coordinators, before applying."),
            code="profile_incomplete",
        )
    if not volunteer.consent_to_share:
        raise ValidationError(
            _(
                "Coordinators cannot consider an application without your consent to be shown to them: give it "
                "again on your profile to apply."
            ),
            code="no_consent",
        )
    if not (Need.objects.listed().filter(pk=need.pk).exists() and need.accepts_applications(today)):
        raise ValidationError(_("This need no longer takes applications."), code="closed")
    elective_check_application(volunteer=volunteer, need=need, today=today)
    if proposed_start and proposed_end and need.needs_host_site:
        proposed_days = (proposed_end - proposed_start).days + 1
        if proposed_days < need.min_duration_days:
            raise ValidationError(
                {
                    "proposed_end": _(
                        "This need asks for a stay of at least %(days)s days; the dates you propose cover %(proposed)s."
                    )
                    % {"days": need.min_duration_days, "proposed": proposed_days}
                },
                code="too_short",
            )
    application = Application(
        need=need,
        volunteer=volunteer,
        message=message.strip(),
        proposed_start=proposed_start,
        proposed_end=proposed_end,
    )
    application.full_clean()  # also checks the one-active-application-per-need constraint
    try:
        with transaction.atomic():
            application.save()
            notify_application_received(application)
    except IntegrityError as error:
        # Two submissions at the same moment: the constraint let only the first in.
        raise ValidationError(_("You already have an active application for this need."), code="duplicate") from error
    logger.info("Volunteer profile %s applied to need %s (application %s)", volunteer.pk, need.pk, application.pk)
    return application


def application_withdraw(*, application: Application, by: User) -> Application:
    """The volunteer withdraws an application that has not been accepted yet."""
    _ensure_volunteer_owns(application, by)
    application = application_transition(
        application=application,
        to=Application.Status.WITHDRAWN,
        by_volunteer=True,
        refusal=_("An application that is %(status)s cannot be withdrawn here; write to the coordinator instead."),
        code="cannot_withdraw",
    )
    logger.info("User %s withdrew application %s", by.pk, application.pk)
    return application


def application_withdraw_for_volunteer(
    *, application: Application, by: User, today: datetime.date | None = None
) -> Application:
    """A site admin withdraws an application for its volunteer (who wrote in), at any point before it is
    completed.

    An accepted one gives up its placement, so that its dates stop holding the volunteer (the
    no-overlap constraint counts every placement row, whatever its application's status): a placement
    not started yet is deleted, one under way ends today. A filled need with a place free again reopens.
    """
    today = today or timezone.localdate()
    before = {}
    with transaction.atomic():
        application = application_transition(
            application=application,
            to=Application.Status.WITHDRAWN,
            refusal=_("An application that is %(status)s cannot be withdrawn."),
            code="cannot_withdraw",
            check=lambda locked: before.update(status=locked.status),
        )
        was_accepted = before["status"] == Application.Status.ACCEPTED
        placement = Placement.objects.filter(application=application).first() if was_accepted else None
        if placement is not None and placement.start_date > today:
            placement.delete()
        elif placement is not None and placement.end_date > today:
            placement.end_date = today
            placement.save(update_fields=["end_date"])
        if was_accepted:
            need_status_change(needs=[application.need], change=NeedChange.FREE_PLACES, today=today)
    logger.info("User %s withdrew application %s for its volunteer", by.pk, application.pk)
    return application


class OfferDeclineReason(models.TextChoices):
    """Why a volunteer declines an offer, told to its coordinators. A choice rather than free text: the
    reason stays on the application (and its audit trail) after an account is erased, and must not
    name anybody."""

    DATES = "dates", _("The dates no longer suit me")
    OTHER_PLACEMENT = "other_placement", _("I have taken another placement")
    CIRCUMSTANCES = "circumstances", _("My circumstances have changed")
    NOT_A_FIT = "not_a_fit", _("The need is not what I expected")


def offer_decline(*, application: Application, by: User, reason: str = "") -> Application:
    """The volunteer declines an offer: the place goes back to the coordinator, who is told the
    reason when the volunteer gave one (an OfferDeclineReason value; blank for none)."""
    _ensure_volunteer_owns(application, by)
    if reason and reason not in OfferDeclineReason.values:
        raise ValidationError({"reason": _("Choose one of the reasons, or none.")}, code="unknown_reason")
    decline_reason = (
        _("Declined by the volunteer: “%(reason)s”.") % {"reason": OfferDeclineReason(reason).label}
        if reason
        else _("Declined by the volunteer.")
    )
    with transaction.atomic():
        application = application_transition(
            application=application,
            to=Application.Status.DECLINED,
            by_volunteer=True,
            refusal=_("There is no offer to decline on this application."),
            code="no_offer",
            fields={"decline_reason": decline_reason},
        )
        notify_offer_answered(
            application, kind="offer_declined", reason=str(OfferDeclineReason(reason).label) if reason else ""
        )
    logger.info("User %s declined the offer of application %s", by.pk, application.pk)
    return application


def application_offer(*, application: Application, by: User) -> Application:
    """Offer a place to an interested or shortlisted applicant.

    The need's row is locked first, so that two coordinators offering its last place at the same
    moment get one offer and one clear refusal: offers still open and accepted places together
    never exceed the need's places. A volunteer offered a place leaves the need's waiting list.

    Every credential the need requires must be verified and valid through the placement's end
    (placements.credential_checks): otherwise the offer is refused, naming the credential and its
    expiry, and the volunteer is e-mailed what to renew. An overlap with a placement the volunteer
    already accepted does not refuse the offer (credential_checks.offer_overlap_warning tells the
    coordinator); the acceptance would be refused.
    """
    refusal = _("An application that is %(status)s cannot receive an offer.")

    def place_left(application: Application) -> None:
        if application.volunteer_id is None:
            raise ValidationError(refusal % {"status": application.get_status_display().lower()}, code="cannot_offer")
        if need.status != Need.Status.OPEN:
            raise ValidationError(_("“%(need)s” is not open any more.") % {"need": need.title}, code="need_not_open")
        if need.applications.holding().count() >= need.places:
            raise ValidationError(
                _("Every place of “%(need)s” is already offered or taken.") % {"need": need.title},
                code="no_place_left",
            )
        elective_check_offer(application=application)
        credential_check_offer(application=application)

    try:
        with transaction.atomic():
            need = Need.objects.select_for_update().get(pk=application.need_id)
            application = application_transition(
                application=application,
                to=Application.Status.OFFERED,
                refusal=refusal,
                code="cannot_offer",
                check=place_left,
            )
            waiting = WaitingListEntry.objects.active().filter(need_id=need.pk, volunteer_id=application.volunteer_id)
            waiting.update(offered_at=application.offered_at, application=application)
            notify_offer_made(application)
    except CredentialRefusal as error:
        # Told after the refused offer's transaction is rolled back, in a transaction of its own.
        with transaction.atomic():
            notify_credentials_to_renew(application=application, shortfalls=error.shortfalls)
        raise
    logger.info("User %s offered a place to application %s", by.pk, application.pk)
    return application


def applications_offer_in_bulk(*, applications: list[Application], by: User) -> list[Application]:
    """Offer a place to each of these interested or shortlisted applicants at once (a match round's
    offers), with the rules of `application_offer` and a fixed number of queries however many there are
    (the volunteers' credentials are read once for all of them; only the elective checks, which look at the
    supervisor's other students, cost a few queries per elective).

    The needs' rows are locked first, in id order as `application_offer` locks them, then the applications.
    Offers are checked in the order given, each counting those before it (places left, a supervisor's cap),
    and the first refused stops everything: nothing is written and its ValidationError is raised, in the
    words `application_offer` uses. The status changes are one update, their history rows one insert and
    the e-mails one batch (`notify_offers_made`).
    """
    if not applications:
        return []
    refusal = _("An application that is %(status)s cannot receive an offer.")
    with transaction.atomic():
        needs = {
            need.pk: need
            for need in Need.objects.select_for_update(of=("self",))
            .filter(pk__in={a.need_id for a in applications})
            .select_related("programme__lead_organisation", "elective")
            .order_by("pk")
        }
        locked = {
            application.pk: application
            for application in Application.objects.select_for_update(of=("self",))
            .filter(pk__in=[a.pk for a in applications])
            .select_related("volunteer__user")
            .order_by("pk")
        }
        holding = dict(
            Application.objects.filter(need_id__in=needs, status__in=Application.HOLDING_STATUSES)
            .order_by()
            .values("need_id")
            .annotate(count=models.Count("pk"))
            .values_list("need_id", "count")
        )
        for application in locked.values():
            application.need = needs[application.need_id]
        # Every volunteer's verified credentials in one read, for the needs that require some.
        credentials = verified_credentials_for_offers(locked.values())
        offered: list[Application] = []
        for given in applications:
            application = locked[given.pk]
            need = application.need
            if application.volunteer_id is None or not application.can_become(Application.Status.OFFERED):
                raise ValidationError(
                    refusal % {"status": application.get_status_display().lower()}, code="cannot_offer"
                )
            if need.status != Need.Status.OPEN:
                raise ValidationError(
                    _("“%(need)s” is not open any more.") % {"need": need.title}, code="need_not_open"
                )
            if holding.get(need.pk, 0) >= need.places:
                raise ValidationError(
                    _("Every place of “%(need)s” is already offered or taken.") % {"need": need.title},
                    code="no_place_left",
                )
            # Only a student or an elective has a rule to check; an ordinary pair is decided in memory.
            refused = elective_offer_refusal(application=application, also_offered=offered)
            if refused is not None:
                raise refused
            credential_check_offer(application=application, credentials=credentials.get(application.volunteer_id, []))
            holding[need.pk] = holding.get(need.pk, 0) + 1
            offered.append(application)
        # Only the status and its time change, to a move the transition rule allows: the rest of each row
        # is as it was validated when it was saved, so the rows are updated together without full_clean.
        now = timezone.now()
        Application.objects.filter(pk__in=[a.pk for a in offered]).update(
            status=Application.Status.OFFERED, offered_at=now, updated_at=now
        )
        for application in offered:
            application.status, application.offered_at, application.updated_at = Application.Status.OFFERED, now, now
        Application.history.bulk_history_create(offered, update=True, default_user=by if by.is_authenticated else None)
        _waiting_lists_leave_on_offer(offered)
        notify_offers_made(offered)
    logger.info("User %s offered a place to %s applications at once", by.pk, len(offered))
    return offered


def _waiting_lists_leave_on_offer(offered: list[Application]) -> None:
    """Volunteers offered a place leave that need's waiting list (one read; a write only for those on it)."""
    by_pair = {(a.need_id, a.volunteer_id): a for a in offered}
    waiting = WaitingListEntry.objects.active().filter(
        need_id__in={need_id for need_id, _volunteer in by_pair}, volunteer_id__in={v for _need, v in by_pair}
    )
    for entry in waiting:
        application = by_pair.get((entry.need_id, entry.volunteer_id))
        if application is not None:
            WaitingListEntry.objects.filter(pk=entry.pk).update(
                offered_at=application.offered_at, application=application
            )


def _overlap_refusal(*, start: datetime.date, end: datetime.date, clash: Placement | None) -> ValidationError:
    """The refusal of an on-site offer whose dates clash with a placement the volunteer already has."""
    if clash is None:
        message = _(
            "You cannot accept this offer: from %(start)s to %(end)s you are already on site elsewhere. Decline "
            "one of the two, or ask the coordinator to change the dates."
        ) % {"start": date_format(start), "end": date_format(end)}
    else:
        message = _(
            "You cannot accept this offer: from %(start)s to %(end)s you are already on site for "
            "“%(other)s” (%(other_start)s to %(other_end)s). Decline one of the two, or ask the "
            "coordinator to change the dates."
        ) % {
            "start": date_format(start),
            "end": date_format(end),
            "other": clash.need.title,
            "other_start": date_format(clash.start_date),
            "other_end": date_format(clash.end_date),
        }
    return ValidationError(message, code="overlap")


def offer_accept(*, application: Application, by: User) -> Placement:
    """The volunteer accepts an offer: the application becomes accepted and a placement is created.

    An on-site offer whose dates overlap an on-site placement the volunteer already accepted is
    refused, and so is one whose need requires a credential the volunteer no longer has verified
    through the placement's end (it expired, was rejected or replaced since the offer). The volunteer's
    row is locked first, so two accepts sent at the same moment are
    checked one after the other and cannot both win. On PostgreSQL an exclusion constraint backs
    the lock (Placement.Meta): a placement written meanwhile by a path that does not take the lock
    (the admin, a bulk insert) makes the insert fail, and that failure is the same refusal. When
    the need's last place is taken, the need becomes filled.
    """
    _ensure_volunteer_owns(application, by)
    with transaction.atomic():
        # FOR NO KEY UPDATE: it serialises accepts (and erasure) but not rows that merely reference the
        # profile. A plain FOR UPDATE deadlocks with a placement written meanwhile by another path, whose
        # (deferred) foreign-key check at commit waits for this lock while this insert waits for that commit.
        VolunteerProfile.objects.select_for_update(no_key=True).get(pk=application.volunteer_id)

        def no_clash(application: Application) -> None:
            start, end = placement_dates_for(application)
            if application.need.needs_host_site:
                clash = (
                    onsite_placements_overlapping(volunteer=application.volunteer, start=start, end=end)
                    .select_related("need")
                    .first()
                )
                if clash is not None:
                    raise _overlap_refusal(start=start, end=end, clash=clash)
            elective_check_offer(application=application, accepting=True)
            credential_check_accept(application=application)

        application = application_transition(
            application=application,
            to=Application.Status.ACCEPTED,
            by_volunteer=True,
            refusal=_("There is no offer to accept on this application."),
            code="no_offer",
            check=no_clash,
        )
        need = application.need
        start, end = placement_dates_for(application)
        placement = Placement(
            application=application,
            need=need,
            volunteer=application.volunteer,
            mode=need.mode,
            start_date=start,
            end_date=end,
            hours_per_week=need.hours_per_week if need.mode != Mode.ONSITE else 0,
        )
        # The exclusion constraint is left to the insert below, which also sees rows not committed yet.
        placement.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                placement.save()
        except IntegrityError as error:
            if PLACEMENT_NO_OVERLAP not in str(error):
                raise
            # Name the clash: the row that won is committed by now (the insert waited for it).
            clash = (
                Placement.objects.filter(
                    volunteer_id=application.volunteer_id,
                    mode__in=[Mode.ONSITE, Mode.HYBRID],
                    completed_at__isnull=True,
                    start_date__lte=end,
                    end_date__gte=start,
                )
                .select_related("need")
                .first()
            )
            raise _overlap_refusal(start=start, end=end, clash=clash) from error
        placement_checklist_create(placement=placement)
        need_status_change(needs=[need], change=NeedChange.FILL)
        notify_offer_answered(application, kind="offer_accepted")
        notify_supervisor_placement_confirmed(application)
        # The placement keeps the volunteer busy on site and counts as engagement; the need may be full.
        profiles_recommendations_refresh_later({application.volunteer_id})
        recommendations_refresh_need_later(need_id=need.pk)
    logger.info("User %s accepted the offer of application %s", by.pk, application.pk)
    return placement
