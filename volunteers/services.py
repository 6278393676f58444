"""Writes to volunteer profiles and credentials: every change that matters goes through a function here."""

import datetime
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from globalir.accounts.models import User
from globalir.refresh import recommendations_refresh_volunteer_later

from . import hooks
from .models import (
    AvailabilityWindow,
    Credential,
    Language,
    VolunteerLanguage,
    VolunteerProfile,
    new_calendar_token,
)
from .validators import validate_credential_document

logger = logging.getLogger(__name__)


def credentials_verify(*, credentials: Iterable[Credential], by: User) -> list[Credential]:
    """Mark credentials verified, recording who verified them and when.

    Credentials already verified keep their original record; a rejected one becomes verified
    and loses its rejection reason. Returns the credentials that changed.
    """
    now = timezone.now()
    pks = [credential.pk for credential in credentials]
    changed = []
    with transaction.atomic():
        verifying = Credential.objects.select_for_update().filter(pk__in=pks).exclude(status=Credential.Status.VERIFIED)
        for credential in verifying.order_by("pk"):
            credential.status = Credential.Status.VERIFIED
            credential.verified_by = by
            credential.verified_at = now
            credential.rejection_reason = ""
            credential.full_clean()
            credential.save(update_fields=["status", "verified_by", "verified_at", "rejection_reason"])
            changed.append(credential)
        profiles_recommendations_refresh_later({credential.profile_id for credential in changed})
    if changed:
        logger.info("User %s verified credentials %s", by.pk, [credential.pk for credential in changed])
    return changed


# The volunteer's own profile: the onboarding wizard and later edits (volunteers.views).

ONBOARDING_STEPS = ("about", "languages", "skills", "availability", "preferences")


def onboarding_next_step(*, profile: VolunteerProfile | None) -> str | None:
    """The slug of the first step the volunteer has not saved yet, or None when every step is saved."""
    done = profile.onboarding_step if profile is not None else 0
    return ONBOARDING_STEPS[done] if done < len(ONBOARDING_STEPS) else None


def _profile_about_save(profile: VolunteerProfile, data: Mapping[str, Any]) -> None:
    for field in ("name", "title", "profession", "career_stage", "years_experience", "home_country", "institution"):
        setattr(profile, field, data[field])
    profile.full_clean()
    profile.save()


def _profile_languages_save(profile: VolunteerProfile, data: Mapping[str, Any]) -> None:
    languages: Sequence[tuple[Language, int]] = data["languages"]
    if not languages:
        raise ValidationError(_("Add at least one language you can work in."), code="no_language")
    codes = [language.pk for language, _proficiency in languages]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("List each language only once."), code="duplicate_language")
    rows = [
        VolunteerLanguage(profile=profile, language=language, proficiency=proficiency)
        for language, proficiency in languages
    ]
    profile.languages.all().delete()
    for row in rows:
        row.full_clean()
    VolunteerLanguage.objects.bulk_create(rows)


def _profile_skills_save(profile: VolunteerProfile, data: Mapping[str, Any]) -> None:
    profile.skills.set(data["skills"])


def _profile_availability_save(profile: VolunteerProfile, data: Mapping[str, Any]) -> None:
    offers_onsite, offers_remote = bool(data["offers_onsite"]), bool(data["offers_remote"])
    windows: Sequence[tuple[datetime.date, datetime.date, int]] = data["windows"]
    if not (offers_onsite or offers_remote):
        raise ValidationError(_("Choose at least one way you can help: on site, remotely or both."), code="no_mode")
    if not windows:
        raise ValidationError(_("Add at least one period when you are available."), code="no_window")
    today = timezone.localdate()
    rows = []
    for start, end, hours in windows:
        if end < today:
            raise ValidationError(_("This period is already over: give dates from today onwards."), code="past")
        if offers_remote and not hours:
            raise ValidationError(
                _("You offer remote work: say how many hours a week you can give in each period."), code="no_hours"
            )
        window = AvailabilityWindow(profile=profile, start_date=start, end_date=end, hours_per_week=hours or 0)
        window.full_clean()
        rows.append(window)
    profile.offers_onsite, profile.offers_remote = offers_onsite, offers_remote
    profile.full_clean()
    profile.save(update_fields=["offers_onsite", "offers_remote", "updated_at"])
    # Periods that are over are history: the form only shows current and future ones, so only those are replaced.
    profile.availability.filter(end_date__gte=today).delete()
    AvailabilityWindow.objects.bulk_create(rows)


