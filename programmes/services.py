"""Writes that matter for programmes, sites, needs, applications and placements."""

import datetime
import logging
from collections.abc import Callable, Iterable

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from globalir.accounts.audit import audit_events_erase
from globalir.accounts.models import User
from globalir.accounts.services import admin_log_erase, sessions_end, user_session_keys
from globalir.outbox.services import tasks_cancel_for_user
from matcher.models import Recommendation
from notifications.selectors import user_ids_with_preference
from notifications.services import (
    absolute_url,
    notifications_context_scrub,
    notifications_erase_for_addresses,
    notify,
)
from organisations.models import Invitation, Membership, Organisation
from organisations.selectors import organisation_coordinators
from placements.models import PLACEMENT_NO_OVERLAP, Application, Feedback, Placement
from volunteers.models import Credential, VolunteerProfile
from volunteers.selectors import volunteer_label

from . import fit
from .matching.service import (
    recommendations_refresh_need_later,
    recommendations_refresh_needs_later,
    recommendations_refresh_volunteer_later,
)
from .models import Mode, Need, Programme
from .selectors import ERASE_WITHDRAWS, account_erase_blockers, need_accepts_applications, need_listed_queryset

logger = logging.getLogger(__name__)


def needs_close_expired(*, today: datetime.date | None = None) -> int:
    """Close open needs whose window has ended or whose application deadline has passed.

    Returns how many needs were closed. Running it twice closes nothing the second time.
    """
    today = today or timezone.localdate()
    expired = (
        Need.objects.open()
        .filter(Q(window_end__lt=today) | Q(application_deadline__lt=today))
        # Applications close before a match round's ranking ends: its needs stay open until it has run.
        .exclude(applications__round_rankings__match_round__status__in=["open", "running"])
    )
    now = timezone.now()
    with transaction.atomic():
        pks = list(expired.values_list("pk", flat=True))
        closed = Need.objects.open().filter(pk__in=pks).update(status=Need.Status.CLOSED, updated_at=now)
        # update() bypasses django-simple-history: the closures go into the needs' audit trail here,
        # once each, made by no one (the nightly job).
        Need.history.bulk_history_create(
            Need.objects.filter(pk__in=pks, status=Need.Status.CLOSED, updated_at=now),
            update=True,
            default_date=now,
            default_change_reason="window or application deadline passed",
        )
    return closed


# Curation by site admins (the Django admin's bulk actions call these).


def programmes_publish(*, programmes: Iterable[Programme], by: User) -> list[Programme]:
    """Publish programmes (draft or closed) so that their open needs can be listed. Returns those that changed."""
    return _programmes_set_status(programmes=programmes, status=Programme.Status.PUBLISHED, by=by)


def programmes_close(*, programmes: Iterable[Programme], by: User) -> list[Programme]:
    """Close programmes: their needs leave the public listings. Returns those that changed."""
    return _programmes_set_status(programmes=programmes, status=Programme.Status.CLOSED, by=by)


def _programmes_set_status(*, programmes: Iterable[Programme], status: str, by: User) -> list[Programme]:
    pks = [programme.pk for programme in programmes]
    changed = []
    with transaction.atomic():
        for programme in Programme.objects.select_for_update().filter(pk__in=pks).exclude(status=status).order_by("pk"):
            programme.status = status
            programme.full_clean()
            programme.save(update_fields=["status", "updated_at"])
            changed.append(programme)
        if changed:
            recommendations_refresh_needs_later(
                need_ids=Need.objects.filter(programme__in=changed).values_list("pk", flat=True)
            )
    if changed:
        logger.info("User %s set programmes %s to %s", by.pk, [programme.pk for programme in changed], status)
    return changed


def needs_close(*, needs: Iterable[Need], by: User) -> list[Need]:
    """Close needs (open or filled) to new applications. Returns the needs that changed."""
    pks = [need.pk for need in needs]
    changed = []
    with transaction.atomic():
        closing = Need.objects.select_for_update().filter(pk__in=pks).exclude(status=Need.Status.CLOSED)
        for need in closing.order_by("pk"):
            need.status = Need.Status.CLOSED
            need.full_clean()
            need.save(update_fields=["status", "updated_at"])
            changed.append(need)
        recommendations_refresh_needs_later(need_ids=[need.pk for need in changed])
    if changed:
        logger.info("User %s closed needs %s", by.pk, [need.pk for need in changed])
    return changed


