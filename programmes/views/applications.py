"""A volunteer's applications, offers and dashboard."""

from django.http import Http404


def dashboard(request):
    raise Http404


def application_create(request, pk):
    raise Http404


def application_withdraw(request, pk):
    raise Http404


def offer_accept(request, pk):
    raise Http404


def offer_decline(request, pk):
    raise Http404