def _profile_preferences_save(profile: VolunteerProfile, data: Mapping[str, Any]) -> None:
    onboarding = profile.onboarding_completed_at is None
    if onboarding and not data.get("consent"):
        raise ValidationError(
            _("To finish, agree to be shown to the coordinators of needs you apply to or are suggested for."),
            code="no_consent",
        )
    profile.preferred_regions = list(data["preferred_regions"])
    profile.bio = data["bio"]
    if onboarding:
        _consent_record(profile, given=True)
    profile.full_clean()
    profile.save()


_STEP_WRITERS = {
    "about": _profile_about_save,
    "languages": _profile_languages_save,
    "skills": _profile_skills_save,
    "availability": _profile_availability_save,
    "preferences": _profile_preferences_save,
}


def profile_save_step(*, user: User, step: str, data: Mapping[str, Any]) -> VolunteerProfile:
    """Save one step of the volunteer's profile, during onboarding or any time later.

    ``data`` is the step form's cleaned data: for "about" the profile fields; for "languages"
    ``languages`` as (Language, proficiency) pairs; for "skills" ``skills``; for "availability"
    ``offers_onsite``, ``offers_remote`` and ``windows`` as (start, end, hours per week) triples
    (they replace the current and future windows); for "preferences" ``preferred_regions``,
    ``bio`` and, during onboarding, ``consent``, which must be given (afterwards consent changes
    only through profile_consent_withdraw and profile_consent_give). The profile is created by the
    first step.
    Records the furthest step saved so that the wizard resumes there.
    """
    if step not in _STEP_WRITERS:
        raise ValueError(f"Unknown onboarding step: {step!r}")
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            if step != ONBOARDING_STEPS[0]:
                raise ValidationError(_("Start with the first step: tell us about your work."), code="no_profile")
            # A double-clicked "Save and continue" sends the first step twice at once: get_or_create
            # lets the second request find the row the first one inserted instead of failing on the
            # unique user. An invalid first step rolls the empty row back with the transaction.
            inserted, _created = VolunteerProfile.objects.get_or_create(user=user)
            profile = VolunteerProfile.objects.select_for_update().get(pk=inserted.pk)
        _STEP_WRITERS[step](profile, data)
        reached = ONBOARDING_STEPS.index(step) + 1
        if reached > profile.onboarding_step:
            profile.onboarding_step = reached
            profile.save(update_fields=["onboarding_step", "updated_at"])
        if profile.onboarding_completed_at is not None:
            profiles_recommendations_refresh_later({profile.pk})
    return profile


def profile_complete(*, profile: VolunteerProfile) -> VolunteerProfile:
    """Finish onboarding: every step must have been saved, with a language, a way to help and consent.

    Completing twice keeps the first completion time.
    """
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
        missing = []
        if profile.onboarding_step < len(ONBOARDING_STEPS) and profile.onboarding_completed_at is None:
            missing.append(_("Some steps of your profile have not been saved yet."))
        if not profile.languages.exists():
            missing.append(_("Add at least one language you can work in."))
        if not (profile.offers_onsite or profile.offers_remote):
            missing.append(_("Choose at least one way you can help: on site, remotely or both."))
        if not profile.consent_to_share:
            missing.append(
                _("To finish, agree to be shown to the coordinators of needs you apply to or are suggested for.")
            )
        if missing:
            raise ValidationError(missing, code="incomplete")
        if profile.onboarding_completed_at is None:
            profile.onboarding_completed_at = timezone.now()
            profile.onboarding_step = len(ONBOARDING_STEPS)
            profile.save(update_fields=["onboarding_completed_at", "onboarding_step", "updated_at"])
            logger.info("Volunteer profile %s completed onboarding", profile.pk)
        profiles_recommendations_refresh_later({profile.pk})
    return profile


# Consent to be shown to coordinators: given in the wizard, withdrawn and given again on its own page.


def _consent_record(profile: VolunteerProfile, *, given: bool) -> bool:
    """Set the profile's consent (not saved); True when it changed."""
    if profile.consent_to_share == given:
        return False
    profile.consent_to_share = given
    if given:
        profile.consent_given_at, profile.consent_withdrawn_at = timezone.now(), None
    else:
        profile.consent_withdrawn_at = timezone.now()
    return True


