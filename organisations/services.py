"""Writes to organisations: every change that matters goes through a function here."""

import datetime
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from globalir.accounts.models import User
from notifications.services import absolute_url, notify

from .models import Invitation, Membership, Organisation
from .selectors import (
    invitation_by_token,
    invitation_email_confirmed,
    invitation_refusal,
    invitation_token_hash,
    organisation_name_taken,
)

logger = logging.getLogger(__name__)


def _comparable(value: Any) -> Any:
    """A form of a field value that compares equal however it was given (Country objects or codes, any order)."""
    if isinstance(value, Country):
        return value.code or ""
    if isinstance(value, list | tuple):
        return sorted(str(item) for item in value)
    return value


def organisation_upsert(*, slug: str, values: dict[str, Any]) -> tuple[Organisation, str]:
    """Create or update a curated organisation, matched by slug (or, failing that, by name).

    A new organisation is created verified, since it comes from our curated directory. On an
    existing one only the fields in ``values`` that differ are written: its listing status and
    whether it is featured stay as admins set them. Returns the organisation and "created",
    "updated" or "unchanged".
    """
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().filter(slug=slug).first()
        if organisation is None and values.get("name"):
            # A row created by hand under the same name: take it over rather than fail on the unique name.
            organisation = Organisation.objects.select_for_update().filter(name__iexact=values["name"]).first()
        if organisation is None:
            organisation = Organisation(
                slug=slug, status=Organisation.Status.VERIFIED, verified_at=timezone.now(), **values
            )
            organisation.full_clean()
            organisation.save()
            return organisation, "created"
        changed = [
            name for name, value in values.items() if _comparable(getattr(organisation, name)) != _comparable(value)
        ]
        if not changed:
            return organisation, "unchanged"
        for name in changed:
            setattr(organisation, name, values[name])
        organisation.full_clean()
        organisation.save(update_fields=[*changed, "updated_at"])
        return organisation, "updated"


def organisation_partners_add(*, organisation: Organisation, partners: list[Organisation]) -> bool:
    """Record partnerships (symmetrical) that are missing; existing ones are kept. True if any was added."""
    with transaction.atomic():
        existing = set(organisation.partners.values_list("pk", flat=True))
        missing = [partner for partner in partners if partner.pk not in existing and partner.pk != organisation.pk]
        if missing:
            organisation.partners.add(*missing)
        return bool(missing)


# Curation by site admins (the Django admin's bulk actions call these).


def _locked(organisations: Iterable[Organisation]) -> QuerySet[Organisation]:
    """The given organisations, re-read and locked for the rest of the transaction."""
    pks = [organisation.pk for organisation in organisations]
    return Organisation.objects.select_for_update().filter(pk__in=pks).order_by("pk")


def _save(organisation: Organisation, fields: list[str]) -> None:
    organisation.full_clean()
    organisation.save(update_fields=[*fields, "updated_at"])


def organisations_verify(*, organisations: Iterable[Organisation], by: User) -> list[Organisation]:
    """List organisations in the public directory, recording who verified them and when.

    Pending and archived organisations become verified; ones already verified keep their original
    record. Whoever asked to list one is e-mailed. Returns the organisations that changed.
    """
    now = timezone.now()
    changed = []
    with transaction.atomic():
        for organisation in _locked(organisations).exclude(status=Organisation.Status.VERIFIED):
            organisation.status = Organisation.Status.VERIFIED
            organisation.verified_by = by
            organisation.verified_at = now
            _save(organisation, ["status", "verified_by", "verified_at"])
            _notify_requester_verified(organisation)
            changed.append(organisation)
    if changed:
        logger.info("User %s verified organisations %s", by.pk, [organisation.pk for organisation in changed])
    return changed


