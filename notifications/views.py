"""Notification preferences and one-click unsubscribe. (Stubs: issue 4 fills these in.)"""

from django.http import Http404


def preferences(request):
    raise Http404


def unsubscribe(request, token):
    raise Http404