def needs_reopen(*, needs: Iterable[Need], by: User, today: datetime.date | None = None) -> list[Need]:
    """Open closed or filled needs to applications again. Returns the needs that changed.

    A need whose date window has ended or whose application deadline has passed cannot reopen
    (the nightly task would close it again): if any given need is such, nothing is reopened and
    the ValidationError says which need and why.
    """
    today = today or timezone.localdate()
    pks = [need.pk for need in needs]
    with transaction.atomic():
        reopening = list(
            Need.objects.select_for_update().filter(pk__in=pks).exclude(status=Need.Status.OPEN).order_by("pk")
        )
        problems = []
        for need in reopening:
            need.status = Need.Status.OPEN
            need.filled_at = None
            try:
                need.full_clean()
                if need.application_deadline and need.application_deadline < today:
                    raise ValidationError(_("Its application deadline has passed; set a later one first."))
            except ValidationError as error:
                problems.append(f"{need.title}: {' '.join(error.messages)}")
        if problems:
            raise ValidationError(
                _("Nothing was reopened. %(problems)s"), code="cannot_reopen", params={"problems": " ".join(problems)}
            )
        for need in reopening:
            need.save(update_fields=["status", "filled_at", "updated_at"])
        recommendations_refresh_needs_later(need_ids=[need.pk for need in reopening])
    if reopening:
        logger.info("User %s reopened needs %s", by.pk, [need.pk for need in reopening])
    return reopening


# A volunteer's applications and offers.


def _application_move(application: Application, status: str) -> None:
    """Set the new status and the time it was reached; the caller saves."""
    application.status = status
    setattr(application, Application.STATUS_TIMESTAMPS[status], timezone.now())


def _application_save(application: Application, status: str, *extra_fields: str) -> None:
    application.full_clean()
    application.save(update_fields=["status", Application.STATUS_TIMESTAMPS[status], "updated_at", *extra_fields])


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
    if not (Need.objects.listed().filter(pk=need.pk).exists() and need_accepts_applications(need=need, today=today)):
        raise ValidationError(_("This need no longer takes applications."), code="closed")
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
            _notify_application_received(application)
    except IntegrityError as error:
        # Two submissions at the same moment: the constraint let only the first in.
        raise ValidationError(_("You already have an active application for this need."), code="duplicate") from error
    logger.info("Volunteer profile %s applied to need %s (application %s)", volunteer.pk, need.pk, application.pk)
    return application


def application_withdraw(*, application: Application, by: User) -> Application:
    """The volunteer withdraws an application that has not been accepted yet."""
    _ensure_volunteer_owns(application, by)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in (
            Application.Status.INTERESTED,
            Application.Status.SHORTLISTED,
            Application.Status.OFFERED,
        ):
            raise ValidationError(
                _("An application that is %(status)s cannot be withdrawn here; write to the coordinator instead.")
                % {"status": application.get_status_display().lower()},
                code="cannot_withdraw",
            )
        _application_move(application, Application.Status.WITHDRAWN)
        _application_save(application, Application.Status.WITHDRAWN)
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
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.can_become(Application.Status.WITHDRAWN):
            raise ValidationError(
                _("An application that is %(status)s cannot be withdrawn.")
                % {"status": application.get_status_display().lower()},
                code="cannot_withdraw",
            )
        was_accepted = application.status == Application.Status.ACCEPTED
        _application_move(application, Application.Status.WITHDRAWN)
        _application_save(application, Application.Status.WITHDRAWN)
        placement = Placement.objects.filter(application=application).first() if was_accepted else None
        if placement is not None and placement.start_date > today:
            placement.delete()
        elif placement is not None and placement.end_date > today:
            placement.end_date = today
            placement.save(update_fields=["end_date"])
        if was_accepted:
            _needs_reopen_if_places_free(need_ids={application.need_id}, today=today)
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
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != Application.Status.OFFERED:
            raise ValidationError(_("There is no offer to decline on this application."), code="no_offer")
        _application_move(application, Application.Status.DECLINED)
        application.decline_reason = (
            _("Declined by the volunteer: “%(reason)s”.") % {"reason": OfferDeclineReason(reason).label}
            if reason
            else _("Declined by the volunteer.")
        )
        _application_save(application, Application.Status.DECLINED, "decline_reason")
        _notify_offer_answered(
            application, kind="offer_declined", reason=str(OfferDeclineReason(reason).label) if reason else ""
        )
    logger.info("User %s declined the offer of application %s", by.pk, application.pk)
    return application


