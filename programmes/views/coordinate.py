"""The coordinator's workspace: sites, programmes and needs. (Stubs: issue 4 fills these in.)"""

from django.http import Http404


def workspace(request):
    raise Http404


def site_list(request, slug):
    raise Http404


def site_create(request, slug):
    raise Http404


def site_edit(request, pk):
    raise Http404


def programme_create(request, slug):
    raise Http404


def programme_detail(request, pk):
    raise Http404


def programme_edit(request, pk):
    raise Http404


def programme_publish(request, pk):
    raise Http404


def programme_close(request, pk):
    raise Http404


def need_create(request, pk):
    raise Http404


def need_edit(request, pk):
    raise Http404


def need_duplicate(request, pk):
    raise Http404


def need_close(request, pk):
    raise Http404


def need_reopen(request, pk):
    raise Http404
