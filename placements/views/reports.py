"""Reports for programmes, organisations and the whole portal, and a programme's placements as CSV.

Coordinators (and organisation admins) see their own organisation's reports; site admins see
every report and the portal's. The pages are private to the organisation, so never cached.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from organisations.access import organisation_for_member
from programmes.views.access import programme_for_coordinator

from .. import reports


@never_cache
@login_required
@require_safe
def programme_report(request, pk):
    programme = programme_for_coordinator(request, pk)
    report = reports.programme_report(programme=programme)
    return render(request, "placements/reports/programme_report.html", {"programme": programme, "report": report})


@never_cache
@login_required
@require_safe
def programme_placements_csv(request, pk):
    programme = programme_for_coordinator(request, pk)
    content, filename = reports.placements_csv(programme=programme)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_safe
def organisation_report(request, slug):
    organisation = organisation_for_member(request, slug)
    result = reports.organisation_report(organisation=organisation)
    return render(
        request,
        "placements/reports/organisation_report.html",
        {"organisation": organisation, "report": result.report, "programmes": result.programmes},
    )


@never_cache
@login_required
@require_safe
def portal_report(request):
    if not request.user.is_staff:
        raise PermissionDenied(_("Only site admins can see the portal's report."))
    result = reports.portal_report()
    return render(request, "placements/reports/portal_report.html", {"portal": result, "report": result.report})
