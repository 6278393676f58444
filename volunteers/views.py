"""The volunteer's own profile: onboarding wizard, profile editing and credentials."""

from django.http import Http404


def onboarding(request, step=None):
    raise Http404


def profile_edit(request):
    raise Http404


def credential_list(request):
    raise Http404


def credential_delete(request, pk):
    raise Http404
