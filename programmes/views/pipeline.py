"""The pipeline board of a need and the actions on its applications. (Stubs: issue 4 fills these in.)"""

from django.http import Http404


def board(request, pk):
    raise Http404


def application_detail(request, pk):
    raise Http404


def application_shortlist(request, pk):
    raise Http404


def application_offer(request, pk):
    raise Http404


def application_decline(request, pk):
    raise Http404


def application_complete(request, pk):
    raise Http404


def application_notes(request, pk):
    raise Http404
