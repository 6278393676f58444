"""The matcher's suggestions for a need: invite a suggested volunteer to apply. (Stubs: issue 5 fills these in.)"""

from django.http import Http404


def invite_to_apply(request, pk, volunteer_pk):
    raise Http404