def organisations_feature(*, organisations: Iterable[Organisation], by: User) -> list[Organisation]:
    """Feature organisations on the portal. Returns the organisations that changed.

    Only verified organisations can be featured: if any of those given is not, nothing is
    featured and the ValidationError names them.
    """
    with transaction.atomic():
        locked = list(_locked(organisations))
        unverified = [organisation for organisation in locked if organisation.status != Organisation.Status.VERIFIED]
        if unverified:
            raise ValidationError(
                _(
                    "Only verified organisations can be featured, so nothing was featured. "
                    "Verify these first or leave them out: %(names)s."
                ),
                code="not_verified",
                params={"names": ", ".join(str(organisation) for organisation in unverified)},
            )
        changed = []
        for organisation in locked:
            if not organisation.featured:
                organisation.featured = True
                _save(organisation, ["featured"])
                changed.append(organisation)
    if changed:
        logger.info("User %s featured organisations %s", by.pk, [organisation.pk for organisation in changed])
    return changed


def organisations_unfeature(*, organisations: Iterable[Organisation], by: User) -> list[Organisation]:
    """Stop featuring organisations. Returns the organisations that changed."""
    changed = []
    with transaction.atomic():
        for organisation in _locked(organisations).filter(featured=True):
            organisation.featured = False
            _save(organisation, ["featured"])
            changed.append(organisation)
    if changed:
        logger.info("User %s unfeatured organisations %s", by.pk, [organisation.pk for organisation in changed])
    return changed


def organisations_archive(*, organisations: Iterable[Organisation], by: User) -> list[Organisation]:
    """Take organisations out of the public directory; an archived organisation is never featured.

    Returns the organisations that changed (those not archived already).
    """
    changed = []
    with transaction.atomic():
        for organisation in _locked(organisations).exclude(status=Organisation.Status.ARCHIVED):
            organisation.status = Organisation.Status.ARCHIVED
            organisation.featured = False
            _save(organisation, ["status", "featured"])
            changed.append(organisation)
    if changed:
        logger.info("User %s archived organisations %s", by.pk, [organisation.pk for organisation in changed])
    return changed


# Onboarding: asking to list an organisation, the decision, its members and invitations.

MAX_PENDING_REQUESTS = 3
# Paths under /organisations/ that an organisation's page must never shadow.
RESERVED_SLUGS = frozenset({"request", "requests", "invitations"})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "organisation"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def _check_name_free(name: str, *, organisation: Organisation | None = None) -> None:
    if organisation_name_taken(name=name, exclude=organisation):
        raise ValidationError(
            {
                "name": ValidationError(
                    _(
                        "An organisation called “%(name)s” is already listed or waiting for review. "
                        "If it is yours, ask its admins to invite you."
                    ),
                    code="name_taken",
                    params={"name": name},
                )
            }
        )


def _english(label) -> str:
    """A translatable label as its English source, which a template translates for its reader."""
    with translation.override(None):
        return str(label)


def _check_pending_limit(user: User) -> None:
    pending = Organisation.objects.filter(requested_by=user, status=Organisation.Status.PENDING).count()
    if pending >= MAX_PENDING_REQUESTS:
        raise ValidationError(
            _(
                "You already have %(count)d requests waiting for review. Please wait until the GlobalIR "
                "team has decided on one of them before sending another."
            ),
            code="too_many_pending",
            params={"count": pending},
        )


def _request_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {field: data[field] for field in Organisation.REQUEST_FIELDS if field in data}
    if isinstance(values.get("name"), str):
        values["name"] = values["name"].strip()
    return values


def _notify_admins_of_request(organisation: Organisation, *, requester: User, resubmitted: bool) -> None:
    """E-mail every active site admin that a request waits for their decision."""
    at = timezone.now().isoformat()
    context = {
        "organisation_name": str(organisation),
        "requester_name": requester.display_name,
        "requester_email": requester.email,
        "headquarters_country": str(organisation.headquarters_country.name or ""),
        "website": organisation.website,
        "description": organisation.description[:500],
        "description_language": organisation.content_language,
        "resubmitted": resubmitted,
        "admin_url": absolute_url(reverse("admin:organisations_organisation_change", args=[organisation.pk])),
    }
    for admin_user in User.objects.filter(is_staff=True, is_active=True).order_by("pk"):
        notify(
            kind="organisation_request_received",
            event_key=f"organisation-request:{organisation.pk}:{at}:{admin_user.pk}",
            recipient=admin_user,
            context=context,
        )


