"""Certificates of service and the yearly summary of a volunteer's placements, as PDF.

A placement's certificate is issued the first time its volunteer downloads it, once the placement is
completed (a coordinator marked it so: Placement.completed_at). Issuing takes a snapshot
(placements.certificates.Certificate) that later downloads print again and that /verify/<code>/ confirms.

What it counts:
- days on site (on-site and hybrid placements): the calendar days from the first to the last day, both
  included, as the volunteer's record of placements counts them;
- hours of remote work (remote and hybrid placements): the weekly hours agreed for the placement times its
  weeks (days / 7), rounded to the hour.
The yearly summary counts the same way, within the year only for a placement that runs across New Year.

The coordinator named is the one who marked the placement completed, as the audit trail recorded them; a
placement completed outside the pages (the admin without a name, a script) names only the organisation.
"""

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_countries import countries

from globalir.accounts.models import User
from globalir.links import absolute_url
from programmes.models import Mode
from volunteers.models import Profession, VolunteerProfile

from .certificates import Certificate, normalise_certificate_code
from .models import Application, Placement

logger = logging.getLogger(__name__)

# Everything a certificate's page may load (its logo) is a file under here; nothing else is fetched.
CERTIFICATE_ASSETS = Path(settings.BASE_DIR) / "static"


def placement_for_certificate(*, user: User, pk: int) -> Placement | None:
    """The placement `pk` if `user` is its volunteer (whatever its status), with what a certificate prints."""
    if not user.is_authenticated:
        return None
    return (
        Placement.objects.select_related(
            "application", "need__programme__lead_organisation", "need__host_site", "volunteer__user", "certificate"
        )
        .filter(volunteer__user=user, pk=pk)
        .first()
    )


def _completed_by(application: Application) -> User | None:
    """Who marked the application completed, as the audit trail recorded them (None when no one signed in did)."""
    record = (
        application.history.filter(status=Application.Status.COMPLETED)
        .select_related("history_user")
        .order_by("history_date", "history_id")
        .first()
    )
    return record.history_user if record is not None else None


def _holder_name(profile: VolunteerProfile) -> str:
    name = profile.display_name
    if "@" in name:
        # The profile has no name and the account none either: never print an e-mail address on a page
        # anyone holding the code can read.
        raise ValidationError(
            _("Add your name to your volunteer profile first: it is the name printed on the certificate."),
            code="no_name",
        )
    return name


def certificate_issue(*, placement: Placement) -> Certificate:
    """The placement's certificate: the one already issued, or a new one with a snapshot of what it prints.

    Refused with a readable ValidationError when the placement is not completed yet, when its certificate
    was revoked, or when the volunteer has no name to print. Two downloads at once issue one certificate
    (the placement is unique).
    """
    existing = Certificate.objects.filter(placement=placement).first()
    if existing is not None and existing.revoked_at is not None:
        raise ValidationError(
            _(
                "The certificate of this placement was revoked on %(date)s. Write to the GlobalIR team if this "
                "is a mistake."
            )
            % {"date": date_format(existing.revoked_at)},
            code="revoked",
        )
    if existing is not None:
        return existing
    if placement.completed_at is None:
        raise ValidationError(
            _("A certificate is issued once the coordinators have marked the placement completed."),
            code="not_completed",
        )
    profile = placement.volunteer
    if profile is None:
        raise ValidationError(_("This placement no longer has a volunteer."), code="no_volunteer")
    need = placement.need
    programme = need.programme
    site = need.host_site
    coordinator = _completed_by(placement.application)
    certificate = Certificate(
        placement=placement,
        holder_name=_holder_name(profile),
        organisation_name=programme.lead_organisation.name,
        programme_title=programme.title,
        need_title=need.title,
        profession=need.profession,
        mode=placement.mode,
        site_name=site.name if site else "",
        site_city=site.city if site else "",
        site_country=site.country.code if site else "",
        start_date=placement.start_date,
        end_date=placement.end_date,
        hours_per_week=placement.hours_per_week,
        days_on_site=placement.days if placement.is_onsite else 0,
        remote_hours=placement.remote_hours if placement.mode != Mode.ONSITE else 0,
        coordinator=coordinator,
        coordinator_name=coordinator.get_full_name() if coordinator is not None else "",
    )
    certificate.full_clean(exclude=["placement"], validate_unique=False)
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # Issued meanwhile by another download of the same placement.
        return Certificate.objects.get(placement=placement)
    logger.info("Certificate %s issued for placement %s", certificate.pk, placement.pk)
    return certificate


def certificate_for_code(*, code: str) -> Certificate | None:
    """The certificate a verification code names, revoked or not; None for a code nobody was given."""
    code = normalise_certificate_code(code)
    if not code:
        return None
    return Certificate.objects.filter(code=code).first()