def application_offer(*, application: Application, by: User) -> Application:
    """Offer a place to an interested or shortlisted applicant.

    The need's row is locked first, so that two coordinators offering its last place at the same
    moment get one offer and one clear refusal: offers still open and accepted places together
    never exceed the need's places.
    """
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=application.need_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.can_become(Application.Status.OFFERED) or application.volunteer_id is None:
            raise ValidationError(
                _("An application that is %(status)s cannot receive an offer.")
                % {"status": application.get_status_display().lower()},
                code="cannot_offer",
            )
        if need.status != Need.Status.OPEN:
            raise ValidationError(_("“%(need)s” is not open any more.") % {"need": need.title}, code="need_not_open")
        taken = need.applications.filter(
            status__in=[Application.Status.OFFERED, Application.Status.ACCEPTED, Application.Status.COMPLETED]
        ).count()
        if taken >= need.places:
            raise ValidationError(
                _("Every place of “%(need)s” is already offered or taken.") % {"need": need.title},
                code="no_place_left",
            )
        _application_move(application, Application.Status.OFFERED)
        _application_save(application, Application.Status.OFFERED)
        _notify_offer_made(application)
    logger.info("User %s offered a place to application %s", by.pk, application.pk)
    return application


def placement_dates_for(application: Application) -> tuple[datetime.date, datetime.date]:
    """The dates a placement will have: those the volunteer proposed, else the need's window."""
    need = application.need
    return application.proposed_start or need.window_start, application.proposed_end or need.window_end