def _notify_requester_verified(organisation: Organisation) -> None:
    if organisation.requested_by is None:
        return
    notify(
        kind="organisation_verified",
        event_key=f"organisation-verified:{organisation.pk}:{organisation.verified_at.isoformat()}",
        recipient=organisation.requested_by,
        context={
            "organisation_name": str(organisation),
            "organisation_url": absolute_url(organisation.get_absolute_url()),
            "workspace_url": absolute_url(reverse("programmes:workspace")),
            "members_url": absolute_url(reverse("organisations:member-list", kwargs={"slug": organisation.slug})),
        },
    )


def _notify_requester_rejected(organisation: Organisation, *, at: datetime.datetime) -> None:
    if organisation.requested_by is None:
        return
    notify(
        kind="organisation_rejected",
        event_key=f"organisation-rejected:{organisation.pk}:{at.isoformat()}",
        recipient=organisation.requested_by,
        context={
            "organisation_name": str(organisation),
            "reason": organisation.rejection_reason,
            "requests_url": absolute_url(reverse("organisations:organisation-request-list")),
        },
    )


def organisation_request(*, user: User, data: dict[str, Any]) -> Organisation:
    """Ask to list a new organisation: it waits, pending, for a site admin's decision.

    The requester becomes its organisation admin at once, so that they can prepare programmes
    and invite colleagues while it is reviewed; every active site admin is e-mailed. A user may
    have at most MAX_PENDING_REQUESTS requests waiting.
    """
    values = _request_values(data)
    with transaction.atomic():
        # One user's requests one at a time, so two quick submissions cannot both pass the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        _check_pending_limit(user)
        _check_name_free(values.get("name", ""))
        organisation = Organisation(
            **values,
            slug=_unique_slug(values.get("name", "")),
            status=Organisation.Status.PENDING,
            requested_by=user,
        )
        organisation.full_clean()
        organisation.save()
        membership = Membership(user=user, organisation=organisation, role=Membership.Role.ADMIN)
        membership.full_clean()
        membership.save()
        _notify_admins_of_request(organisation, requester=user, resubmitted=False)
    logger.info("User %s asked to list organisation %s", user.pk, organisation.pk)
    return organisation


def organisation_resubmit(*, organisation: Organisation, user: User, data: dict[str, Any]) -> Organisation:
    """Send a rejected request again, corrected: it goes back to pending and site admins are e-mailed."""
    values = _request_values(data)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        organisation = Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if organisation is None or organisation.requested_by_id != user.pk:
            raise ValidationError(
                _("Only the person who asked to list this organisation can send the request again."),
                code="not_requester",
            )
        if organisation.status != Organisation.Status.REJECTED:
            raise ValidationError(
                _("Only a rejected request can be corrected and sent again; this one is “%(status)s”."),
                code="not_rejected",
                params={"status": organisation.get_status_display()},
            )
        _check_pending_limit(user)
        _check_name_free(values.get("name", ""), organisation=organisation)
        for field, value in values.items():
            setattr(organisation, field, value)
        organisation.status = Organisation.Status.PENDING
        # The reason stays in the organisation's history; the new request starts clean.
        organisation.rejection_reason = ""
        _save(organisation, [*values, "status", "rejection_reason"])
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Membership.Role.ADMIN})
        _notify_admins_of_request(organisation, requester=user, resubmitted=True)
    logger.info("User %s sent organisation %s for review again", user.pk, organisation.pk)
    return organisation


