"""Reports for programmes, organisations and the whole portal. (Stubs: issue 4 fills these in.)"""

from django.http import Http404


def programme_report(request, pk):
    raise Http404


def programme_placements_csv(request, pk):
    raise Http404


def organisation_report(request, slug):
    raise Http404


def portal_report(request):
    raise Http404