def onsite_placements_overlapping(
    *, volunteer: VolunteerProfile, start: datetime.date, end: datetime.date
) -> QuerySet[Placement]:
    """The volunteer's accepted on-site (or hybrid) placements that share a day with start–end."""
    return Placement.objects.filter(
        volunteer=volunteer,
        application__status=Application.Status.ACCEPTED,
        mode__in=[Mode.ONSITE, Mode.HYBRID],
        start_date__lte=end,
        end_date__gte=start,
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
    refused. The volunteer's row is locked first, so two accepts sent at the same moment are
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
        application = Application.objects.select_for_update().select_related("need").get(pk=application.pk)
        need = application.need
        if application.status != Application.Status.OFFERED:
            raise ValidationError(_("There is no offer to accept on this application."), code="no_offer")
        start, end = placement_dates_for(application)
        if need.needs_host_site:
            clash = (
                onsite_placements_overlapping(volunteer=application.volunteer, start=start, end=end)
                .select_related("need")
                .first()
            )
            if clash is not None:
                raise _overlap_refusal(start=start, end=end, clash=clash)
        _application_move(application, Application.Status.ACCEPTED)
        _application_save(application, Application.Status.ACCEPTED)
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
        _need_fill_if_full(need)
        _notify_offer_answered(application, kind="offer_accepted")
        # The placement keeps the volunteer busy on site and counts as engagement; the need may be full.
        recommendations_refresh_volunteer_later(volunteer_id=application.volunteer_id)
        recommendations_refresh_need_later(need_id=need.pk)
    logger.info("User %s accepted the offer of application %s", by.pk, application.pk)
    return placement


def _need_fill_if_full(need: Need) -> None:
    need = Need.objects.select_for_update().get(pk=need.pk)
    taken = need.applications.filter(status__in=[Application.Status.ACCEPTED, Application.Status.COMPLETED]).count()
    if need.status == Need.Status.OPEN and taken >= need.places:
        need.status = Need.Status.FILLED
        need.filled_at = timezone.now()
        need.save(update_fields=["status", "filled_at", "updated_at"])


def _needs_reopen_if_places_free(*, need_ids: set[int], today: datetime.date | None = None) -> None:
    """Filled needs that have a place free again (a volunteer gave it up) reopen, unless their window
    or application deadline has passed, the rule ``coordination.need_update`` follows too."""
    today = today or timezone.localdate()
    reopened = []
    for need in Need.objects.select_for_update().filter(pk__in=need_ids, status=Need.Status.FILLED).order_by("pk"):
        taken = need.applications.filter(status__in=[Application.Status.ACCEPTED, Application.Status.COMPLETED]).count()
        still_running = need.window_end >= today and not (
            need.application_deadline and need.application_deadline < today
        )
        if taken < need.places and still_running:
            need.status = Need.Status.OPEN
            need.filled_at = None
            need.save(update_fields=["status", "filled_at", "updated_at"])
            reopened.append(need.pk)
    recommendations_refresh_needs_later(need_ids=reopened)


# Erasing a volunteer's account (the right to erasure; views.privacy).


def account_erase(*, user: User) -> None:
    """Erase the user's account and everything personal GlobalIR holds about them.

    Applications still in progress (interested, shortlisted, offered) are withdrawn first, so that
    coordinators are not left with candidates who no longer exist, and so are accepted placements
    that have not started: a filled need whose place is free again reopens. Then the credentials go
    (their documents are deleted from storage once the erasure is committed), the languages,
    availability and profile, the e-mail addresses, the e-mails and invitations sent to them, the
    admin's log about them and the account itself; every session signed in as them ends once the
    erasure is committed. Applications and placements stay for the organisations' reports,
    anonymised: the volunteer is set to NULL (the foreign keys are SET_NULL) and every text about them
    is blanked (their messages, the coordinators' notes, reasons for declining, feedback comments both
    ways); feedback keeps its ratings. Placements under way or completed keep their status.

    Refused with a ValidationError when the account cannot go yet (a site admin, or the only admin
    of an organisation): see `selectors.account_erase_blockers`.
    """
    user_pk = user.pk
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_pk)
        blockers = account_erase_blockers(user=user)
        if blockers:
            raise ValidationError(blockers, code="cannot_erase")
        # The lock offer_accept takes too: no offer can be accepted while the profile is being erased.
        profile = VolunteerProfile.objects.select_for_update().filter(user=user).first()
        withdrawn = documents = 0
        if profile is not None:
            now = timezone.now()
            mine = Application.objects.filter(volunteer=profile)
            # Placements not started yet are given up with the account, so that the place can go to someone else.
            withdrawing = mine.filter(
                Q(status__in=ERASE_WITHDRAWS)
                | Q(status=Application.Status.ACCEPTED, placement__start_date__gt=timezone.localdate())
            )
            releasing = list(withdrawing.values_list("pk", "need_id"))
            withdrawn = Application.objects.filter(pk__in=[pk for pk, _need in releasing]).update(
                status=Application.Status.WITHDRAWN, withdrawn_at=now, updated_at=now
            )
            _needs_reopen_if_places_free(need_ids={need_id for _pk, need_id in releasing})
            # update() bypasses django-simple-history: the withdrawals go into the applications' trail.
            Application.history.bulk_history_create(
                mine.filter(status=Application.Status.WITHDRAWN, withdrawn_at=now), update=True, default_date=now
            )
            # The records stay for the organisations' reports, but no words about the person: the
            # messages they wrote; the coordinators' internal notes on them and the reasons they were
            # given for a refusal, which are personal data about them however they are worded; and the
            # comments of the feedback on their placements, their own and the organisation's about
            # them. The ratings stay: figures that name nobody.
            mine.update(message="", coordinator_notes="", decline_reason="")
            Feedback.objects.filter(placement__application__volunteer=profile).exclude(comments="").update(comments="")
            former = str(_("A former volunteer"))
            applications_coordinator_emails_rename(
                application_pks=mine.values_list("pk", flat=True), label_of=lambda _pk: former
            )

            credentials = Credential.objects.filter(profile=profile)
            credential_pks = list(credentials.values_list("pk", flat=True))
            files = [(credential.document.storage, credential.document.name) for credential in credentials]
            files = [(storage, name) for storage, name in files if name]
            credentials.delete()
            for storage, name in files:
                transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
            documents = len(files)

            profile.languages.all().delete()
            profile.availability.all().delete()
            profile.skills.clear()
            profile_pk = profile.pk
            # Their recommendations go with the profile: the needs that ranked them rank again.
            recommendations_refresh_needs_later(
                need_ids=Recommendation.objects.filter(volunteer=profile, rank_for_need__isnull=False).values_list(
                    "need_id", flat=True
                )
            )
            profile.delete()
            # The audit trail keeps what happened, not who it happened to.
            Credential.history.filter(profile_id=profile_pk).delete()
            Application.history.filter(volunteer_id=profile_pk).update(volunteer_id=None, decline_reason="")
        # Only possible when another admin remains (see the blockers): their trail no longer names this user.
        Membership.objects.filter(user=user).delete()
        Membership.history.filter(user_id=user_pk).delete()
        Organisation.history.filter(requested_by_id=user_pk).update(requested_by_id=None)
        Organisation.objects.filter(requested_by=user).update(requested_by=None)
        # Their logins, refused accesses and the failed logins that typed their addresses.
        audit_events_erase(user=user)
        addresses = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
        # E-mails to their addresses (some sent before the account existed) and invitations to them.
        notifications_erase_for_addresses(addresses=addresses)
        Invitation.objects.filter(email__in=addresses).delete()
        # The admin's log of changes made to their account, profile and credentials names them.
        admin_log_erase(model=User, pks=[user_pk])
        if profile is not None:
            admin_log_erase(model=VolunteerProfile, pks=[profile_pk])
            admin_log_erase(model=Credential, pks=credential_pks)
        # Signed out everywhere once the erasure is committed: their other devices too.
        session_keys = user_session_keys(user=user)
        transaction.on_commit(lambda: sessions_end(session_keys=session_keys))
        EmailAddress.objects.filter(user=user).delete()
        # Their queued tasks (a refresh of their recommendations…) are cancelled and no longer name them.
        tasks_cancel_for_user(user_id=user_pk)
        user.delete()
    logger.info(
        "Account %s erased: %s applications withdrawn, %s credential documents deleted", user_pk, withdrawn, documents
    )