def organisations_reject(*, organisations: Iterable[Organisation], reason: str, by: User) -> list[Organisation]:
    """Turn down requests to list organisations, with a reason each requester reads in an e-mail.

    Only pending organisations are rejected; others are left as they are. Returns those that changed.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason: the person who asked will read it."), code="no_reason")
    limit = Organisation._meta.get_field("rejection_reason").max_length
    if len(reason) > limit:
        raise ValidationError(
            _("Keep the reason under %(limit)d characters."), code="reason_too_long", params={"limit": limit}
        )
    now = timezone.now()
    changed = []
    with transaction.atomic():
        for organisation in _locked(organisations).filter(status=Organisation.Status.PENDING):
            organisation.status = Organisation.Status.REJECTED
            organisation.rejection_reason = reason
            _save(organisation, ["status", "rejection_reason"])
            _notify_requester_rejected(organisation, at=now)
            changed.append(organisation)
    if changed:
        logger.info("User %s rejected organisations %s", by.pk, [organisation.pk for organisation in changed])
    return changed


def _lock_organisation(organisation: Organisation) -> Organisation:
    """Re-read and lock the organisation: changes to one organisation's members happen one at a time."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _locked_membership(membership: Membership) -> Membership:
    locked = Membership.objects.select_related("user").filter(pk=membership.pk).first()
    if locked is None:
        raise ValidationError(_("This person is no longer a member of the organisation."), code="gone")
    return locked


def _is_last_admin(membership: Membership) -> bool:
    if membership.role != Membership.Role.ADMIN:
        return False
    others = Membership.objects.filter(organisation_id=membership.organisation_id, role=Membership.Role.ADMIN)
    return not others.exclude(pk=membership.pk).exists()


def _last_admin_error(membership: Membership, *, removing: bool) -> ValidationError:
    if removing:
        message = _(
            "%(name)s is the organisation's only admin, so they cannot be removed. "
            "Make someone else an admin first: an organisation always needs one."
        )
    else:
        message = _(
            "%(name)s is the organisation's only admin, so they cannot become a coordinator. "
            "Make someone else an admin first: an organisation always needs one."
        )
    return ValidationError(message, code="last_admin", params={"name": membership.user.display_name})


def membership_role_change(*, membership: Membership, role: str, by: User) -> Membership:
    """Make a member a programme coordinator or an organisation admin; the last admin stays one."""
    if role not in Membership.Role.values:
        raise ValidationError(_("Choose a role: programme coordinator or organisation admin."), code="bad_role")
    with transaction.atomic():
        _lock_organisation(membership.organisation)
        membership = _locked_membership(membership)
        if membership.role == role:
            return membership
        if _is_last_admin(membership):
            raise _last_admin_error(membership, removing=False)
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role"])
    logger.info("User %s made membership %s %s", by.pk, membership.pk, role)
    return membership


def membership_remove(*, membership: Membership, by: User) -> None:
    """Take someone out of an organisation; the last admin cannot be removed."""
    with transaction.atomic():
        _lock_organisation(membership.organisation)
        membership = _locked_membership(membership)
        if _is_last_admin(membership):
            raise _last_admin_error(membership, removing=True)
        pk = membership.pk
        membership.delete()
    logger.info("User %s removed membership %s", by.pk, pk)


