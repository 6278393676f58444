"""Certificates of service: the holder downloads them as PDF, anyone with the code verifies one."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from volunteers.selectors import volunteer_profile_for_user

from .. import certification


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The holder's own document: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def certificate_download(request, pk):
    placement = certification.placement_for_certificate(user=request.user, pk=pk)
    if placement is None:
        raise Http404
    try:
        certificate = certification.certificate_issue(placement=placement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("placements:placement-record")
    pdf = certification.pdf_from_html(certification.certificate_html(certificate=certificate))
    return _pdf_response(pdf, f"globalir-certificate-{certificate.display_code}.pdf")


@login_required
@require_safe
def year_summary_download(request, year):
    profile = volunteer_profile_for_user(user=request.user)
    if profile is None or profile.onboarding_completed_at is None:
        messages.info(request, _("Finish setting up your volunteer profile first."))
        return redirect("volunteers:onboarding")
    summary = None
    if datetime.MINYEAR <= year <= datetime.MAXYEAR:
        try:
            summary = certification.year_summary(profile=profile, year=year)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("placements:placement-record")
    if summary is None:
        messages.info(request, _("You have no completed placement in %(year)s.") % {"year": year})
        return redirect("placements:placement-record")
    pdf = certification.pdf_from_html(certification.year_summary_html(summary=summary))
    return _pdf_response(pdf, f"globalir-placements-{year}.pdf")


@require_safe
def certificate_verify(request, code):
    certificate = certification.certificate_for_code(code=code)
    if certificate is None:
        return render(request, "placements/certificate_unknown.html", {"code": code}, status=404)
    response = render(request, "placements/certificate_verify.html", {"certificate": certificate})
    # A verification page is for whoever holds the code, not for search engines.
    response["X-Robots-Tag"] = "noindex"
    return response
