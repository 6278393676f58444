"""Reads for the public directory: only verified organisations are ever shown."""

import datetime
import hashlib
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .filters import OrganisationFilter
from .models import Invitation, Membership, Organisation

HOME_FEATURED_LIMIT = 6


def organisation_listed_queryset() -> QuerySet[Organisation]:
    """Listed organisations in directory order: featured first, then by name."""
    return Organisation.objects.listed().order_by("-featured", "name")


def _sort_key(name: str) -> str:
    """Sort "Égypte" with the E's: accents are dropped, case is ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def organisation_country_choices() -> list[tuple[str, str]]:
    """(code, name) of every country a listed organisation is based in or works in, sorted by name.

    Pending and archived organisations are left out so that the filter never reveals them.
    """
    codes: set[str] = set()
    for headquarters, working_in in Organisation.objects.listed().values_list("headquarters_country", "countries"):
        if headquarters:
            codes.add(headquarters)
        # values_list() returns a multiple CountryField in its stored form, "GB,KE,TZ".
        codes.update(code for code in (working_in or "").split(",") if code)
    # Names in the visitor's language; a code django-countries does not know is left out.
    choices = [(code, str(countries.name(code))) for code in codes if countries.name(code)]
    return sorted(choices, key=lambda choice: _sort_key(choice[1]))


def organisation_directory(*, data: QueryDict) -> OrganisationFilter:
    """The directory's FilterSet bound to the query string; `.qs` holds the matching organisations."""
    return OrganisationFilter(
        data, queryset=organisation_listed_queryset(), country_choices=organisation_country_choices()
    )


def organisation_listed_count() -> int:
    return Organisation.objects.listed().count()


def organisation_featured_list(*, limit: int = HOME_FEATURED_LIMIT) -> list[Organisation]:
    return list(Organisation.objects.listed().featured().order_by("name")[:limit])


def organisation_listed_by_slug_queryset() -> QuerySet[Organisation]:
    """Listed organisations with their listed partners prefetched, for the detail page."""
    return Organisation.objects.listed().prefetch_related(
        Prefetch("partners", queryset=Organisation.objects.listed().order_by("name"), to_attr="listed_partners")
    )


def _is_web_address(value: str) -> bool:
    return value.startswith(("https://", "http://")) and " " not in value


def organisation_social_links(*, organisation: Organisation) -> list[dict[str, str]]:
    """The organisation's social accounts as {"network", "text", "url"}; "url" is empty when we cannot link.

    X and Instagram hold bare handles. Facebook and LinkedIn often hold a page's display name
    ("Road to IR") rather than an address: that is shown as text, never guessed into a link.
    """
    links = []
    if organisation.twitter:
        handle = organisation.twitter.lstrip("@")
        links.append({"network": "X", "text": f"@{handle}", "url": f"https://x.com/{quote(handle)}"})
    if organisation.instagram:
        handle = organisation.instagram.lstrip("@")
        links.append(
            {"network": "Instagram", "text": f"@{handle}", "url": f"https://www.instagram.com/{quote(handle)}/"}
        )
    if organisation.facebook:
        page = organisation.facebook.strip()
        if _is_web_address(page):
            url = page
        elif " " not in page and "/" not in page:
            url = f"https://www.facebook.com/{quote(page)}"
        else:
            url = ""
        links.append({"network": "Facebook", "text": page, "url": url})
    if organisation.linkedin:
        page = organisation.linkedin.strip()
        links.append({"network": "LinkedIn", "text": page, "url": page if _is_web_address(page) else ""})
    return links


# Who may act for an organisation.


def membership_role(*, user, organisation: Organisation) -> str | None:
    """The user's coordinating role in the organisation ("coordinator" or "admin"), or None: a partner
    clinician coordinates nothing (see `clinician_organisation_ids`)."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.coordinators()
        .filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def user_role_annotations(*, user_ref: OuterRef) -> dict[str, Exists]:
    """Whether the user `user_ref` points to coordinates an organisation (`coordinates`) or is a partner
    clinician of one (`clinician`), as annotations of a user query: read with other flags in one query."""
    return {
        "coordinates": Exists(Membership.objects.coordinators().filter(user=user_ref)),
        "clinician": Exists(Membership.objects.filter(user=user_ref, role=Membership.Role.CLINICIAN)),
    }


def clinician_organisation_ids(*, user) -> list[int]:
    """The organisations the user is a partner clinician of (archived ones left out)."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user, role=Membership.Role.CLINICIAN)
        .exclude(organisation__status=Organisation.Status.ARCHIVED)
        .values_list("organisation_id", flat=True)
    )


def organisations_coordinated_by(*, user) -> QuerySet[Organisation]:
    """Organisations the user coordinates (organisation admins coordinate too), pending ones included."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=Membership.COORDINATING_ROLES
    ).exclude(status=Organisation.Status.ARCHIVED)


# Onboarding: requests to list an organisation, members and invitations.


def organisation_pending_review_count() -> int:
    """How many requests to list an organisation wait for a site admin's review."""
    return Organisation.objects.filter(status=Organisation.Status.PENDING).count()


def organisation_requests_for(*, user) -> QuerySet[Organisation]:
    """The organisations the user asked to list, newest first, whatever became of them."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(requested_by=user).order_by("-created_at", "-pk")


def organisation_member_list(*, organisation: Organisation) -> QuerySet[Membership]:
    """The organisation's members with their user, admins first, then by name and e-mail."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("role", "user__first_name", "user__last_name", "user__email")
    )


def organisation_pending_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations to the organisation that can still be accepted, newest first."""
    return (
        Invitation.objects.pending()
        .filter(organisation=organisation)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def invitation_token_hash(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256, so that the database never holds the link."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state, or None."""
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def organisation_name_taken(*, name: str, exclude: Organisation | None = None) -> bool:
    """Whether another organisation already has this name, ignoring case and surrounding spaces."""
    others = Organisation.objects.filter(name__iexact=(name or "").strip())
    if exclude is not None and exclude.pk:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


def invitation_refusal(
    *, invitation: Invitation | None, now: datetime.datetime | None = None
) -> ValidationError | None:
    """Why an invitation's link can no longer be used (its ``code`` says which case), or None while it can."""
    now = now or timezone.now()
    if invitation is None:
        return ValidationError(
            _("This invitation link is not valid. Check that you copied the whole link from the e-mail."),
            code="unknown",
        )
    if invitation.accepted_at is not None:
        return ValidationError(_("This invitation has already been used."), code="accepted")
    if invitation.revoked_at is not None:
        return ValidationError(
            _("This invitation was withdrawn. Ask the organisation's admins for a new one."), code="revoked"
        )
    if invitation.expires_at <= now:
        return ValidationError(
            _("This invitation has expired. Ask the organisation's admins for a new one."), code="expired"
        )
    if invitation.organisation.status == Organisation.Status.ARCHIVED:
        return ValidationError(_("This organisation is no longer on GlobalIR."), code="archived")
    return None


def invitation_email_confirmed(*, invitation: Invitation, user) -> bool:
    """Whether the invited address is one of the user's confirmed addresses (allauth's EmailAddress)."""
    if not user.is_authenticated:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()


def organisation_coordinators(*, organisation_ids: Iterable[int]) -> dict[int, list]:
    """The active coordinators and admins of each organisation, by organisation id: one query."""
    coordinators: dict[int, list] = {}
    memberships = (
        Membership.objects.coordinators()
        .filter(organisation_id__in=set(organisation_ids), user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        coordinators.setdefault(membership.organisation_id, []).append(membership.user)
    return coordinators