def _user_with_email(email: str) -> User | None:
    """The account an address belongs to: its login address, or failing that a confirmed extra address."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
        user = address.user if address else None
    return user


def invitation_create(*, organisation: Organisation, email: str, role: str, by: User) -> tuple[Invitation, str]:
    """Invite someone by e-mail to join the organisation with a role. Returns the invitation and its token.

    Only the token's SHA-256 is stored: the link e-mailed to the address is the one copy of the
    token. A new invitation to an address replaces (revokes) the one still pending for it; an
    address that already belongs to a member is refused. The link expires after
    settings.INVITATION_DAYS days and works once.
    """
    email = (email or "").strip().lower()
    if role not in Membership.Role.values:
        raise ValidationError(
            {"role": _("Choose a role: programme coordinator or organisation admin.")}, code="bad_role"
        )
    with transaction.atomic():
        organisation = _lock_organisation(organisation)
        if organisation.status == Organisation.Status.ARCHIVED:
            raise ValidationError(_("This organisation is archived: it cannot invite anyone."), code="archived")
        if organisation.status != Organisation.Status.VERIFIED:
            # An unreviewed organisation could otherwise send e-mails in any name it chose.
            raise ValidationError(
                _("You can invite colleagues once GlobalIR has verified %(organisation)s."),
                code="not_verified",
                params={"organisation": str(organisation)},
            )
        already = Membership.objects.filter(organisation=organisation).filter(
            Q(user__email__iexact=email) | Q(user__emailaddress__email__iexact=email, user__emailaddress__verified=True)
        )
        if email and already.exists():
            raise ValidationError(
                {
                    "email": ValidationError(
                        _("%(email)s is already a member of %(organisation)s: change their role in the list instead."),
                        code="already_member",
                        params={"email": email, "organisation": str(organisation)},
                    )
                }
            )
        now = timezone.now()
        token = secrets.token_urlsafe(32)
        invitation = Invitation(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=invitation_token_hash(token),
            invited_by=by,
            expires_at=now + datetime.timedelta(days=settings.INVITATION_DAYS),
        )
        invitation.full_clean()
        Invitation.objects.pending(now=now).filter(organisation=organisation, email__iexact=email).update(
            revoked_at=now
        )
        invitation.save()
        notify(
            kind="invitation",
            event_key=f"invitation:{invitation.pk}",
            recipient=_user_with_email(email),
            email=email,
            context={
                "organisation_name": str(organisation),
                "role": role,
                # In English, and the day as ISO 8601: the e-mail writes both in its reader's language.
                "role_label": _english(invitation.get_role_display()),
                "invited_by_name": by.get_full_name() or by.email,
                "accept_url": absolute_url(reverse("organisations:invitation-accept", kwargs={"token": token})),
                "expires_on": timezone.localtime(invitation.expires_at).date().isoformat(),
                "days": settings.INVITATION_DAYS,
            },
        )
    logger.info("User %s invited an address to organisation %s as %s", by.pk, organisation.pk, role)
    return invitation, token


def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    now = timezone.now()
    with transaction.atomic():
        if Invitation.objects.pending(now=now).filter(pk=invitation.pk).update(revoked_at=now) != 1:
            raise ValidationError(
                _("This invitation can no longer be withdrawn: it was accepted, withdrawn or has expired."),
                code="not_pending",
            )
    invitation.refresh_from_db()
    logger.info("User %s revoked invitation %s", by.pk, invitation.pk)
    return invitation


def invitation_accept(*, token: str, user: User) -> Membership:
    """Join an organisation through an invitation link. Returns the user's membership.

    The link works once (the invitation is claimed with a conditional update), only before it
    expires or is withdrawn, and only for a user who has confirmed the invited address. Someone
    already a member takes the invited role, unless that would leave the organisation without
    an admin.
    """
    now = timezone.now()
    with transaction.atomic():
        invitation = invitation_by_token(token=token)
        refusal = invitation_refusal(invitation=invitation, now=now)
        if refusal is not None:
            raise refusal
        if not invitation_email_confirmed(invitation=invitation, user=user):
            raise ValidationError(
                _(
                    "This invitation was sent to %(email)s. Log in with that address, or add it to your "
                    "account and confirm it, to accept."
                ),
                code="wrong_email",
                params={"email": invitation.email},
            )
        organisation = _lock_organisation(invitation.organisation)
        claimed = Invitation.objects.pending(now=now).filter(pk=invitation.pk).update(accepted_at=now, accepted_by=user)
        if claimed != 1:
            raise ValidationError(_("This invitation has already been used."), code="accepted")
        membership = Membership.objects.filter(user=user, organisation=organisation).first()
        if membership is None:
            membership = Membership(user=user, organisation=organisation, role=invitation.role)
            membership.full_clean()
            membership.save()
        elif membership.role != invitation.role and not _is_last_admin(membership):
            membership.role = invitation.role
            membership.full_clean()
            membership.save(update_fields=["role"])
    logger.info("User %s accepted invitation %s", user.pk, invitation.pk)
    return membership


def organisation_embed_origins_set(*, organisation: Organisation, origins: list[str], by: User) -> Organisation:
    """Name the websites (https origins) that may show the organisation's listing (/embed/<slug>/) in a frame;
    an empty list lets none. The organisation's history records who changed them."""
    with transaction.atomic():
        organisation = _lock_organisation(organisation)
        organisation.embed_origins = "\n".join(origins)
        _save(organisation, ["embed_origins"])
    logger.info("User %s set %d embedding sites for organisation %s", by.pk, len(origins), organisation.pk)
    return organisation