def certificate_revoke(*, certificate: Certificate, by: User) -> Certificate:
    """A site admin revokes a certificate issued in error: its code answers "revoked" from now on. The
    snapshot stays, for the record; revoking twice is refused."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at is not None:
            raise ValidationError(
                _("The certificate %(code)s is already revoked.") % {"code": certificate.display_code},
                code="already_revoked",
            )
        certificate.revoked_at = timezone.now()
        certificate.save(update_fields=["revoked_at"])
    logger.info("User %s revoked certificate %s", by.pk, certificate.pk)
    return certificate


def certificates_revoke(*, profile: VolunteerProfile) -> int:
    """Revoke the certificates of the volunteer's placements (their account is being erased): the holder's
    name goes, the code answers "revoked" from now on. Returns how many were revoked."""
    return Certificate.objects.filter(placement__volunteer=profile, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), holder_name=""
    )


def certificates_unsign(*, user: User) -> int:
    """Take a coordinator's name off the certificates they signed (their account is being erased); the
    certificates stay valid, in the organisation's name."""
    return Certificate.objects.filter(coordinator=user).update(coordinator=None, coordinator_name="")


# What the PDF shows, in the reader's language.


def profession_label(code: str) -> str:
    try:
        return str(Profession(code).label)
    except ValueError:
        return code


def mode_label(code: str) -> str:
    try:
        return str(Mode(code).label)
    except ValueError:
        return code


def site_label(certificate: Certificate) -> str:
    parts = [certificate.site_name, certificate.site_city]
    if certificate.site_country:
        parts.append(str(countries.name(certificate.site_country)))
    return ", ".join(part for part in parts if part)


def verify_url(certificate: Certificate) -> str:
    return absolute_url(reverse("placements:certificate-verify", args=[certificate.display_code]))


def certificate_html(*, certificate: Certificate) -> str:
    """The certificate's page, before it becomes a PDF."""
    return render_to_string(
        "placements/certificate.html",
        {
            "certificate": certificate,
            "profession": profession_label(certificate.profession),
            "mode": mode_label(certificate.mode),
            "site": site_label(certificate),
            "onsite": certificate.days_on_site > 0,
            "remote": certificate.remote_hours > 0 or certificate.mode != Mode.ONSITE,
            "verify_url": verify_url(certificate),
        },
    )


@dataclass
class SummaryRow:
    certificate: Certificate
    start: datetime.date  # within the year
    end: datetime.date
    days_on_site: int
    remote_hours: int
    profession: str
    mode: str
    site: str


@dataclass
class YearSummary:
    year: int
    holder_name: str
    rows: list[SummaryRow]
    days_on_site: int
    remote_hours: int


def certificate_years(*, profile: VolunteerProfile) -> list[int]:
    """The years in which the volunteer has completed placements, newest first: those a summary exists for."""
    years = set()
    for start, end in Placement.objects.filter(volunteer=profile, completed_at__isnull=False).values_list(
        "start_date", "end_date"
    ):
        years.update(range(start.year, end.year + 1))
    return sorted(years, reverse=True)


def year_summary(*, profile: VolunteerProfile, year: int) -> YearSummary | None:
    """The volunteer's completed placements that took place (in part) in `year`, each with its certificate
    (issued now if it was not yet; a revoked one is left out) and the days and hours within the year; None
    when there are none."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    placements = list(
        Placement.objects.filter(
            volunteer=profile, completed_at__isnull=False, start_date__lte=last, end_date__gte=first
        )
        .exclude(certificate__revoked_at__isnull=False)
        .select_related("application", "need__programme__lead_organisation", "need__host_site", "certificate")
        .order_by("start_date", "pk")
    )
    if not placements:
        return None
    rows = []
    for placement in placements:
        certificate = getattr(placement, "certificate", None) or certificate_issue(placement=placement)
        start, end = max(certificate.start_date, first), min(certificate.end_date, last)
        days = (end - start).days + 1
        rows.append(
            SummaryRow(
                certificate=certificate,
                start=start,
                end=end,
                days_on_site=days if certificate.days_on_site else 0,
                remote_hours=round(certificate.hours_per_week * days / 7) if certificate.mode != Mode.ONSITE else 0,
                profession=profession_label(certificate.profession),
                mode=mode_label(certificate.mode),
                site=site_label(certificate),
            )
        )
    return YearSummary(
        year=year,
        holder_name=rows[-1].certificate.holder_name,
        rows=rows,
        days_on_site=sum(row.days_on_site for row in rows),
        remote_hours=sum(row.remote_hours for row in rows),
    )


def year_summary_html(*, summary: YearSummary) -> str:
    return render_to_string(
        "placements/certificate_summary.html",
        {"summary": summary, "verify_base": absolute_url(reverse("placements:certificate-verify", args=["CODE"]))},
    )


# HTML to PDF.


def _local_only_fetcher():
    """WeasyPrint's fetcher, allowed only the files under CERTIFICATE_ASSETS: a certificate's page never
    reaches the network, nor any other file of the server, whatever its text holds."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"Certificates load no remote resource: {url}")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(CERTIFICATE_ASSETS.resolve()):
                raise ValueError(f"Certificates load only the portal's static files: {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file",))


def pdf_document(html: str):
    """The page laid out by WeasyPrint (imported here, on the first certificate, not when the portal starts)."""
    from weasyprint import HTML

    return HTML(
        string=html, base_url=f"{CERTIFICATE_ASSETS.resolve().as_uri()}/", url_fetcher=_local_only_fetcher()
    ).render()


def pdf_from_html(html: str) -> bytes:
    return pdf_document(html).write_pdf()
