"""Match rounds: a programme opens one, both sides rank, the matching makes offers. (Stubs for issue 5.)"""

from django.http import Http404


def round_create(request, pk):
    raise Http404


def round_detail(request, pk):
    raise Http404


def round_progress(request, pk):
    raise Http404


def round_need_ranking(request, pk, need_pk):
    raise Http404


def round_dry_run(request, pk):
    raise Http404


def round_run(request, pk):
    raise Http404


def round_cancel(request, pk):
    raise Http404


def round_volunteer(request, pk):
    raise Http404
