"""Organisation onboarding, members and invitations. (Stubs: issue 4 fills these in.)"""

from django.http import Http404


def organisation_request(request):
    raise Http404


def organisation_request_list(request):
    raise Http404


def member_list(request, slug):
    raise Http404


def invitation_create(request, slug):
    raise Http404


def member_role(request, slug, pk):
    raise Http404


def member_remove(request, slug, pk):
    raise Http404


def invitation_revoke(request, slug, pk):
    raise Http404


def invitation_accept(request, token):
    raise Http404