# E-mails about applications: recorded with notifications.services.notify inside the transaction of
# the change, so that they are sent once it commits and never twice for the same event.


def application_coordinators(*, need: Need) -> list[User]:
    """The active coordinators and admins of the organisation that leads the need's programme."""
    organisation_id = need.programme.lead_organisation_id
    return organisation_coordinators(organisation_ids=[organisation_id]).get(organisation_id, [])


def application_volunteer_label(application: Application) -> str:
    """The application's volunteer as coordinators see them named (volunteers.selectors.volunteer_label)."""
    return volunteer_label(volunteer=application.volunteer, number=application.pk)


def _application_email_context(application: Application) -> dict[str, str]:
    """JSON context shared by the e-mails about one application. Never the coordinators' notes."""
    need = application.need
    programme = need.programme
    start, end = placement_dates_for(application)
    return {
        "need_title": need.title,
        "programme_title": programme.title,
        "organisation_name": str(programme.lead_organisation),
        "start": date_format(start),
        "end": date_format(end),
    }


# The e-mails to coordinators that name an application's volunteer ("volunteer_name" in their context):
# about the application, keyed "<event>:<application>:<coordinator>", and asking for feedback on its
# placement, keyed "feedback-request:<placement>:organisation:<coordinator>" (programmes.pipeline).
COORDINATOR_APPLICATION_EVENTS = ("application-received", "offer-accepted", "offer-declined")


def applications_coordinator_emails_rename(*, application_pks: Iterable[int], label_of: Callable[[int], str]) -> int:
    """Rename the volunteer in the recorded e-mails to coordinators about these applications, to
    ``label_of(application pk)``: when the account is erased, or consent to be shown is withdrawn, an
    e-mail sent again (or still waiting to be sent) no longer names them. Returns how many changed."""
    pks = sorted(set(application_pks))
    placements = Placement.objects.filter(application_id__in=pks).values_list("pk", "application_id")
    events = "|".join(COORDINATOR_APPLICATION_EVENTS)
    keys = [(rf"^({events}):{pk}:[0-9]+$", pk) for pk in pks]
    keys += [(rf"^feedback-request:{placement_pk}:organisation:[0-9]+$", pk) for placement_pk, pk in placements]
    return sum(
        notifications_context_scrub(event_key_regex=regex, keys=["volunteer_name"], replacement=label_of(pk))
        for regex, pk in keys
    )


def _notify_coordinators(application: Application, *, kind: str, event: str, **extra: str) -> None:
    context = {
        **_application_email_context(application),
        **extra,
        "volunteer_name": application_volunteer_label(application),
        "application_url": absolute_url(reverse("programmes:pipeline-application", args=[application.pk])),
        "pipeline_url": absolute_url(reverse("programmes:pipeline", args=[application.need_id])),
    }
    for user in application_coordinators(need=application.need):
        notify(kind=kind, event_key=f"{event}:{application.pk}:{user.pk}", recipient=user, context=context)


def _notify_volunteer(application: Application, *, kind: str, event: str, **extra: str) -> None:
    volunteer = application.volunteer
    if volunteer is None:
        return
    context = {
        **_application_email_context(application),
        "dashboard_url": absolute_url(reverse("programmes:dashboard")),
        **extra,
    }
    notify(kind=kind, event_key=f"{event}:{application.pk}", recipient=volunteer.user, context=context)


