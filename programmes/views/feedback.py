"""Feedback after a placement, and the volunteer's record of completed placements. (Stubs: issue 4 fills these in.)"""

from django.http import Http404


def placement_record(request):
    raise Http404


def volunteer_feedback(request, pk):
    raise Http404


def organisation_feedback(request, pk):
    raise Http404


def programme_feedback(request, pk):
    raise Http404