def profile_consent_withdraw(*, profile: VolunteerProfile) -> VolunteerProfile:
    """The volunteer stops agreeing to be shown to coordinators, with effect at once.

    Consent is the only ground on which coordinators see a volunteer, so everything they are shown
    follows it (volunteers.selectors.volunteer_label, placements.board, placements.selectors.
    credential_for_download): every application, whatever its status, now names them "Volunteer #n"
    without their profile or message; no credential document opens for coordinators, whether
    uploaded before or after; the matcher stops suggesting them; they cannot apply until they give
    it again. Their applications are left as they are: withdrawing them is a separate choice.
    E-mails already sent cannot be recalled; the ones recorded for coordinators no longer name them,
    should they be sent again. Withdrawing twice changes nothing.
    """
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
        if _consent_record(profile, given=False):
            profile.save(update_fields=["consent_to_share", "consent_withdrawn_at", "updated_at"])
            hooks.consent_withdrawn(profile=profile)
            profiles_recommendations_refresh_later({profile.pk})
            logger.info("Volunteer profile %s withdrew consent to be shown to coordinators", profile.pk)
    return profile


def profile_consent_give(*, profile: VolunteerProfile) -> VolunteerProfile:
    """The volunteer agrees again to be shown to the coordinators of needs they apply to or are
    suggested for: they see the profile and credentials again, including what was added meanwhile."""
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
        if _consent_record(profile, given=True):
            profile.save(update_fields=["consent_to_share", "consent_given_at", "consent_withdrawn_at", "updated_at"])
            profiles_recommendations_refresh_later({profile.pk})
            logger.info("Volunteer profile %s gave consent to be shown to coordinators", profile.pk)
    return profile


# Credentials uploaded by the volunteer (verification by admins is above).


def credential_upload(*, profile: VolunteerProfile, data: Mapping[str, Any], document: File) -> Credential:
    """Record a credential with its document, awaiting verification.

    ``data`` holds kind, title, issuing_body, issuing_country, number, issued_on and expires_on.
    The document must be a PDF, JPEG or PNG of at most 5 MB (judged from its content); it is
    stored in private storage under a generated name.
    """
    validate_credential_document(document)
    credential = Credential(
        profile=profile,
        status=Credential.Status.PENDING,
        kind=data["kind"],
        title=data["title"],
        issuing_body=data.get("issuing_body", ""),
        issuing_country=data["issuing_country"],
        number=data.get("number", ""),
        issued_on=data.get("issued_on"),
        expires_on=data.get("expires_on"),
        document=document,
    )
    credential.full_clean()
    try:
        with transaction.atomic():
            # The file is written to storage by save(), before the row is inserted.
            credential.save()
            profiles_recommendations_refresh_later({profile.pk})
    except Exception:
        if credential.document.name and credential.document.storage.exists(credential.document.name):
            credential.document.storage.delete(credential.document.name)
        raise
    logger.info("Volunteer profile %s uploaded credential %s", profile.pk, credential.pk)
    return credential


def credential_delete(*, credential: Credential, by: User) -> None:
    """Delete one of the volunteer's own credentials and, once that is committed, its document."""
    if credential.profile.user_id != by.pk:
        raise PermissionDenied(_("Only the volunteer who uploaded a credential can delete it."))
    name, storage = credential.document.name, credential.document.storage
    pk = credential.pk
    with transaction.atomic():
        credential.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))
        profiles_recommendations_refresh_later({credential.profile_id})
    logger.info("User %s deleted credential %s", by.pk, pk)


# The calendar feed's secret link (placements.views.calendar serves the feed).


def calendar_token_reset(*, profile: VolunteerProfile) -> VolunteerProfile:
    """Give the volunteer a new calendar feed token: the old link stops working at once.

    For a link that was shared by mistake or leaked. The token itself is never logged.
    """
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
        profile.calendar_token = new_calendar_token()
        profile.save(update_fields=["calendar_token", "updated_at"])
    logger.info("Volunteer profile %s reset its calendar feed token", profile.pk)
    return profile


# The matcher's stored recommendations depend on the profile, its availability and its verified
# credentials: every change above asks for a refresh of the volunteer's, once its transaction commits.


def profiles_recommendations_refresh_later(profile_ids: Iterable[int]) -> None:
    """Ask the matcher (globalir.refresh) to refresh these volunteers' recommendations once the transaction
    commits; erasing a volunteer's account cancels theirs."""
    owners = dict(VolunteerProfile.objects.filter(pk__in=set(profile_ids)).values_list("pk", "user_id"))
    for profile_id in sorted(set(profile_ids)):
        recommendations_refresh_volunteer_later(volunteer_id=profile_id, owner_id=owners.get(profile_id))