def _notify_application_received(application: Application) -> None:
    _notify_coordinators(application, kind="application_received", event="application-received")


def _notify_offer_made(application: Application) -> None:
    # An application is offered at most once (OFFERED never comes back), so the key names the event.
    _notify_volunteer(application, kind="offer_made", event="offer-made")


def _notify_offer_answered(application: Application, *, kind: str, **extra: str) -> None:
    event = "offer-accepted" if kind == "offer_accepted" else "offer-declined"
    _notify_coordinators(application, kind=kind, event=event, **extra)


def _notify_application_declined(application: Application) -> None:
    _notify_volunteer(
        application,
        kind="application_declined",
        event="application-declined",
        reason=application.decline_reason,
    )


# The weekly digest of new suitable opportunities (programmes.tasks.send_weekly_digests, Monday mornings).

DIGEST_MAX_NEEDS = 10


def _digest_need(need: Need) -> dict[str, str]:
    if need.host_site_id:
        where = f"{need.host_site.city}, {need.host_site.country.name}"
    else:
        where = str(Mode(need.mode).label)
    return {
        "title": need.title,
        "organisation": str(need.programme.lead_organisation),
        "where": where,
        "mode": str(Mode(need.mode).label),
        "window_start": date_format(need.window_start, "DATE_FORMAT"),
        "window_end": date_format(need.window_end, "DATE_FORMAT"),
        "deadline": date_format(need.application_deadline, "DATE_FORMAT") if need.application_deadline else "",
        "url": absolute_url(need.get_absolute_url()),
    }


def digests_weekly_send(*, today: datetime.date | None = None) -> int:
    """E-mail each onboarded volunteer who asked for the weekly digest the listed needs posted in the
    last seven days that fit them (programmes.fit: eligible only, best fit first, at most
    DIGEST_MAX_NEEDS, leaving out needs they already applied to). Volunteers with nothing new that
    fits get no e-mail. Returns how many digests were queued.

    The event key names the ISO week, so a second run in the same week (a retried task, a
    redelivered one) queues nothing more.
    """
    today = today or timezone.localdate()
    since = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time.min))
    new_needs = {
        need.pk: need
        for need in need_listed_queryset(today=today)
        .filter(created_at__gte=since)
        .select_related("programme__lead_organisation", "host_site")
    }
    if not new_needs:
        return 0
    # A fixed set for every volunteer, even if a need is posted while the digests go out.
    candidates = Need.objects.filter(pk__in=list(new_needs))
    profiles = VolunteerProfile.objects.filter(
        onboarding_completed_at__isnull=False,
        profession__in={need.profession for need in new_needs.values()},
        user__is_active=True,
        user_id__in=user_ids_with_preference(preference="weekly_digest"),
    )
    applied: dict[int, set[int]] = {}
    applications = Application.objects.filter(need_id__in=list(new_needs), volunteer__in=profiles)
    for volunteer_id, need_id in applications.values_list("volunteer_id", "need_id"):
        applied.setdefault(volunteer_id, set()).add(need_id)
    iso_year, iso_week, _weekday = today.isocalendar()
    opportunities_url = absolute_url(reverse("programmes:opportunity-list"))
    queued = 0
    for profile in profiles.select_related("user").order_by("pk").iterator(chunk_size=500):
        scores = fit.need_fit_scores(volunteer=fit.volunteer_data(profile), needs=candidates)
        for need_id in applied.get(profile.pk, ()):
            scores.pop(need_id, None)
        if not scores:
            continue
        best = sorted(scores, key=lambda pk: (-scores[pk], -new_needs[pk].created_at.timestamp(), pk))
        needs = [_digest_need(new_needs[pk]) for pk in best[:DIGEST_MAX_NEEDS]]
        with transaction.atomic():
            notification = notify(
                kind="weekly_digest",
                event_key=f"weekly-digest:{profile.user.pk}:{iso_year}-W{iso_week}",
                recipient=profile.user,
                context={
                    "needs": needs,
                    "count": len(needs),
                    "week": f"{iso_year}-W{iso_week:02d}",
                    "opportunities_url": opportunities_url,
                },
            )
        queued += notification is not None
    logger.info("Queued %s weekly digests for %s-W%s", queued, iso_year, iso_week)
    return queued
