"""Writes for sites, programmes and needs: the coordinator's workspace, the site admins' curation, and the
one entry point through which a need opens, fills, closes or reopens (`need_status_change`).

The services follow the house rules: keyword-only arguments, ``full_clean()`` then ``save()`` inside
``transaction.atomic``, row locks where two coordinators can race, and ``ValidationError``s a coordinator
can read. Views hand the services a form's ``cleaned_data``; a service takes only the fields a coordinator
may set from it, so a need's status and programme, or a programme's lead organisation and status, can never
come from a form.
"""

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from globalir.accounts.models import User
from globalir.refresh import recommendations_refresh_need_later, recommendations_refresh_needs_later
from organisations.models import Organisation

from . import hooks
from .models import Need, Programme, Site
from .selectors import (
    NEED_FIELDS,
    NEED_M2M_FIELDS,
    PROGRAMME_FIELDS,
    PROGRAMME_M2M_FIELDS,
    SITE_FIELDS,
    copy_title,
    site_duplicate_message,
    site_find_duplicate,
)

logger = logging.getLogger(__name__)


def _apply(instance, data: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in data:
            value = data[name]
            setattr(instance, name, value.strip() if isinstance(value, str) else value)


# Sites


def _save_site(site: Site) -> Site:
    duplicate = site_find_duplicate(name=site.name, city=site.city, country=site.country.code, exclude_pk=site.pk)
    if duplicate is not None:
        raise ValidationError({"name": site_duplicate_message(duplicate)}, code="duplicate_site")
    site.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError as error:
        # Someone listed the same site a moment ago.
        raise ValidationError(
            {"name": _("A site with this name is already listed in this city and country.")}, code="duplicate_site"
        ) from error
    return site


def site_create(*, organisation: Organisation, data: dict[str, Any], by: User) -> Site:
    """List a new host site managed by ``organisation``. Refused when the same name, city and country is listed."""
    site = Site(organisation=organisation)
    _apply(site, data, SITE_FIELDS)
    _save_site(site)
    logger.info("User %s listed site %s for organisation %s", by.pk, site.pk, organisation.pk)
    return site


def site_update(*, site: Site, data: dict[str, Any], by: User) -> Site:
    """Change a site's details; the organisation that manages it does not change."""
    site = Site.objects.get(pk=site.pk)
    _apply(site, data, SITE_FIELDS)
    _save_site(site)
    logger.info("User %s updated site %s", by.pk, site.pk)
    return site


# Programmes


def _programme_slug(title: str) -> str:
    """A slug made from the title, unique among programmes: "ir-training", "ir-training-2"…"""
    base = slugify(title)[:180].strip("-") or "programme"
    taken = set(Programme.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _programme_check_relations(*, programme: Programme, data: dict[str, Any]) -> None:
    """Sites must be the lead organisation's own or unmanaged; partners verified. What is already linked may stay."""
    errors = {}
    current_sites = set(programme.sites.values_list("pk", flat=True)) if programme.pk else set()
    current_partners = set(programme.partners.values_list("pk", flat=True)) if programme.pk else set()
    for site in data.get("sites") or []:
        if site.pk not in current_sites and site.organisation_id not in (None, programme.lead_organisation_id):
            errors["sites"] = _("“%(site)s” is managed by another organisation.") % {"site": site}
    for partner in data.get("partners") or []:
        if partner.pk == programme.lead_organisation_id:
            errors["partners"] = _("The lead organisation cannot be its own partner.")
        elif partner.pk not in current_partners and partner.status != Organisation.Status.VERIFIED:
            errors["partners"] = _("Only verified organisations can be partners: %(partner)s is not verified.") % {
                "partner": partner
            }
    if errors:
        raise ValidationError(errors)


def _programme_set_relations(programme: Programme, data: dict[str, Any]) -> None:
    for name in PROGRAMME_M2M_FIELDS:
        if name in data:
            getattr(programme, name).set(data[name] or [])


def programme_create(*, organisation: Organisation, data: dict[str, Any], by: User) -> Programme:
    """Create a draft programme led by ``organisation``, with a unique slug made from its title."""
    programme = Programme(lead_organisation=organisation, status=Programme.Status.DRAFT)
    _apply(programme, data, PROGRAMME_FIELDS)
    _programme_check_relations(programme=programme, data=data)
    for _attempt in range(3):
        programme.slug = _programme_slug(programme.title)
        programme.full_clean()
        try:
            with transaction.atomic():
                programme.save()
                _programme_set_relations(programme, data)
        except IntegrityError:
            # Another programme took the slug in the meantime: make another.
            programme.pk = None
            continue
        break
    else:
        raise ValidationError({"title": _("Could not save the programme just now; please try again.")})
    logger.info("User %s created programme %s for organisation %s", by.pk, programme.pk, organisation.pk)
    return programme


def programme_update(*, programme: Programme, data: dict[str, Any], by: User) -> Programme:
    """Change a programme's details. Its slug, lead organisation and status stay as they are."""
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        _apply(programme, data, PROGRAMME_FIELDS)
        _programme_check_relations(programme=programme, data=data)
        programme.full_clean()
        programme.save()
        _programme_set_relations(programme, data)
        # Its countries place remote needs in a region: the matcher's scores may change.
        recommendations_refresh_needs_later(need_ids=list(programme.needs.values_list("pk", flat=True)))
    logger.info("User %s updated programme %s", by.pk, programme.pk)
    return programme


# Curation by site admins and coordinators (the Django admin's bulk actions call these too).


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


# Needs: what a coordinator enters


def _need_check_host_site(*, need: Need, previous_host_site_id: int | None) -> None:
    site = need.host_site
    if site is None or site.pk == previous_host_site_id:
        return
    if site.organisation_id != need.programme.lead_organisation_id:
        raise ValidationError(
            {"host_site": _("Choose one of your organisation's sites; add yours on the Sites page if it is missing.")},
            code="foreign_site",
        )


def _need_set_relations(need: Need, data: dict[str, Any]) -> None:
    for name in NEED_M2M_FIELDS:
        if name in data:
            getattr(need, name).set(data[name] or [])


def need_create(*, programme: Programme, data: dict[str, Any], by: User) -> Need:
    """Post a new open need in ``programme`` with what the coordinator entered (status is always open)."""
    need = Need(programme=programme, status=Need.Status.OPEN)
    _apply(need, data, NEED_FIELDS)
    _need_check_host_site(need=need, previous_host_site_id=None)
    need.full_clean()
    with transaction.atomic():
        need.save()
        _need_set_relations(need, data)
        recommendations_refresh_need_later(need_id=need.pk)
    logger.info("User %s posted need %s in programme %s", by.pk, need.pk, programme.pk)
    return need


def need_update(*, need: Need, data: dict[str, Any], by: User, today: datetime.date | None = None) -> Need:
    """Change a need's details. Its status follows its places (need_status_change):

    - fewer places than volunteers who accepted (or offers still waiting) is refused;
    - an open need whose places are now all taken becomes filled;
    - a filled need with places free again reopens, if its window and deadline have not passed.

    The need's row is locked, as an offer locks it, so places and offers cannot cross.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        need = Need.objects.select_for_update().select_related("programme").get(pk=need.pk)
        previous_host_site_id = need.host_site_id
        _apply(need, data, NEED_FIELDS)
        _need_check_host_site(need=need, previous_host_site_id=previous_host_site_id)
        counts = _place_counts(need)
        if need.places is not None and need.places < counts["taken"]:
            raise ValidationError(
                {
                    "places": ngettext(
                        "%(taken)s volunteer has already accepted a place: the need cannot offer fewer places.",
                        "%(taken)s volunteers have already accepted a place: the need cannot offer fewer places.",
                        counts["taken"],
                    )
                    % counts
                },
                code="below_taken",
            )
        if need.places is not None and need.places < counts["taken"] + counts["offered"]:
            raise ValidationError(
                {
                    # Two counts in one sentence: as figures after a colon, no noun has to agree with them.
                    "places": _(
                        "Places taken: %(taken)s; offers waiting for an answer: %(offered)s. Decline an offer "
                        "in the pipeline before lowering the places."
                    )
                    % counts
                },
                code="below_offered",
            )
        need.full_clean()
        need.save()
        _need_set_relations(need, data)
        # Its places may have changed: free again, or all taken.
        need_status_change(needs=[need], change=NeedChange.FREE_PLACES, by=by, today=today)
        need_status_change(needs=[need], change=NeedChange.FILL, by=by)
        need.refresh_from_db()
        recommendations_refresh_need_later(need_id=need.pk)
    logger.info("User %s updated need %s (now %s)", by.pk, need.pk, need.status)
    return need


def need_duplicate(*, need: Need, by: User, today: datetime.date | None = None) -> Need:
    """Copy ``need`` as a new open need titled "Copy of …", with the same skills, languages and support.

    Refused (code ``dates_passed``) when the need's window has ended or its deadline has passed:
    the copy needs new dates first, and an open need cannot be saved with dates in the past.
    """
    today = today or timezone.localdate()
    if not need.is_running(today):
        raise ValidationError(
            _("The dates of “%(need)s” have passed: give the copy new dates, then save it.") % {"need": need.title},
            code="dates_passed",
        )
    copy = Need(programme_id=need.programme_id, status=Need.Status.OPEN)
    for name in NEED_FIELDS:
        setattr(copy, name, getattr(need, name))
    copy.title = copy_title(need.title)
    copy.full_clean()
    with transaction.atomic():
        copy.save()
        _need_set_relations(copy, {name: list(getattr(need, name).all()) for name in NEED_M2M_FIELDS})
        recommendations_refresh_need_later(need_id=copy.pk)
    logger.info("User %s duplicated need %s as %s", by.pk, need.pk, copy.pk)
    return copy


# Needs: their status


class NeedChange:
    """What need_status_change does. A person closes or reopens needs; the others follow the places and dates."""

    CLOSE = "close"  # open or filled → closed, by a coordinator or a site admin
    REOPEN = "reopen"  # closed or filled → open, by a coordinator or a site admin
    FILL = "fill"  # open → filled once every place is taken (an offer accepted, places lowered)
    FREE_PLACES = "free_places"  # filled → open when a place is free again and the need still runs
    EXPIRE = "expire"  # open → closed by the nightly job once the window or the deadline has passed


def _place_counts(need: Need) -> dict[str, int]:
    """The need's places taken (accepted and completed) and offers waiting, counted the one way."""
    taken, offered = (
        hooks.need_pipeline_counts(Need.objects.filter(pk=need.pk)).values_list("taken_count", "offered_count").get()
    )
    return {"taken": taken, "offered": offered}


def need_status_change(
    *, needs: Iterable[Need], change: str, by: User | None = None, today: datetime.date | None = None
) -> list[Need]:
    """Open, fill, close or reopen needs (a NeedChange): every path that changes a need's status comes here.

    The needs' rows are locked; the rules are the need's own (Need.is_running, Need.is_full) and its places
    taken are counted one way (hooks.need_pipeline_counts). Returns the needs that changed; the matcher
    hears of them. REOPEN changes nothing when any need cannot reopen (its dates have passed, or every
    place is taken): the ValidationError says which need and why.
    """
    today = today or timezone.localdate()
    pks = [need.pk for need in needs]
    if change == NeedChange.EXPIRE:
        return _needs_expire(pks, today=today)
    with transaction.atomic():
        locked = Need.objects.select_for_update().filter(pk__in=pks).order_by("pk")
        if change == NeedChange.CLOSE:
            changed = _needs_set(locked.exclude(status=Need.Status.CLOSED), Need.Status.CLOSED, clean=True)
        elif change == NeedChange.REOPEN:
            changed = _needs_reopen(list(locked.exclude(status=Need.Status.OPEN)), today=today)
        elif change == NeedChange.FILL:
            full = [
                need for need in locked.filter(status=Need.Status.OPEN) if need.is_full(_place_counts(need)["taken"])
            ]
            changed = _needs_set(full, Need.Status.FILLED)
        elif change == NeedChange.FREE_PLACES:
            free = [
                need
                for need in locked.filter(status=Need.Status.FILLED)
                if need.is_running(today) and not need.is_full(_place_counts(need)["taken"])
            ]
            changed = _needs_set(free, Need.Status.OPEN)
        else:
            raise ValueError(f"Unknown change of a need's status: {change}")
        # A filled need keeps its suggestions until it closes: only listed needs are recommended.
        if change != NeedChange.FILL:
            recommendations_refresh_needs_later(need_ids=[need.pk for need in changed])
    if changed and by is not None:
        logger.info("User %s: %s needs %s", by.pk, change, [need.pk for need in changed])
    return changed


def _needs_set(needs: Iterable[Need], status: str, *, clean: bool = False) -> list[Need]:
    """Set the status; a need filled records when, a need open again is no longer filled (a closed need keeps
    when it was filled, for the reports)."""
    changed = []
    for need in needs:
        need.status = status
        fields = ["status", "updated_at"]
        if status != Need.Status.CLOSED:
            need.filled_at = timezone.now() if status == Need.Status.FILLED else None
            fields.append("filled_at")
        if clean:
            need.full_clean()
        need.save(update_fields=fields)
        changed.append(need)
    return changed


def _needs_reopen(needs: list[Need], *, today: datetime.date) -> list[Need]:
    problems = []
    for need in needs:
        if need.status == Need.Status.FILLED and need.is_full(_place_counts(need)["taken"]):
            problems.append(
                _("Every place of “%(need)s” is taken: raise its number of places to reopen it.") % {"need": need.title}
            )
            continue
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
    for need in needs:
        need.save(update_fields=["status", "filled_at", "updated_at"])
    return needs


def _needs_expire(pks: list[int], *, today: datetime.date) -> list[Need]:
    # Applications close before a match round's ranking ends: its needs stay open until it has run.
    expired = Need.objects.open().expired(today).filter(pk__in=pks).exclude(pk__in=hooks.needs_held_open())
    now = timezone.now()
    with transaction.atomic():
        expiring = list(expired.values_list("pk", flat=True))
        Need.objects.open().filter(pk__in=expiring).update(status=Need.Status.CLOSED, updated_at=now)
        closed = list(Need.objects.filter(pk__in=expiring, status=Need.Status.CLOSED, updated_at=now))
        # update() bypasses django-simple-history: the closures go into the needs' audit trail here,
        # once each, made by no one (the nightly job).
        Need.history.bulk_history_create(
            closed, update=True, default_date=now, default_change_reason="window or application deadline passed"
        )
    return closed


def needs_close_expired(*, today: datetime.date | None = None) -> int:
    """Close open needs whose window has ended or whose application deadline has passed (the nightly job).

    Returns how many needs were closed. Running it twice closes nothing the second time.
    """
    return len(need_status_change(needs=Need.objects.open().only("pk"), change=NeedChange.EXPIRE, today=today))
