"""A volunteer's own data: export, erasure, calendar feed, and credential documents."""

from django.http import Http404


def data_export(request):
    raise Http404


def account_delete(request):
    raise Http404


def calendar_feed(request):
    raise Http404


def calendar_token_reset(request):
    raise Http404


def credential_document(request, pk):
    raise Http404
